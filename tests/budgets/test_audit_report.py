"""The auditor's workbook, read back with openpyxl and checked against the seed."""

from datetime import timedelta

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import BudgetFigure
from budgets.report import audit_report_write
from budgets.services import project_figures_update
from departments.models import Department
from pledges.models import Pledge, Project
from tests.factories import make_pledges

pytestmark = pytest.mark.django_db

SHEETS = ["안내", "요약", "연도별", "부서×연도", "재원별", "추진현황", "변경이력", "점검"]


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
    assert row["임기내 집행"] == 3061 and row["집행률(%)"] == 78.1
    # 점검: 2 milestones out of date order, executed above its in-term plan and above its
    # investment plan (2023), plan above total cost, the card and the press disagreeing twice
    assert row["이행단계"] == "완료" and row["점검 건수"] == 7
    (row,) = _by(rows, 관리번호="12-2")
    assert row["임기내 집행"] is None  # non-budget: not published, not 0


def test_totals_are_sum_formulas_and_numbers_are_formatted(tmp_path):
    sheet = _write(tmp_path)["요약"]
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "합계"
    assert sheet.cell(last, 9).value == f"=SUM(I2:I{last - 1})"
    assert sheet.cell(2, 9).number_format == "#,##0"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Q{last - 1}"


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
    assert (old["임기내 집행"], old["이행단계"]) == (3061, "완료")
    assert (new["임기내 집행"], new["이행단계"]) == (3500, "추진")
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


def _pivot(book):
    header, *rows = list(book["부서×연도"].iter_rows(values_only=True))
    return header, {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


def test_department_by_period_pivot_holds_the_seeds_plan_and_execution(tmp_path):
    path = tmp_path / "audit.xlsx"
    audit_report_write(output=str(path))
    header, table = _pivot(openpyxl.load_workbook(path, data_only=True))
    assert header == (
        "부서",
        *("~2022 계획", "~2022 집행", "2022 계획", "2022 집행", "2023 계획", "2023 집행"),
        *("2024 계획", "2024 집행", "2025 계획", "2025 집행", "2026 계획", "임기후 계획"),
    )
    assert list(table) == ["공공건축과", "민원여권과", "행정지원과", "합계"]  # 12-2 has no budget
    building = table["공공건축과"]
    # ~2022: 12-8 조리읍 14,524 + 광탄면 3,888 + 12-9 18,430 planned; 4,467 + 2,965 executed
    assert (building["~2022 계획"], building["~2022 집행"]) == (36842, 7432)
    # 2022: 12-7 planned 187; executed 12-7 187 + 12-9 4,325 (12-9 plans "~2022", spends "2022")
    assert (building["2022 계획"], building["2022 집행"]) == (187, 4512)
    # 2023: 12-7 689 + 12-9 9,651 both planned and executed
    assert (building["2023 계획"], building["2023 집행"]) == (10340, 10340)
    assert (building["임기후 계획"], building["2026 계획"]) == (3425, None)
    civil = table["민원여권과"]  # 12-1's card: plan 22/1,330/748/905/915 + 925 after term
    assert [civil[f"{y} 계획"] for y in ("2022", "2023", "2024", "2025", "2026")] == [
        22,
        1330,
        748,
        905,
        915,
    ]
    assert [civil[f"{y} 집행"] for y in ("2022", "2023", "2024", "2025")] == [21, 1434, 706, 900]
    assert civil["임기후 계획"] == 925 and civil["~2022 계획"] is None
    assert table["합계"]["2023 집행"] == 11834  # 10,340 + 1,434 + 60


def test_pivot_cells_are_the_yearly_sheets_rows_summed_by_department(tmp_path):
    path = tmp_path / "audit.xlsx"
    audit_report_write(output=str(path))
    book = openpyxl.load_workbook(path, data_only=True)
    departments = {r["관리번호"]: r["부서"] for r in _rows(book["요약"])}
    expected = {}
    for r in _rows(book["연도별"]):
        for measure, amount in (("계획", r["임기내 계획"]), ("집행", r["집행"])):
            if amount is not None:
                key = (departments[r["관리번호"]], f"{r['기간']} {measure}")
                expected[key] = expected.get(key, 0) + amount
    _header, table = _pivot(book)
    found = {
        (department, column): amount
        for department, cells in table.items()
        if department != "합계"
        for column, amount in cells.items()
        if amount is not None
    }
    assert found == expected and len(found) == 25


def test_pivot_leaves_unpublished_cells_blank_not_zero():
    from budgets.report import YearRow, plan_vs_execution

    rows = [
        YearRow("T-1", "본사업", "가과", "2023", None, 10, None),
        YearRow("T-1", "본사업", "가과", "2024", None, None, 7),
        YearRow("T-2", "본사업", "가과", "2023", None, 5, None),
        YearRow("T-3", "본사업", "나과", "2024", None, None, None),
    ]
    keys, table = plan_vs_execution(rows)
    assert keys == [("계획", "2023"), ("집행", "2024")]
    # 나과 has neither plan nor execution (only, say, an investment-plan cell): no row
    assert table == [("가과", {("계획", "2023"): 15, ("집행", "2024"): 7})]


def test_change_history_reads_its_window_and_the_value_from_before_it(tmp_path):
    _age_history(400)  # the seed's records now lie before the 12-month window
    project = Project.objects.get(pledge__code="12-1")
    project_figures_update(
        project=project, cells={("executed", "total", "total"): 3500}, reason="감사 테스트"
    )
    changes = _rows(_write(tmp_path)["변경이력"])
    assert [(c["기록"], c["변경"], c["이전 값"], c["새 값"], c["사유"]) for c in changes] == [
        ("12-1 본사업 집행금액 계 계", "변경", 3061, 3500, "감사 테스트")
    ]
    wider = _write(tmp_path, changes_since=timezone.localdate() - timedelta(days=401))
    assert len(_rows(wider["변경이력"])) == 220 + 1  # the seed's creations come into the period


def _old_figure_saves(count: int, *, days_ago: int) -> None:
    """``count`` re-saves (amount unchanged) of 12-9's figures, ``days_ago`` days old."""
    figures = list(BudgetFigure.objects.filter(project__pledge__code="12-9").order_by("pk"))
    moment = timezone.now() - timedelta(days=days_ago)
    BudgetFigure.history.bulk_create(
        BudgetFigure.history.model(
            id=figure.pk,
            project_id=figure.project_id,
            kind=figure.kind,
            source=figure.source,
            period=figure.period,
            amount=figure.amount,
            note=figure.note,
            history_date=moment + timedelta(seconds=n),
            history_type="~",
            history_change_reason="old re-save",
        )
        for n in range(count)
        for figure in [figures[n % len(figures)]]
    )


def test_change_history_queries_do_not_grow_with_history(tmp_path, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as seed_only:
        _write(tmp_path)
    _old_figure_saves(3000, days_ago=500)  # outside the window
    _old_figure_saves(40, days_ago=10)  # inside it, nothing changed: no field rows
    with django_assert_max_num_queries(len(seed_only)):
        book = _write(tmp_path)
    changes = _rows(book["변경이력"])
    assert len(changes) == 220  # the seed's 220 creations; unchanged re-saves add no rows
    assert len(seed_only) <= 30


def test_department_report_lists_only_its_pledges_changes(tmp_path):
    department = Department.objects.get(name="공공건축과")
    changes = _rows(_write(tmp_path, department=department)["변경이력"])
    assert {c["기록"].split()[0] for c in changes} == {"12-7", "12-8", "12-9"}
    everything = _rows(_write(tmp_path)["변경이력"])
    assert len(changes) == sum(c["기록"].split()[0] in {"12-7", "12-8", "12-9"} for c in everything)


def test_summary_marks_inferred_stages_and_states_both_rates(tmp_path):
    book = _write(tmp_path)
    rows = _rows(book["요약"])
    (nine,) = _by(rows, 관리번호="12-9")
    assert nine["단계 추정"].startswith("추정: 달성목표 '공사 준공'(2024) 달성")
    assert (nine["기투자"], nine["임기내 집행"], nine["누적 집행"]) == (14105, 14576, 28681)
    assert (nine["집행률(%)"], nine["임기내 집행률(%)"]) == (100.0, 100.0)
    (eight,) = _by(rows, 관리번호="12-8")
    assert eight["집행률(%)"] == 106.7  # carried, never capped
    assert all(row["단계 추정"] for row in rows)
    cover = {row[0]: row[1] for row in book["안내"].iter_rows(min_row=2, values_only=True)}
    assert cover["정의: 집행률"].startswith(
        "집행률 = 누적 집행(기투자 + 임기내 집행) ÷ 현재 총사업비"
    )
    assert cover["정의: 임기내 집행률"].startswith("임기내 집행률 = 임기내 집행 ÷ 임기내 계획")


def test_milestone_dates_stay_as_precise_as_printed_and_planned_ones_say_so(tmp_path):
    rows = _rows(_write(tmp_path)["추진현황"])
    one = _by(rows, 관리번호="12-1")
    first = one[0]
    assert (first["날짜(인쇄)"], first["시작"], first["종료"]) == (
        "2022. 7 ~ 9.",
        "2022-07",
        "2022-09",
    )
    (opened,) = [m for m in one if m["날짜(인쇄)"] == "2024. 1. ~"]
    assert (opened["시작"], opened["종료"], opened["상태"]) == ("2024-01", "(끝 없음)", "진행 중")
    (day,) = [m for m in one if m["날짜(인쇄)"] == "2023. 5. 25."]
    assert day["시작"] == "2023-05-25"
    (planned,) = [m for m in _by(rows, 관리번호="12-7") if m["날짜(인쇄)"] == "2026. 3."]
    assert (planned["상태"], planned["내용"]) == ("예정", "공사 준공 및 개청")
