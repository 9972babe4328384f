"""Two app servers, really: two gunicorn instances on one PostgreSQL and one Redis.

Selected with ``pytest --multiserver`` (CI runs it; see .ci/run), with DATABASE_URL set
to a PostgreSQL database this test may fill and DJANGO_CACHE_URL to a Redis database it
may empty. Everything is on loopback. Staff write through server A; server B serves the
new figures on its very next request, its cached pages included; a workbook asked for
through A is written by a separate ``db_worker`` process and downloaded through B.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
STAFF, PASSWORD = "multi-staff", "multi-server-password-7"
PLEDGE = "12-7"  # one sub-project, 공공건축과's

pytestmark = pytest.mark.multiserver


def _env(tmp_path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="multiserver-test-only-not-a-secret",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",  # plain http on loopback
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_AUDIT_REPORTS_DIR=str(tmp_path / "reports"),  # shared by both servers
    )
    return env


def _manage(env, *args: str) -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _form_fields(html: str) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from loadtest import form_fields

    return form_fields(html)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    database, cache = os.environ.get("DATABASE_URL", ""), os.environ.get("DJANGO_CACHE_URL", "")
    if not database.startswith("postgres") or not cache.startswith("redis"):
        pytest.fail(
            "--multiserver needs DATABASE_URL=postgres://… and DJANGO_CACHE_URL=redis://… "
            "(see .ci/run)"
        )
    import redis

    redis.Redis.from_url(cache).flushdb()  # page keys restart with a fresh database
    env = _env(tmp_path_factory.mktemp("multiserver"))
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_initial_data", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from tests.factories import department_staff;"
        "from django.contrib.auth import get_user_model;"
        f"get_user_model().objects.filter(username='{STAFF}').delete();"
        f"u = department_staff('{STAFF}', departments=('공공건축과',));"
        f"u.set_password('{PASSWORD}'); u.save()",
    )
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "paju_pledges.wsgi:application",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=ROOT,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(150):
                try:
                    if requests.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            else:
                pytest.fail(f"{base} did not start")
        yield env, bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _login(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=10)
    data = _form_fields(page.text) | {"username": STAFF, "password": PASSWORD}
    response = session.post(f"{base}/admin/login/?next=/admin/", data=data, timeout=10)
    assert response.status_code == 200 and "/admin/logout/" in response.text
    return session


def _executed_2026(base: str) -> int | None:
    """From the open data, which is never page-cached (it answers with ETag/304 instead)."""
    response = requests.get(f"{base}/api/pledges/{PLEDGE}/", timeout=10)
    assert response.status_code == 200
    return response.json()["finance"]["executed_by_year"].get("2026")


def _page(base: str) -> requests.Response:
    response = requests.get(f"{base}/pledges/{PLEDGE}/", timeout=10)
    assert response.status_code == 200
    return response


def test_a_publication_is_served_by_both_servers_at_once(servers):
    env, (a, b) = servers
    # Both servers share one cache: B stores the page, A serves B's copy.
    before = _executed_2026(b)
    assert _executed_2026(a) == before
    page_before = _page(b)
    assert _page(b).headers["X-Page-Cache"] == "hit"
    assert _page(a).headers["X-Page-Cache"] == "hit"

    new = (before or 0) + 4321
    staff = _login(a)
    project_id = _manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from pledges.models import Project; print(Project.objects.get("
        f"pledge__code='{PLEDGE}', pledge__term__is_current=True).pk)",
    ).split()[-1]
    url = f"{a}/admin/budgets/budgetfigure/grid/{project_id}/"
    data = _form_fields(staff.get(url, timeout=10).text)
    data["cell__executed__total__2026"] = str(new)
    data["change_reason"] = "multi-server test"
    saved = staff.post(url, data=data, timeout=30, allow_redirects=False)
    assert saved.status_code == 302, saved.text[:2000]
    # A staff save is a draft: both servers keep serving the published page.
    assert _page(b).headers["X-Page-Cache"] == "hit"
    assert _executed_2026(a) == before
    _manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from pledges.models import Pledge; from publications.services import "
        "publication_publish; publication_publish(pledges=Pledge.objects.filter("
        f"code='{PLEDGE}', term__is_current=True), by=None, note='multi-server test')",
    )

    # Published: B's very next request renders fresh figures (the old cached copy is not used).
    page_after = _page(b)
    assert page_after.headers["X-Page-Cache"] == "miss"
    assert page_after.text != page_before.text
    assert f"{new:,}" in page_after.text
    assert _page(a).headers["X-Page-Cache"] == "hit"  # B's fresh copy, shared
    assert _executed_2026(b) == new and _executed_2026(a) == new


def test_a_workbook_asked_for_on_one_server_is_written_by_the_worker_and_fetched_on_the_other(
    servers,
):
    env, (a, b) = servers
    staff_a, staff_b = _login(a), _login(b)
    form = _form_fields(staff_a.get(f"{a}/admin/audit-report/", timeout=10).text)
    asked = staff_a.post(
        f"{a}/admin/audit-report/",
        data={"csrfmiddlewaretoken": form["csrfmiddlewaretoken"], "department": "공공건축과"},
        timeout=10,
        allow_redirects=False,
    )
    assert asked.status_code == 302
    job_url = asked.headers["Location"]
    queued = staff_b.get(f"{b}{job_url}", timeout=10)
    assert queued.status_code == 200 and 'http-equiv="refresh"' in queued.text

    _manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay")

    done = staff_b.get(f"{b}{job_url}", timeout=10)
    assert 'id="job-percent">100%' in done.text
    download = staff_b.get(f"{b}{job_url}download/", timeout=30)
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert "공공건축과" in requests.utils.unquote(download.headers["Content-Disposition"])
    anonymous = requests.get(f"{b}{job_url}download/", timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.headers["Location"]
