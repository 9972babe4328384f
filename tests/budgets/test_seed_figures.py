"""Every figure of the six cards, as published, and how the tables add up."""

import pytest

from budgets.models import BudgetFigure, FigureKind
from budgets.quality import SUM_RULES, contexts_for, pledge_findings
from pledges.models import Pledge
from tests.conftest import finance_of

pytestmark = pytest.mark.django_db

MONEY_PLEDGES = ["12-1", "12-3", "12-7", "12-8", "12-9"]


def test_every_pledge_with_money_adds_up_except_the_published_exception():
    pledges = list(Pledge.objects.filter(code__in=MONEY_PLEDGES))
    findings = {
        (f.pledge, f.project, f.rule, f.figures["stated"], f.figures["computed"])
        for context in contexts_for(pledges)
        for f in pledge_findings(context, rules=SUM_RULES)
    }
    # 12-7's in-term plan total (18,000) includes 임기후 3,425: its years alone make 14,575.
    assert findings == {("12-7", "본사업", "in_term_plan_years_sum_to_total", 18000, 14575)}


def test_12_7_investment_years_sum_to_the_stated_total():
    finance = finance_of("12-7")
    row = finance.row(FigureKind.INVESTMENT)
    assert row == {"prior": 335, "2023": 625, "2024": 11790, "2025": 5250}
    assert 335 + 625 + 11790 + 5250 == finance.get(FigureKind.INVESTMENT) == 18000


def test_12_7_in_term_plan_splits_the_same_total_differently_as_published():
    finance = finance_of("12-7")
    assert finance.row(FigureKind.IN_TERM_PLAN) == {
        "2022": 187,
        "2023": 689,
        "2024": 4240,
        "2025": 9459,
        "after": 3425,
    }
    assert sum(finance.row(FigureKind.IN_TERM_PLAN).values()) == 18000


def test_12_9_sources_sum_to_the_stated_total():
    finance = finance_of("12-9")
    assert finance.column(FigureKind.INVESTMENT) == {
        "national": 9420,
        "provincial": 284,
        "city": 18977,
    }
    assert 9420 + 284 + 18977 == finance.get(FigureKind.INVESTMENT) == 28681
    assert finance.column(FigureKind.SECURED) == {
        "national": 9420,
        "provincial": 284,
        "city": 18977,
    }


def test_12_1_figures_match_the_card():
    finance = finance_of("12-1")
    assert finance.get(FigureKind.COST_INITIAL) == 4200
    assert finance.current_total == 3920
    assert finance.row(FigureKind.EXECUTED) == {"2022": 21, "2023": 1434, "2024": 706, "2025": 900}
    assert finance.executed_total == 3061
    assert finance.row(FigureKind.IN_TERM_PLAN)["after"] == 925


def test_dash_and_blank_cells_are_not_published_not_zero():
    finance = finance_of("12-1")
    assert finance.get(FigureKind.EXECUTED, period="2026") is None  # printed "-"
    assert finance.get(FigureKind.INVESTMENT, period="prior") is None  # printed blank
    assert not BudgetFigure.objects.filter(amount=0).exists()


def test_12_8_rolls_its_two_sub_projects_up_into_pledge_totals():
    joint = finance_of("12-8")
    jori = finance_of("12-8", "조리읍 행정복지센터")
    gwangtan = finance_of("12-8", "광탄면 행정복지센터")
    assert jori.current_total == 14524 and gwangtan.current_total == 3888
    assert joint.current_total == 14524 + 3888
    assert joint.executed_total == 4467 + 2965
    assert joint.get(FigureKind.INVESTMENT, period="prior") == 11178 + 1030
    assert joint.column(FigureKind.INVESTMENT) == {"city": 13924 + 3888, "other": 600}
    # cumulative: (기투자 12,208 + 임기내 7,432) / 18,412, above 100 and not capped
    assert joint.executed_cumulative == 19640
    assert str(joint.execution_rate) == "106.7"


def test_12_2_is_non_budget_and_has_no_money():
    assert not BudgetFigure.objects.filter(project__pledge__code="12-2").exists()
    assert Pledge.objects.get(code="12-2").is_budgeted is False


def test_merged_city_and_private_rows_are_read_as_city_with_a_note():
    figure = BudgetFigure.objects.get(
        project__name="광탄면 행정복지센터",
        kind=FigureKind.INVESTMENT,
        source="city",
        period="total",
    )
    assert figure.amount == 3888
    assert "시민자" in figure.note
