"""A rule that talks about a day means the day in Seoul (TIME_ZONE), not in UTC.

Seoul is UTC+9 all year: 1 March 00:00 in Seoul is 28 February 15:00 UTC.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from budgets import quality
from budgets.finance import Finance, PledgeMoney
from budgets.quality import FigureChange, PledgeContext, contexts_for
from budgets.report import audit_report_write
from budgets.services import project_figures_update
from pledges.models import Pledge, Project

pytestmark = pytest.mark.django_db

SEOUL_MIDNIGHT_1_MARCH_2025 = datetime(2025, 2, 28, 15, 0, tzinfo=UTC)


def _context() -> PledgeContext:
    finance = Finance({})
    return PledgeContext(
        pledge=Pledge(code="T-1", stage="in_progress"),
        money=PledgeMoney(total=finance, projects=[(Project(name="본사업"), finance)]),
    )


def _change(when: datetime) -> FigureChange:
    return FigureChange(("executed", "total", "2024"), 10, 12, project="본사업", when=when)


def test_a_change_on_1_march_before_9_in_seoul_is_after_the_year_closed():
    context = _context()
    context.figure_changes = [_change(SEOUL_MIDNIGHT_1_MARCH_2025 + timedelta(hours=8, minutes=59))]
    (finding,) = quality.figure_changed_after_its_year_closed(context)
    assert finding.figures == {"old": 10, "new": 12, "changed": "2025-03-01"}
    assert "2025-03-01" in finding.explanation


def test_a_change_at_seoul_midnight_opening_1_march_is_after_the_year_closed():
    context = _context()
    context.figure_changes = [_change(SEOUL_MIDNIGHT_1_MARCH_2025)]
    assert [
        f.figures["changed"] for f in quality.figure_changed_after_its_year_closed(context)
    ] == ["2025-03-01"]


def test_a_change_in_the_last_second_of_february_in_seoul_is_in_time():
    context = _context()
    context.figure_changes = [_change(SEOUL_MIDNIGHT_1_MARCH_2025 - timedelta(seconds=1))]
    assert quality.figure_changed_after_its_year_closed(context) == []


def _figure_change_recorded_at(moment: datetime) -> Pledge:
    """12-3's 2022 execution changed 30 → 31, its history record dated ``moment``
    (and the figure's creation dated August 2022, before it)."""
    project = Project.objects.get(pledge__code="12-3")
    project_figures_update(
        project=project, cells={("executed", "total", "2022"): 31}, reason="정정"
    )
    created, changed = project.figures.get(
        kind="executed", source="total", period="2022"
    ).history.order_by("history_date")
    assert (created.history_type, created.amount, changed.history_type, changed.amount) == (
        "+",
        30,
        "~",
        31,
    )
    records = type(changed).objects
    records.filter(pk=created.pk).update(history_date=datetime(2022, 8, 1, tzinfo=UTC))
    records.filter(pk=changed.pk).update(history_date=moment)
    return project.pledge


def test_a_change_recorded_at_seoul_midnight_is_found_from_the_history():
    pledge = _figure_change_recorded_at(datetime(2023, 2, 28, 15, 0, tzinfo=UTC))
    (context,) = contexts_for([pledge])
    found = quality.figure_changed_after_its_year_closed(context)
    assert [(f.figures["old"], f.figures["new"], f.figures["changed"]) for f in found] == [
        (30, 31, "2023-03-01")
    ]


def test_a_change_recorded_a_second_earlier_is_not_flagged():
    pledge = _figure_change_recorded_at(datetime(2023, 2, 28, 14, 59, 59, tzinfo=UTC))
    (context,) = contexts_for([pledge])
    assert quality.figure_changed_after_its_year_closed(context) == []


@pytest.fixture
def new_years_night_in_seoul(monkeypatch):
    """31 December 2025, 15:30 UTC: already 1 January 2026, 00:30, in Seoul."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 12, 31, 15, 30, tzinfo=UTC))


def test_today_of_the_rules_is_the_seoul_date(new_years_night_in_seoul):
    (context,) = contexts_for([Pledge.objects.get(code="12-3")])
    assert context.today == date(2026, 1, 1)
    assert _context().today == date(2026, 1, 1)
    late = _context()
    late.pledge.target_year = 2025  # the target year ended at midnight in Seoul
    assert [f.rule for f in quality.target_year_passed_without_completion(late)] == [
        "target_year_passed_without_completion"
    ]


def test_the_workbook_is_dated_by_the_seoul_date(new_years_night_in_seoul, tmp_path):
    import openpyxl

    path = tmp_path / "audit.xlsx"
    audit_report_write(output=str(path))
    cover = dict(openpyxl.load_workbook(path)["안내"].iter_rows(min_row=2, values_only=True))
    assert cover["변경이력 기간"] == "2025-01-01 ~ 2026-01-01"
    assert cover["생성 일시"] == "2026-01-01 00:30:00 KST"
