"""Hostile and careless imports: forged confirms, skipped dry runs, \\r-only rows, rules
that only the service knows, formula-escaped text, and a preview a person can check."""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from budgets import uploads
from budgets.models import BudgetFigure
from budgets.resources import BudgetFigureResource, ImportRefused, SafeCSV, SafeXLSX, csv_row_count
from budgets.services import FiguresImportRefused, figures_import
from pledges.models import Project
from tests.budgets.test_import_export import (
    CSV,
    GOOD_ROWS,
    HEADER,
    IMPORT_URL,
    PROCESS_URL,
    XLSX,
    confirm,
    dry_run,
    executed,
    xlsx_file,
)
from tests.factories import auditor, department_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


@pytest.fixture
def building(client):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    return client


def token_of(response) -> str:
    return response.context["confirm_form"].initial["import_token"]


def stored(upload_dir) -> list[str]:
    return sorted(p.name for p in Path(upload_dir).glob("*")) if Path(upload_dir).exists() else []


def text_of(response) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# The confirm step accepts only its own dry run's token --------------------------------


def test_a_file_name_from_the_post_is_never_read_nor_deleted(building):
    victim = tempfile.NamedTemporaryFile(
        "w", suffix=".csv", delete=False, dir=tempfile.gettempdir(), encoding="utf-8"
    )
    victim.write(",".join(HEADER) + "\n12-7,본사업,집행금액,계,2025,1,\n")
    victim.close()
    try:
        for name in (os.path.basename(victim.name), "../../etc/passwd", victim.name):
            response = building.post(
                PROCESS_URL,
                {"import_file_name": name, "original_file_name": "x.csv", "format": CSV},
            )
            assert response.status_code == 400
            assert "확인할 수 없는 가져오기" in response.content.decode()
        assert Path(victim.name).exists()
        assert Path("/etc/passwd").exists()
        assert executed("2025") == 9459
    finally:
        os.unlink(victim.name)


def test_a_token_that_no_dry_run_issued_is_refused_and_its_file_left_alone(building, upload_dir):
    upload_dir.mkdir(parents=True)
    planted = upload_dir / f"{'ab' * 16}.upload"
    planted.write_bytes((",".join(HEADER) + "\n12-7,본사업,집행금액,계,2025,1,\n").encode())
    for token in ("ab" * 16, "../../etc/passwd", "", "x" * 64):
        response = building.post(PROCESS_URL, {"import_token": token})
        assert response.status_code == 400
    assert planted.exists()
    assert executed("2025") == 9459


def test_another_users_token_is_refused_and_the_owner_can_still_confirm(building, upload_dir):
    token = token_of(dry_run(building, xlsx_file(GOOD_ROWS)))
    assert stored(upload_dir) == [f"{token}.upload"]
    other = Client()
    other.force_login(department_staff("building2", departments=("공공건축과",)))
    assert other.post(PROCESS_URL, {"import_token": token}).status_code == 400
    assert stored(upload_dir) == [f"{token}.upload"]
    assert executed("2025") == 9459
    assert building.post(PROCESS_URL, {"import_token": token}).status_code == 302
    assert executed("2025") == 9500


def test_the_same_user_in_another_session_cannot_use_the_token(building, upload_dir):
    from django.contrib.auth import get_user_model

    token = token_of(dry_run(building, xlsx_file(GOOD_ROWS)))
    second = Client()
    second.force_login(get_user_model().objects.get(username="building"))
    assert second.post(PROCESS_URL, {"import_token": token}).status_code == 400
    assert stored(upload_dir) == [f"{token}.upload"]
    assert executed("2025") == 9459


def test_a_token_is_used_once_and_its_file_removed_after_confirm(building, upload_dir):
    response = dry_run(building, xlsx_file(GOOD_ROWS))
    assert confirm(building, response).status_code == 302
    assert stored(upload_dir) == []
    assert confirm(building, response).status_code == 400


def test_a_file_that_fails_its_dry_run_is_not_kept(building, upload_dir):
    bad = [["12-7", "본사업", "집행금액", "계", "2023", -5, ""]]
    response = dry_run(building, xlsx_file(bad))
    assert "confirm_form" not in response.context
    assert stored(upload_dir) == []


def test_an_expired_token_is_refused_and_its_file_deleted(building, upload_dir, settings):
    token = token_of(dry_run(building, xlsx_file(GOOD_ROWS)))
    settings.IMPORT_UPLOAD_MAX_AGE = -1
    assert building.post(PROCESS_URL, {"import_token": token}).status_code == 400
    assert stored(upload_dir) == []
    assert executed("2025") == 9459


def test_stored_uploads_older_than_the_maximum_age_are_purged(building, upload_dir):
    token = token_of(dry_run(building, xlsx_file(GOOD_ROWS)))
    path = upload_dir / f"{token}.upload"
    old = time.time() - 2 * 3600
    os.utime(path, (old, old))
    fresh = token_of(dry_run(building, xlsx_file(GOOD_ROWS[:1])))  # opening it purges
    assert stored(upload_dir) == [f"{fresh}.upload"]
    assert uploads.uploads_purge(max_age=-1) == 1
    assert stored(upload_dir) == []


def test_a_figure_changed_after_the_preview_refuses_the_confirm(building):
    response = dry_run(building, xlsx_file(GOOD_ROWS))
    figure = BudgetFigure.objects.get(project__pledge__code="12-7", kind="executed", period="2024")
    project = figure.project
    project.save(update_fields=["updated_at"])  # someone saved the grid meanwhile
    refused = confirm(building, response)
    assert refused.status_code == 200
    assert "미리 보기 뒤에 다른 사용자가" in refused.content.decode()
    assert executed("2025") == 9459 and executed("2026") is None


def test_auditors_get_403_on_every_import_step(client):
    client.force_login(auditor())
    assert client.get(IMPORT_URL).status_code == 403
    upload = xlsx_file(GOOD_ROWS)
    assert client.post(IMPORT_URL, {"import_file": upload, "format": XLSX}).status_code == 403
    assert client.post(PROCESS_URL, {"import_token": "ab" * 16}).status_code == 403
    assert client.get(PROCESS_URL).status_code == 403
    assert executed("2025") == 9459


# The row cap counts real rows -----------------------------------------------------------


def test_csv_rows_are_counted_with_any_line_ending():
    assert csv_row_count(b"h\r1\r2\r") == 2
    assert csv_row_count(b"h\n1\n2") == 2
    assert csv_row_count(b"h\r\n1\r\n2\r\n") == 2
    assert csv_row_count(b"h\r1\n2\r\n3") == 3
    assert csv_row_count("h\r1\r") == 1
    assert csv_row_count(b"") == 0


def test_a_csv_of_carriage_return_rows_above_the_cap_is_refused_before_parsing(
    building, settings, monkeypatch
):
    settings.IMPORT_MAX_ROWS = 10
    parsed = []
    monkeypatch.setattr("budgets.resources.tablib.import_set", lambda *a, **k: parsed.append(1))
    lines = [",".join(HEADER)] + ["12-7,본사업,집행금액,계,2025,1,"] * 11
    data = "\r".join(lines).encode("utf-8")
    with pytest.raises(ImportRefused, match="행이 너무 많습니다"):
        SafeCSV().create_dataset(data)
    response = dry_run(building, SimpleUploadedFile("cr.csv", data), file_format=CSV)
    assert "행이 너무 많습니다(11행, 최대 10행)" in str(response.context["form"].errors)
    assert parsed == []


def test_a_csv_of_carriage_return_rows_under_the_cap_is_read_row_by_row(building):
    lines = [",".join(HEADER)] + [",".join(str(c) for c in row) for row in GOOD_ROWS]
    data = "\r".join(lines).encode("utf-8")
    result = dry_run(building, SimpleUploadedFile("cr.csv", data), file_format=CSV).context[
        "result"
    ]
    assert not result.has_validation_errors()
    assert result.totals["new"] == 1 and result.totals["update"] == 1 and result.totals["skip"] == 1


def test_xlsx_rows_are_counted_while_reading_not_from_the_sheets_own_claim(settings):
    settings.IMPORT_MAX_ROWS = 3
    data = xlsx_file(GOOD_ROWS * 2).read()
    with pytest.raises(ImportRefused, match="행이 너무 많습니다"):
        SafeXLSX().create_dataset(data)
    assert len(SafeXLSX().create_dataset(xlsx_file(GOOD_ROWS).read())) == 3


# The service's rules apply to imports --------------------------------------------------


def test_secured_above_the_current_total_is_refused_with_row_and_column(client):
    owner = Project.objects.get(pledge__code="12-9", name="본사업").pledge.department.name
    client.force_login(department_staff("owner129", departments=(owner,)))
    rows = [
        ["12-9", "본사업", "집행금액", "계", "2024", 600, ""],
        ["12-9", "본사업", "확보금액", "계", "계", 128680, ""],
    ]
    response = dry_run(client, xlsx_file(rows))
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    errors = response.context["import_errors"]
    assert errors == [
        {
            "row": 3,
            "column": "금액(백만원)",
            "message": "확보금액(128,680)이 총사업비 현재계획(28,681)보다 큽니다.",
        }
    ]
    page = text_of(response)
    assert "3 금액(백만원) 확보금액(128,680)이 총사업비 현재계획(28,681)보다 큽니다." in page
    secured = BudgetFigure.objects.get(
        project__pledge__code="12-9", kind="secured", source="total", period="total"
    )
    assert secured.amount == 28681


def test_the_import_service_refuses_and_rolls_back_every_sub_project():
    good = Project.objects.get(pledge__code="12-7", name="본사업")
    bad = Project.objects.get(pledge__code="12-9", name="본사업")
    with pytest.raises(FiguresImportRefused) as refused:
        figures_import(
            amounts={
                good.pk: {("executed", "total", "2025"): 9500},
                bad.pk: {("secured", "total", "total"): 128680},
            },
            notes={},
            reason="test",
        )
    assert set(refused.value.errors) == {bad.pk}
    assert executed("2025") == 9459


def test_row_errors_name_row_and_column_in_the_pages_language(building):
    rows = [*GOOD_ROWS, ["12-7", "본사업", "집행금액", "국비", "2025", 5, ""]]
    response = dry_run(building, xlsx_file(rows))
    assert response.context["import_errors"] == [
        {
            "row": 5,
            "column": "재원",
            "message": "이 표는 재원별로 나누지 않습니다.",
        }
    ]
    assert "<th>행</th>" in response.content.decode() and "<th>열</th>" in response.content.decode()


# Formula escape round trip ------------------------------------------------------------


@pytest.mark.parametrize("name", ["=SUM(A1:A9) 사업", "+82 사업", "-1 사업", "'인용 사업", "@x"])
def test_export_then_import_round_trips_a_formula_like_sub_project_name(building, name):
    Project.objects.filter(pledge__code="12-7", name="본사업").update(name=name)
    figures = BudgetFigure.objects.filter(project__pledge__code="12-7", project__name=name)
    for file_format, fmt, suffix in ((SafeXLSX(), XLSX, "xlsx"), (SafeCSV(), CSV, "csv")):
        dataset = BudgetFigureResource().export(figures)
        assert dataset[0][2] == "'" + name
        data = file_format.export_data(dataset)
        response = dry_run(building, SimpleUploadedFile(f"export.{suffix}", data), fmt)
        result = response.context["result"]
        assert not result.has_validation_errors(), response.context["import_errors"]
        assert result.totals["skip"] == figures.count()
    changed = BudgetFigureResource().export(figures)
    row = next(i for i, r in enumerate(changed) if r[3] == "집행금액" and r[5] == "2025")
    values = list(changed[row])
    values[6] = 9500
    changed[row] = values
    response = dry_run(building, SimpleUploadedFile("e.xlsx", SafeXLSX().export_data(changed)))
    assert confirm(building, response).status_code == 302
    assert executed("2025", project=name) == 9500


def test_an_escaped_note_is_unescaped_on_import(building):
    rows = [["12-7", "본사업", "집행금액", "계", "2024", 4240, "'=1+1 메모"]]
    response = dry_run(building, xlsx_file(rows))
    assert confirm(building, response).status_code == 302
    figure = BudgetFigure.objects.get(project__pledge__code="12-7", kind="executed", period="2024")
    assert figure.note == "=1+1 메모"


# The preview -----------------------------------------------------------------------------


def test_the_preview_shows_the_key_columns_and_old_to_new_with_changed_rows_first(building):
    rows = [
        ["12-7", "본사업", "집행금액", "계", "2024", 4240, ""],  # unchanged
        ["12-7", "본사업", "집행금액", "계", "2025", 9500, ""],  # 9459 → 9500
        ["12-7", "본사업", "집행금액", "계", "2026", 1200, ""],  # new
    ]
    response = dry_run(building, xlsx_file(rows))
    html = response.content.decode()
    page = text_of(response)
    for column in ("임기", "공약", "세부사업", "표", "재원", "기간", "금액(백만원)"):
        assert f"<th>{column}</th>" in html
    assert "3 바뀜 8 12-7 본사업 집행금액 계 2025 9459 → 9500" in page
    assert "4 새 값 8 12-7 본사업 집행금액 계 2026 1200" in page
    assert "바뀌는 행 1개, 새 행 1개, 그대로인 행 1개" in page
    changed_at = html.index('id="import-changed"')
    unchanged_at = html.index('id="import-unchanged"')
    assert changed_at < unchanged_at
    assert html.index("9459</del> → <ins>9500") < unchanged_at
    assert html.index("<td>4240</td>") > unchanged_at
    assert "~~" not in html
