"""Figures in and out of Excel: dry run first, atomic, human keys, hostile files refused."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import BudgetFigure
from budgets.resources import COLUMNS, BudgetFigureResource, SafeCSV, SafeXLSX
from tests.factories import auditor, department_staff

pytestmark = pytest.mark.django_db

HEADER = [COLUMNS[k] for k in ("pledge", "project", "table", "source", "period", "amount", "note")]
EXPORT_HEADER = [COLUMNS["term"], *HEADER]
IMPORT_URL = reverse("admin:budgets_budgetfigure_import")
PROCESS_URL = reverse("admin:budgets_budgetfigure_process_import")
XLSX, CSV = "0", "1"


def xlsx_file(rows, name="figures.xlsx", header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig", name="figures.csv"):
    lines = [",".join(HEADER)] + [",".join(str(c) for c in row) for row in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(encoding))


def dry_run(client, upload, file_format=XLSX):
    return client.post(IMPORT_URL, {"import_file": upload, "format": file_format})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: field.value() for name, field in ((f.name, f) for f in form)}
    return client.post(PROCESS_URL, data)


@pytest.fixture
def building(client):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    return client


def executed(period, project="본사업", code="12-7"):
    figure = BudgetFigure.objects.filter(
        project__pledge__code=code, project__name=project, kind="executed", period=period
    ).first()
    return figure.amount if figure else None


GOOD_ROWS = [
    ["12-7", "본사업", "집행금액", "계", "2026", 1200, ""],
    ["12-7", "본사업", "집행금액", "계", "2025", 9500, ""],
    ["12-7", "본사업", "집행금액", "계", "2024", 4240, ""],
]


def test_dry_run_previews_new_changed_and_unchanged_rows_and_writes_nothing(building):
    response = dry_run(building, xlsx_file(GOOD_ROWS))
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1 and result.totals["update"] == 1 and result.totals["skip"] == 1
    assert "confirm_form" in response.context
    assert executed("2026") is None and executed("2025") == 9459


def test_confirm_applies_the_import_and_records_history(building):
    response = confirm(building, dry_run(building, xlsx_file(GOOD_ROWS)))
    assert response.status_code == 302
    assert executed("2026") == 1200 and executed("2025") == 9500
    record = BudgetFigure.objects.get(
        project__pledge__code="12-7", kind="executed", period="2025"
    ).history.latest()
    assert record.history_user.username == "building"
    assert record.history_change_reason.startswith("엑셀 가져오기 / import: figures.xlsx")
    assert record.prev_record.amount == 9459


def test_one_bad_row_means_nothing_is_written_and_each_error_names_row_and_column(building):
    rows = [
        *GOOD_ROWS,
        ["12-7", "본사업", "집행금액", "계", "2023", -5, ""],
        ["12-99", "본사업", "집행금액", "계", "2023", 5, ""],
        ["12-7", "본사업", "집행금액", "국비", "2030", "12.5", ""],
    ]
    response = dry_run(building, xlsx_file(rows))
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in response.context
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {4, 5, 6}
    assert "0 이상" in str(invalid[4])
    assert "12-99" in str(invalid[5]["pledge"])
    assert "period_name" in invalid[6] and "2022–2026" in str(invalid[6]["period_name"])
    assert "source_name" in invalid[6] and "정수" in str(invalid[6]["amount"])
    assert executed("2026") is None and executed("2025") == 9459


def test_a_bad_file_gets_no_confirm_token_and_a_token_less_confirm_writes_nothing(building):
    bad_rows = [*GOOD_ROWS, ["12-7", "본사업", "집행금액", "계", "2023", -5, ""]]
    response = dry_run(building, xlsx_file(bad_rows))
    assert "confirm_form" not in response.context
    assert "import_token" not in response.content.decode()
    assert building.post(PROCESS_URL, {"format": XLSX}).status_code == 400
    assert executed("2026") is None and executed("2025") == 9459


def test_an_import_naming_another_departments_pledge_is_refused(client):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    response = dry_run(client, xlsx_file(GOOD_ROWS))
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "다른 부서" in str(result.invalid_rows[0].error_dict)
    assert executed("2025") == 9459


def test_view_only_users_cannot_import(client):
    client.force_login(auditor())
    assert client.get(IMPORT_URL).status_code == 403
    assert (
        client.post(IMPORT_URL, {"import_file": xlsx_file(GOOD_ROWS), "format": XLSX}).status_code
        == 403
    )
    assert executed("2025") == 9459


def test_export_then_import_round_trips_without_changes(building):
    dataset = BudgetFigureResource().export(
        BudgetFigure.objects.filter(project__pledge__code="12-8")
    )
    exported = SafeXLSX().export_data(dataset)
    assert dataset.headers == EXPORT_HEADER
    response = dry_run(building, SimpleUploadedFile("export.xlsx", exported))
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (
        result.totals["skip"] == BudgetFigure.objects.filter(project__pledge__code="12-8").count()
    )
    assert result.totals["new"] == result.totals["update"] == 0


def test_export_escapes_text_that_would_run_as_a_formula():
    figure = BudgetFigure.objects.filter(project__pledge__code="12-9").first()
    figure.note = '=HYPERLINK("http://evil")'
    figure.save()
    dataset = BudgetFigureResource().export(BudgetFigure.objects.filter(pk=figure.pk))
    assert dataset[0][EXPORT_HEADER.index("비고")] == '\'=HYPERLINK("http://evil")'
    text = SafeCSV().export_data(dataset).decode("utf-8")
    assert text.startswith("\ufeff")


def test_korean_excel_csv_in_cp949_is_accepted(building):
    response = dry_run(building, csv_file(GOOD_ROWS, encoding="cp949"), file_format=CSV)
    result = response.context["result"]
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert result.totals["update"] == 1


def test_a_formula_is_refused_not_executed(building):
    response = dry_run(
        building, xlsx_file([["12-7", "본사업", "집행금액", "계", "2026", "=1+1", ""]])
    )
    assert "수식" in str(response.context["form"].errors)
    assert executed("2026") is None


def test_a_zip_bomb_is_refused(building):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    response = dry_run(building, SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))
    assert "압축을 풀면 너무 큰 파일입니다" in str(response.context["form"].errors)


def test_a_damaged_xlsx_is_refused(building):
    response = dry_run(building, SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really"))
    assert "손상되었습니다" in str(response.context["form"].errors)


def test_a_file_over_the_size_cap_is_refused(building, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = dry_run(building, csv_file(GOOD_ROWS * 50), file_format=CSV)
    assert "파일이 너무 큽니다" in str(response.context["form"].errors)


def test_too_many_rows_are_refused(building, settings):
    settings.IMPORT_MAX_ROWS = 10
    response = dry_run(building, xlsx_file(GOOD_ROWS * 5))
    assert "행이 너무 많습니다" in str(response.context["form"].errors)


def test_the_same_cell_twice_in_one_file_is_refused(building):
    rows = [GOOD_ROWS[0], ["12-7", "본사업", "집행금액", "계", "2026", 1300, ""]]
    result = dry_run(building, xlsx_file(rows)).context["result"]
    assert result.has_validation_errors()
    # rows are numbered as the spreadsheet shows them: the header is row 1
    assert "2행에 이미 있습니다" in str(result.invalid_rows[0].error_dict)
    assert executed("2026") is None


def test_an_explicit_term_column_selects_the_term(building):
    header = [COLUMNS["term"], *HEADER]
    rows = [["8", *GOOD_ROWS[0]], ["99", *GOOD_ROWS[1]]]
    result = dry_run(building, xlsx_file(rows, header=header)).context["result"]
    assert [row.number for row in result.invalid_rows] == [2]


def test_a_50_mb_file_is_refused_without_reading_it(building):
    big = SimpleUploadedFile("big.csv", b"12-7,x\n" * (50 * 1024 * 1024 // 7))
    response = dry_run(building, big, file_format=CSV)
    assert "파일이 너무 큽니다" in str(response.context["form"].errors)


def test_export_of_department_staff_holds_only_their_rows(rf):
    from django.contrib import admin

    request = rf.get("/admin/budgets/budgetfigure/export/")
    request.user = department_staff("exporter", departments=("민원여권과",))
    model_admin = admin.site._registry[BudgetFigure]
    rows = model_admin.get_export_queryset(request)
    assert {f.project.pledge.code for f in rows} == {"12-1"}
