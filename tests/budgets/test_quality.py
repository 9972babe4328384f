"""Data-quality rules: each finds what is really in the seed, and each can fail on its own."""

from datetime import UTC, date, datetime

import pytest

from budgets import quality
from budgets.finance import FigureChange, Finance, PledgeMoney
from budgets.quality import PledgeContext, contexts_for, pledge_findings
from pledges.models import Pledge, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seed_findings(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        contexts = contexts_for(list(Pledge.objects.all()), today=date(2026, 1, 31))
        return [f for context in contexts for f in pledge_findings(context)]


def _by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_the_fourteen_named_rules_and_the_five_sum_rules():
    assert [rule.__name__ for rule in quality.RULES] == [
        "investment_sources_sum_to_total",
        "investment_periods_sum_to_total",
        "in_term_plan_years_sum_to_total",
        "secured_sources_sum_to_total",
        "executed_years_sum_to_total",
        "plans_split_the_total_differently",
        "executed_above_yearly_plan",
        "executed_above_secured",
        "plan_with_after_term_exceeds_current_total",
        "complete_with_budget_largely_unexecuted",
        "target_year_passed_without_completion",
        "milestones_out_of_date_order",
        "missing_official_contact",
        "figure_changed_after_its_year_closed",
    ]
    assert quality.SUM_RULES == quality.RULES[:5]  # selected by their mark, not position
    assert all(rule.__doc__ for rule in quality.RULES)


def test_12_7_plans_split_18000_differently(seed_findings):
    found = _by_rule(seed_findings, "plans_split_the_total_differently")
    assert [(f.pledge, f.project) for f in found] == [("12-7", "본사업")]
    assert "2024 투자계획 11,790 ≠ 임기내 4,240" in found[0].explanation


def test_12_1_execution_of_1434_exceeds_the_1330_planned_for_2023(seed_findings):
    found = _by_rule(seed_findings, "executed_above_yearly_plan")
    assert [
        (f.pledge, f.figures["year"], f.figures["plan"], f.figures["executed"]) for f in found
    ] == [("12-1", "2023", 1330, 1434)]


def test_12_1_milestone_dated_2022_between_2023_entries(seed_findings):
    found = _by_rule(seed_findings, "milestones_out_of_date_order")
    assert {f.pledge for f in found} == {"12-1"}
    assert "2022. 6 ~ 12." in [f.figures["date"] for f in found]


def test_12_7_in_term_total_includes_after_term(seed_findings):
    found = _by_rule(seed_findings, "in_term_plan_years_sum_to_total")
    assert [(f.pledge, f.figures["stated"], f.figures["computed"]) for f in found] == [
        ("12-7", 18000, 14575)
    ]


def test_12_1_after_term_plan_lies_outside_the_current_total(seed_findings):
    found = _by_rule(seed_findings, "plan_with_after_term_exceeds_current_total")
    assert [(f.pledge, f.figures["planned with after term"]) for f in found] == [("12-1", 4845)]


def test_12_8_complete_with_most_of_the_money_unexecuted(seed_findings):
    found = _by_rule(seed_findings, "complete_with_budget_largely_unexecuted")
    assert [(f.pledge, f.figures["execution rate %"]) for f in found] == [("12-8", 40.4)]


def test_officials_without_a_name_or_phone_are_flagged(seed_findings):
    found = _by_rule(seed_findings, "missing_official_contact")
    counts = {}
    for f in found:
        counts[f.pledge] = counts.get(f.pledge, 0) + 1
    assert counts == {"12-2": 2, "12-3": 3, "12-9": 1}


def test_rules_with_nothing_to_find_in_the_seed_stay_silent(seed_findings):
    for rule in (
        "executed_above_secured",
        "target_year_passed_without_completion",
        "figure_changed_after_its_year_closed",
        "investment_sources_sum_to_total",
        "secured_sources_sum_to_total",
        "executed_years_sum_to_total",
    ):
        assert _by_rule(seed_findings, rule) == [], rule


def _context(cells=None, **pledge_fields):
    pledge = Pledge(code="T-1", stage=pledge_fields.pop("stage", "complete"), **pledge_fields)
    finance = Finance(cells or {})
    project = Project(name="본사업")
    return PledgeContext(
        pledge=pledge, money=PledgeMoney(total=finance, projects=[(project, finance)])
    )


def test_executed_above_secured_is_flagged():
    context = _context({("executed", "total", "total"): 120, ("secured", "total", "total"): 100})
    assert [f.rule for f in quality.executed_above_secured(context)] == ["executed_above_secured"]
    context = _context({("executed", "total", "total"): 100, ("secured", "total", "total"): 100})
    assert quality.executed_above_secured(context) == []


def test_target_year_passed_without_completion_is_flagged():
    context = _context(stage="in_progress", target_year=2024)
    context.today = date(2025, 1, 2)
    assert len(quality.target_year_passed_without_completion(context)) == 1
    context.today = date(2024, 12, 31)
    assert quality.target_year_passed_without_completion(context) == []


def test_a_figure_changed_after_its_year_closed_is_flagged():
    context = _context()
    cell = ("executed", "total", "2024")
    late = FigureChange(cell, 10, 12, project="본사업", when=datetime(2025, 3, 2, tzinfo=UTC))
    in_time = FigureChange(cell, 10, 11, project="본사업", when=datetime(2025, 2, 20, tzinfo=UTC))
    context.figure_changes = [late, in_time]
    found = quality.figure_changed_after_its_year_closed(context)
    assert [(f.figures["old"], f.figures["new"]) for f in found] == [(10, 12)]


def test_sources_not_adding_up_are_flagged():
    cells = {
        ("investment", "total", "total"): 100,
        ("investment", "city", "total"): 60,
        ("investment", "national", "total"): 30,
    }
    found = quality.investment_sources_sum_to_total(_context(cells))
    assert [(f.figures["stated"], f.figures["computed"]) for f in found] == [(100, 90)]


def test_figure_changes_are_read_from_history():
    from budgets.services import project_figures_update

    project = Project.objects.get(pledge__code="12-3")
    project_figures_update(
        project=project, cells={("executed", "total", "2022"): 31}, reason="정정"
    )
    (context,) = contexts_for([project.pledge])
    assert [(c.period, c.old, c.new) for c in context.figure_changes] == [("2022", 30, 31)]
    # changed in 2026, long after 2022 closed
    found = quality.figure_changed_after_its_year_closed(context)
    assert [f.figures["old"] for f in found] == [30]


def test_findings_are_linked_from_the_pledges_admin_page(client):
    from tests.factories import auditor

    client.force_login(auditor())
    pledge = Pledge.objects.get(code="12-7")
    page = client.get(f"/admin/pledges/pledge/{pledge.pk}/change/").content.decode()
    url = f"/admin/budgets/budgetfigure/findings/{pledge.pk}/"
    assert f'href="{url}"' in page
    html = client.get(url).content.decode()
    assert "plans_split_the_total_differently" in html
    assert "in_term_plan_years_sum_to_total" in html
