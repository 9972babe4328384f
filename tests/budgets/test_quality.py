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
        "recorded_source_notes",
    ]
    assert set(quality.RULE_KINDS) == {rule.__name__ for rule in quality.RULES}
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


def test_12_7_in_term_total_is_a_reading_of_a_damaged_header_2026_first(seed_findings):
    found = _by_rule(seed_findings, "in_term_plan_years_sum_to_total")
    assert [(f.pledge, f.kind, f.figures["readings"], f.figures["amount"]) for f in found] == [
        ("12-7", "reading", ["2026", "after"], 3425)
    ]
    text = found[0].explanation
    assert text.index("2026년 금액으로 읽는 것이 더 그럴듯") < text.index("임기후 금액입니다")
    assert "집행률은 어느 쪽으로 읽어도 같습니다" in text  # which reading the rates use
    assert "사업기간이 2026. 3.에 끝나므로" in text


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
        # 12-1's 2023 (1,434 over 1,330) is noted once, against the in-term plan
        ("12-7", "2022", None, 187),  # executed in a year the investment plan leaves blank
        ("12-7", "2023", 625, 689),
        ("12-7", "2025", 5250, 9459),
    ]


def test_spending_above_plan_is_one_note_of_reference_not_an_inconsistency(seed_findings):
    over = [
        f
        for f in seed_findings
        if f.pledge == "12-1" and f.rule.startswith("executed_above") and "2023" in str(f.figures)
    ]
    assert [(f.rule, f.kind) for f in over] == [("executed_above_yearly_plan", "note")]


def test_12_8_cumulative_execution_above_current_total(seed_findings):
    found = _by_rule(seed_findings, "cumulative_execution_above_current_total")
    assert [
        (f.pledge, f.project, f.figures["cumulative"], f.figures["current total"]) for f in found
    ] == [
        ("12-8", "조리읍 행정복지센터", 15645, 14524),
        ("12-8", "광탄면 행정복지센터", 3995, 3888),
    ]


def test_12_8_approvals_before_the_project_period_are_normal(seed_findings):
    found = _by_rule(seed_findings, "milestones_outside_project_period")
    assert [(f.project, f.figures["date"], f.figures["where"], f.kind) for f in found] == [
        ("광탄면 행정복지센터", "2022. 12.", "after", "note"),  # staff findings only
    ]
    assert "milestones_outside_project_period" not in quality.PUBLIC_RULES


def test_12_7_after_term_amount_is_one_note_the_reading_of_its_header(seed_findings):
    assert _by_rule(seed_findings, "after_term_amount_on_project_ending_in_term") == []


def test_after_term_amount_on_a_project_ending_inside_the_term_is_flagged():
    pledge = Pledge.objects.get(code="12-7")
    project = pledge.projects.get()
    cells = {
        ("in_term_plan", "total", "total"): 100,
        ("in_term_plan", "total", "2025"): 60,
        ("in_term_plan", "total", "2026"): 20,  # the last year printed: no damaged header
        ("in_term_plan", "total", "after"): 20,
    }
    context = PledgeContext(
        pledge=pledge,
        money=PledgeMoney(total=Finance(cells), projects=[(project, Finance(cells))]),
        term_end=pledge.term.end,
    )
    found = quality.pledge_findings(
        context, rules=[quality.after_term_amount_on_project_ending_in_term]
    )
    assert [(f.figures["after term"], f.kind) for f in found] == [(20, "source")]


def test_12_1_card_and_press_article_differ_over_time_a_note_of_reference(seed_findings):
    found = _by_rule(seed_findings, "texts_disagree_on_a_fact")
    assert [(f.pledge, f.figures["card"], f.figures["press"], f.kind) for f in found] == [
        ("12-1", [14], [15], "note"),
        ("12-1", [19], [18], "note"),
    ]
    assert "보도 기사(2023. 12.)는 15명, 카드(2026. 1. 현재)는 14명" in found[0].explanation
    assert "시점이 달라" in found[0].explanation


def test_the_four_missed_source_inconsistencies_are_recorded_with_their_lines(seed_findings):
    found = _by_rule(seed_findings, "recorded_source_notes")
    assert [(f.pledge, f.kind) for f in found] == [
        ("12-1", "source"),
        ("12-3", "source"),
        ("12-3", "source"),
        ("12-7", "source"),
        ("12-8", "source"),
    ]
    texts = {f.pledge: f.explanation for f in found}
    assert "2024. 1. 정식 운영" in texts["12-1"] and "2023. 12. 19." in texts["12-1"]
    assert any("'시민소통관'" in f.explanation for f in found if f.pledge == "12-3")
    assert any("자치협력과" in f.explanation for f in found if f.pledge == "12-3")
    assert "기투자 335" in texts["12-7"] and "187" in texts["12-7"]
    assert "'증축'" in texts["12-8"] and "철거" in texts["12-8"]
    assert all(f.figures["citation"].startswith("000_2e66b890b9e7a431.txt lines") for f in found)


def test_kinds_are_kept_apart_in_the_seed(seed_findings):
    public = [f for f in seed_findings if f.rule in quality.PUBLIC_RULES]
    by_kind = {}
    for finding in public:
        by_kind.setdefault(finding.kind, set()).add(finding.rule)
    assert by_kind["reading"] == {"in_term_plan_years_sum_to_total"}
    assert "executed_above_yearly_plan" in by_kind["note"]
    assert "cumulative_execution_above_current_total" in by_kind["note"]
    assert not {"executed_above_yearly_plan", "texts_disagree_on_a_fact"} & by_kind["source"]


def test_a_staff_entered_value_never_makes_a_source_inconsistency():
    pledge = Pledge.objects.get(code="12-1")
    project = pledge.projects.get()
    cells = {("secured", "total", "total"): 100, ("secured", "city", "total"): 90}
    context = PledgeContext(
        pledge=pledge, money=PledgeMoney(total=Finance(cells), projects=[(project, Finance(cells))])
    )
    rules = [quality.secured_sources_sum_to_total]
    assert [f.kind for f in quality.pledge_findings(context, rules=rules)] == ["source"]
    context.figure_changes = [
        FigureChange(cell=("secured", "city", "total"), old=100, new=90, project=project.name)
    ]
    assert [f.kind for f in quality.pledge_findings(context, rules=rules)] == ["note"]


def test_public_notes_are_short_korean_or_english_and_leave_staff_rules_out(seed_findings):
    notes = quality.public_notes([f for f in seed_findings if f.pledge == "12-7"], language="ko")
    assert set(notes) == {("money", "본사업")}
    texts = [str(note) for note in notes[("money", "본사업")]]
    assert "2025 집행 9,459가 같은 해 연도별 투자계획 5,250보다 많습니다." in texts
    assert all(" / " not in text for text in texts)
    # in order: 원문 불일치, then 판독, then 참고
    kinds = [note.kind for note in notes[("money", "본사업")]]
    assert kinds == sorted(kinds, key=["source", "reading", "note"].index)
    assert {"source", "reading", "note"} == set(kinds)
    english = quality.public_notes([f for f in seed_findings if f.pledge == "12-1"], "en")
    assert (
        "counsellors: the press article (2023. 12.) says 15, the card (as of 2026. 1.) 14: "
        "possibly a change over time." in [str(n) for n in english[("overview", "")]]
    )
    staff_only = {"missing_official_contact", "figure_changed_after_its_year_closed"}
    assert not staff_only & set(quality.PUBLIC_RULES)


def test_unreadable_official_names_are_labelled_as_extraction_damage(seed_findings):
    found = [f for f in _by_rule(seed_findings, "missing_official_contact") if f.pledge == "12-3"]
    assert len(found) == 3
    assert all("원문 추출본에서 판독 불가(추출 손상)" in f.explanation for f in found)
