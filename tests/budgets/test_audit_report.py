"""The auditor's workbook, read back with openpyxl and checked against the seed."""

import shutil
import subprocess
from datetime import timedelta

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from budgets.report import audit_report_write
from budgets.services import project_figures_update
from departments.models import Department
from pledges.models import Pledge, Project
from tests.factories import make_pledges

pytestmark = pytest.mark.django_db

SHEETS = ["안내", "요약", "연도별", "재원별", "추진현황", "변경이력", "점검"]


def _write(tmp_path, **options):
    path = tmp_path / "audit.xlsx"
    audit_report_write(output=str(path), generated_by="pytest", **options)
    return openpyxl.load_workbook(path)


def _rows(sheet):
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows if row[0] != "합계"]


def _by(rows, **match):
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def test_command_writes_every_sheet_and_a_cover_that_states_the_basis(tmp_path):
    path = tmp_path / "report.xlsx"
    call_command("export_audit_report", output=str(path), verbosity=0)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS
    cover = {row[0]: row[1] for row in book["안내"].iter_rows(min_row=2, values_only=True)}
    assert cover["단위"].startswith("금액은 백만원")
    assert "공약 이행 현황 12장" in cover["출처"]
    assert cover["생성자"] == "manage.py export_audit_report"
    assert cover["공약 수"] == 6


def test_summary_rows_match_the_seed(tmp_path):
    rows = _rows(_write(tmp_path)["요약"])
    (row,) = _by(rows, 관리번호="12-1")
    assert row["총사업비 초기계획"] == 4200 and row["총사업비 현재계획"] == 3920
    assert row["집행"] == 3061 and row["집행률(%)"] == 78.1
    assert row["이행단계"] == "완료" and row["점검 건수"] >= 3
    (row,) = _by(rows, 관리번호="12-2")
    assert row["집행"] is None  # non-budget: not published, not 0


def test_totals_are_sum_formulas_and_numbers_are_formatted(tmp_path):
    sheet = _write(tmp_path)["요약"]
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "합계"
    assert sheet.cell(last, 9).value == f"=SUM(I2:I{last - 1})"
    assert sheet.cell(2, 9).number_format == "#,##0"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{last - 1}"


def test_yearly_sheet_shows_plan_execution_and_variance(tmp_path):
    rows = _rows(_write(tmp_path)["연도별"])
    (row,) = _by(rows, 관리번호="12-1", 기간="2023")
    assert (row["임기내 계획"], row["집행"], row["차이(집행-계획)"]) == (1330, 1434, 104)
    assert row["차이율(%)"] == 7.8
    (row,) = _by(rows, 관리번호="12-7", 기간="2024")
    assert (row["연도별 투자계획"], row["임기내 계획"], row["집행"]) == (11790, 4240, 4240)


def test_source_sheet_has_secured_national_funds_of_12_9(tmp_path):
    rows = _rows(_write(tmp_path)["재원별"])
    (row,) = _by(rows, 관리번호="12-9", 재원="국비")
    assert (row["투자계획(총사업비)"], row["확보"]) == (9420, 9420)


def test_milestones_in_published_order_and_findings_listed(tmp_path):
    book = _write(tmp_path)
    milestones = _by(_rows(book["추진현황"]), 관리번호="12-1")
    assert [m["날짜(인쇄)"] for m in milestones][:3] == ["2022. 7 ~ 9.", None, "2022. 10."]
    rules = {(r["규칙"], r["관리번호"]) for r in _rows(book["점검"])}
    assert ("plans_split_the_total_differently", "12-7") in rules
    assert ("executed_above_yearly_plan", "12-1") in rules
    assert ("milestones_out_of_date_order", "12-1") in rules


def _age_history(days: int) -> None:
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            model.objects.update(history_date=F("history_date") - timedelta(days=days))


def test_as_of_reproduces_figures_and_stages_before_a_change(tmp_path):
    _age_history(10)
    project = Project.objects.get(pledge__code="12-1")
    project_figures_update(
        project=project, cells={("executed", "total", "total"): 3500}, reason="감사 테스트"
    )
    pledge = Pledge.objects.get(code="12-1")
    pledge.stage, pledge._change_reason = "in_progress", "감사 테스트"
    pledge.save()
    before = timezone.localdate() - timedelta(days=1)
    old = _by(_rows(_write(tmp_path, as_of=before)["요약"]), 관리번호="12-1")[0]
    new = _by(_rows(_write(tmp_path)["요약"]), 관리번호="12-1")[0]
    assert (old["집행"], old["이행단계"]) == (3061, "완료")
    assert (new["집행"], new["이행단계"]) == (3500, "추진")
    assert new["단계 변경일"].date() == timezone.localdate()
    changes = _rows(_write(tmp_path)["변경이력"])
    edits = [c for c in _by(changes, 사유="감사 테스트") if "백만원" in (c["필드"] or "")]
    assert [(c["이전 값"], c["새 값"]) for c in edits] == [(3061, 3500)]


def test_as_of_before_anything_existed_is_empty(tmp_path):
    day = timezone.localdate() - timedelta(days=400)
    assert _rows(_write(tmp_path, as_of=day)["요약"]) == []


def test_department_report_has_only_its_pledges(tmp_path):
    department = Department.objects.get(name="공공건축과")
    rows = _rows(_write(tmp_path, department=department)["요약"])
    assert [r["관리번호"] for r in rows] == ["12-7", "12-8", "12-9"]


def test_text_is_escaped_against_formula_injection(tmp_path):
    Pledge.objects.filter(code="12-3").update(title='=HYPERLINK("http://x","y")')
    (row,) = _by(_rows(_write(tmp_path)["요약"]), 관리번호="12-3")
    assert row["공약명"] == '\'=HYPERLINK("http://x","y")'


def test_no_query_per_row(tmp_path, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        _write(tmp_path)
    make_pledges(210)
    with django_assert_max_num_queries(40):
        book = _write(tmp_path)
    assert len(_rows(book["요약"])) == 216


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(tmp_path):
    path = tmp_path / "audit.xlsx"
    audit_report_write(output=str(path))
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "audit.csv").read_text(encoding="utf-8", errors="replace").strip()
