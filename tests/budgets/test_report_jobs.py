"""The audit workbook as a background task: queued from the admin, written by the real
database worker (``manage.py db_worker --batch``), followed, downloaded, expired."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from budgets.models import AuditReportJob, ReportStatus
from budgets.services import audit_report_path
from tests.factories import auditor, department_staff, make_pledges, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.AUDIT_REPORTS_DIR = tmp_path / "reports"
    return settings.AUDIT_REPORTS_DIR


@pytest.fixture
def run_worker(monkeypatch):
    """Run the queued tasks with the package's own worker, in this process.

    The test holds everything in one transaction, so the worker must not recycle the
    connection between tasks (it would throw the test's transaction away): only that
    call is replaced.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    return run


def _ask(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/audit-report/", data)
    assert response.status_code == 302, getattr(response, "context", None)
    job = AuditReportJob.objects.latest("pk")
    assert response["Location"] == f"/admin/audit-report/{job.pk}/"
    return job


def test_asking_queues_a_task_and_the_worker_writes_the_workbook(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(auditor())
    job = _ask(client, django_capture_on_commit_callbacks)
    assert job.status == ReportStatus.QUEUED and job.task_id
    page = client.get(f"/admin/audit-report/{job.pk}/")
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content and b'value="0"' in page.content

    run_worker()

    job.refresh_from_db()
    assert job.status == ReportStatus.DONE
    assert (job.pledges_done, job.pledges_total, job.percent) == (6, 6, 100)
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    page = client.get(f"/admin/audit-report/{job.pk}/")
    assert 'http-equiv="refresh"' not in page
    assert f"/admin/audit-report/{job.pk}/download/".encode() in page.content
    download = client.get(f"/admin/audit-report/{job.pk}/download/")
    assert download.status_code == 200
    today = timezone.localdate().isoformat()
    assert f"paju-audit-report-asof-{today}.xlsx" in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    cover = dict(book["안내"].iter_rows(min_row=2, values_only=True))
    assert cover["공약 수"] == 6 and cover["생성자"] == "auditor (portal)"


def test_progress_is_pledges_written_over_the_total_batch_by_batch(
    client, django_capture_on_commit_callbacks, monkeypatch, run_worker
):
    make_pledges(1200)  # 1,206 pledges: batches of 500, 500 and 206
    seen = []
    from budgets import services

    real = services.audit_report_progress

    def spy(*, job_id, done, total):
        real(job_id=job_id, done=done, total=total)
        job = AuditReportJob.objects.get(pk=job_id)
        seen.append((job.status, job.pledges_done, job.pledges_total, job.percent))

    monkeypatch.setattr("budgets.tasks.audit_report_progress", spy)
    client.force_login(auditor())
    job = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    assert seen == [
        (ReportStatus.RUNNING, 0, 1206, 0),
        (ReportStatus.RUNNING, 500, 1206, 41),
        (ReportStatus.RUNNING, 1000, 1206, 82),
        (ReportStatus.RUNNING, 1206, 1206, 99),  # the change history is still to come
    ]
    job.refresh_from_db()
    assert (job.status, job.percent) == (ReportStatus.DONE, 100)


def test_staff_ask_only_for_their_own_department(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    other = client.post("/admin/audit-report/", {"department": "민원여권과"})
    assert other.status_code == 200 and other.context["form"].errors
    everything = client.post("/admin/audit-report/", {})
    assert everything.status_code == 200 and everything.context["form"].errors
    assert not AuditReportJob.objects.exists()
    job = _ask(client, django_capture_on_commit_callbacks, department="공공건축과")
    run_worker()
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE
    assert job.pledges_total == 3  # 12-7, 12-8 and 12-9 are 공공건축과's in the seed


def test_only_the_requester_or_a_superuser_can_open_a_job_or_its_file(
    client, django_capture_on_commit_callbacks, run_worker
):
    owner = auditor()
    client.force_login(owner)
    job = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    urls = [f"/admin/audit-report/{job.pk}/", f"/admin/audit-report/{job.pk}/download/"]

    client.force_login(auditor("another-auditor"))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert (
        job.created_at.strftime("%Y-%m-%d %H:%M")
        not in client.get("/admin/audit-report/").content.decode()
    )
    client.force_login(make_user("root", superuser=True))
    assert [client.get(url).status_code for url in urls] == [200, 200]
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)  # to the login


def test_the_requester_finds_their_workbooks_again_in_the_list(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(auditor())
    first = _ask(client, django_capture_on_commit_callbacks, as_of="2025-12-31")
    run_worker()
    second = _ask(client, django_capture_on_commit_callbacks)
    page = client.get("/admin/audit-report/")
    assert [job.pk for job in page.context["jobs"]] == [second.pk, first.pk]
    text = page.content.decode()
    assert f"/admin/audit-report/{first.pk}/" in text and "2025-12-31" in text
    assert "100%" in text and "0%" in text


def test_a_failed_task_shows_a_reference_and_logs_the_cause_never_a_server_path(
    client, django_capture_on_commit_callbacks, run_worker, settings, tmp_path, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be")
    settings.AUDIT_REPORTS_DIR = blocker / "reports"
    client.force_login(auditor())
    job = _ask(client, django_capture_on_commit_callbacks)
    run_worker()

    from django_tasks_db.models import DBTaskResult

    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert re.fullmatch(rf"audit-{job.pk}-[0-9a-f]{{8}}", job.error)
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    [record] = [r for r in caplog.records if r.name == "paju.tasks"]
    assert job.error in record.getMessage() and "NotADirectoryError" in record.exc_text
    page = client.get(f"/admin/audit-report/{job.pk}/").content.decode()
    assert f"관리자에게 이 참조 번호를 알려 주세요: {job.error}" in page
    assert "NotADirectoryError" not in page and str(tmp_path) not in page
    assert 'http-equiv="refresh"' not in page
    assert client.get(f"/admin/audit-report/{job.pk}/download/").status_code == 404


def test_files_expire_after_a_day_and_the_link_says_gone(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(auditor())
    job = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    job.refresh_from_db()
    path = audit_report_path(job)
    assert path.exists()
    AuditReportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("expire_audit_reports", stdout=out)
    assert out.getvalue().strip() == "expired audit workbooks removed: 1"
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ReportStatus.EXPIRED
    gone = client.get(f"/admin/audit-report/{job.pk}/download/")
    assert gone.status_code == 410
    assert "expired" in gone.content.decode() or "만료" in gone.content.decode()


def test_a_link_past_its_expiry_is_gone_even_before_the_worker_cleans_up(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(auditor())
    job = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    AuditReportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(f"/admin/audit-report/{job.pk}/download/").status_code == 410
    job.refresh_from_db()
    assert job.status == ReportStatus.EXPIRED and not audit_report_path(job).exists()


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.post("/admin/audit-report/", {})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditReportJob.objects.exists()


def test_the_worker_removes_expired_files_before_writing_a_new_workbook(
    client, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(auditor())
    old = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    AuditReportJob.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    new = _ask(client, django_capture_on_commit_callbacks)
    run_worker()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED and not audit_report_path(old).exists()
    assert new.status == ReportStatus.DONE and audit_report_path(new).exists()
