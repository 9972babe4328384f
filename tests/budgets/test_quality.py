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
        "executed_above_investment_plan",
        "cumulative_execution_above_current_total",
        "milestones_outside_project_period",
        "after_term_amount_on_project_ending_in_term",
        "texts_disagree_on_a_fact",
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


def test_complete_pledges_are_not_flagged_once_prior_investment_counts(seed_findings):
    # 12-8 and 12-9 spent most of their money before the term (기투자): counted, they are
    # at 106.7 % and 100 %, not "40.4 %" and "50.8 %".
    assert _by_rule(seed_findings, "complete_with_budget_largely_unexecuted") == []


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


def test_execution_above_the_same_years_investment_plan(seed_findings):
    found = _by_rule(seed_findings, "executed_above_investment_plan")
    assert [
        (f.pledge, f.figures["year"], f.figures["investment plan"], f.figures["executed"])
        for f in found
    ] == [
        ("12-1", "2023", 1330, 1434),
        ("12-7", "2022", None, 187),  # executed in a year the investment plan leaves blank
        ("12-7", "2023", 625, 689),
        ("12-7", "2025", 5250, 9459),
    ]


def test_12_8_cumulative_execution_above_current_total(seed_findings):
    found = _by_rule(seed_findings, "cumulative_execution_above_current_total")
    assert [
        (f.pledge, f.project, f.figures["cumulative"], f.figures["current total"]) for f in found
    ] == [
        ("12-8", "조리읍 행정복지센터", 15645, 14524),
        ("12-8", "광탄면 행정복지센터", 3995, 3888),
    ]


def test_12_8_milestones_outside_their_printed_project_period(seed_findings):
    found = _by_rule(seed_findings, "milestones_outside_project_period")
    assert [(f.project, f.figures["date"], f.figures["where"]) for f in found] == [
        ("조리읍 행정복지센터", "2019. 4.", "before"),  # 사업기간 2019. 5. ~ 2022. 8
        ("광탄면 행정복지센터", "2019. 8.", "before"),  # 사업기간 2021. 1. ~ 2022. 8.
        ("광탄면 행정복지센터", "2019. 12.", "before"),
        ("광탄면 행정복지센터", "2020. 11.", "before"),
        ("광탄면 행정복지센터", "2022. 12.", "after"),
    ]
    assert {f.pledge for f in found} == {"12-8"}


def test_12_7_after_term_amount_on_a_project_ending_inside_the_term(seed_findings):
    found = _by_rule(seed_findings, "after_term_amount_on_project_ending_in_term")
    assert [(f.pledge, f.figures["after term"], f.figures["period end"]) for f in found] == [
        ("12-7", 3425, "2026-03")
    ]


def test_12_1_card_and_press_article_disagree_on_staff_and_closing_time(seed_findings):
    found = _by_rule(seed_findings, "texts_disagree_on_a_fact")
    assert [(f.pledge, f.figures["card"], f.figures["press"]) for f in found] == [
        ("12-1", [14], [15]),
        ("12-1", [19], [18]),
    ]


def test_public_notes_are_short_korean_or_english_and_leave_staff_rules_out(seed_findings):
    notes = quality.public_notes([f for f in seed_findings if f.pledge == "12-7"], language="ko")
    assert set(notes) == {("money", "본사업")}
    assert (
        "2025 집행 9,459가 같은 해 연도별 투자계획 5,250보다 많습니다."
        in notes[("money", "본사업")]
    )
    assert all(" / " not in note for note in notes[("money", "본사업")])
    english = quality.public_notes([f for f in seed_findings if f.pledge == "12-1"], "en")
    assert (
        "counsellors: the card says 14, the press article printed with it 15."
        in english[("overview", "")]
    )
    staff_only = {"missing_official_contact", "figure_changed_after_its_year_closed"}
    assert not staff_only & set(quality.PUBLIC_RULES)


def test_unreadable_official_names_are_labelled_as_extraction_damage(seed_findings):
    found = [f for f in _by_rule(seed_findings, "missing_official_contact") if f.pledge == "12-3"]
    assert len(found) == 3
    assert all("원문 추출본에서 판독 불가(추출 손상)" in f.explanation for f in found)
