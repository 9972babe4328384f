"""Money with stated meaning: 기투자, 임기내 집행, 누적 집행 and the two rates, per card.

Every expected figure is computed here from the card's printed cells (fixtures/), so a
change of rule or of data makes these fail.
"""

from datetime import date
from decimal import Decimal

import pytest

from budgets.finance import Finance, closed_through, executed_cumulative, execution_rate
from pledges.models import Pledge
from tests.conftest import finance_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code, prior, in_term, cumulative, rate, rate_in_term",
    [
        # 12-1 prints no 기투자: cumulative is the in-term 3,061; 2022–2025 plan 22+1,330+748+905
        ("12-1", None, 3061, 3061, "78.1", "101.9"),
        ("12-3", None, 90, 90, "100.0", "100.0"),
        # 12-7: (335 + 14,575) / 18,000; in-term 14,575 / (187+689+4,240+9,459)
        ("12-7", 335, 14575, 14910, "82.8", "100.0"),
        # 12-8 (both sub-projects): (12,208 + 7,432) / 18,412, above 100: the tables disagree;
        # in-term 7,432 / (~2022 plan 18,412 − 기투자 12,208 = 6,204)
        ("12-8", 12208, 7432, 19640, "106.7", "119.8"),
        # 12-9: all spent, 14,105 + 14,576 = 28,681 of 28,681; ~2022 plan 18,430 − 14,105
        ("12-9", 14105, 14576, 28681, "100.0", "100.0"),
    ],
)
def test_each_card_counts_prior_investment_in_its_execution_rate(
    code, prior, in_term, cumulative, rate, rate_in_term
):
    finance = finance_of(code)
    pledge = Pledge.objects.get(code=code)
    assert finance.prior_invested == prior
    assert finance.executed_total == in_term
    assert finance.executed_cumulative == cumulative
    assert finance.execution_rate == Decimal(rate)
    assert finance.execution_rate_in_term(closed_through(pledge.as_of)) == Decimal(rate_in_term)
    # the stored read model on Pledge follows the same function
    assert (pledge.prior_invested, pledge.executed_cumulative) == (prior, cumulative)
    assert (pledge.execution_rate, pledge.execution_rate_in_term) == (
        Decimal(rate),
        Decimal(rate_in_term),
    )


def test_12_8_sub_projects_carry_their_contradiction_uncapped():
    jori = finance_of("12-8", "조리읍 행정복지센터")
    gwangtan = finance_of("12-8", "광탄면 행정복지센터")
    assert (jori.executed_cumulative, str(jori.execution_rate)) == (11178 + 4467, "107.7")
    assert (gwangtan.executed_cumulative, str(gwangtan.execution_rate)) == (1030 + 2965, "102.8")


def test_non_budget_pledge_has_no_rate_rather_than_zero():
    pledge = Pledge.objects.get(code="12-2")
    assert pledge.executed_cumulative is None and pledge.execution_rate is None
    assert Finance().execution_rate is None


def test_closed_years_end_with_the_year_before_the_as_of_date_unless_it_is_31_december():
    assert closed_through(date(2026, 1, 31)) == 2025
    assert closed_through(date(2025, 12, 31)) == 2025
    assert closed_through(date(2025, 12, 30)) == 2024
    assert closed_through(None) is None


def test_in_term_rate_only_counts_closed_years():
    finance = finance_of("12-1")
    # through 2023: plan 22 + 1,330, executed 21 + 1,434
    assert finance.in_term_closed(2023) == (1352, 1455)
    assert finance.execution_rate_in_term(2023) == execution_rate(1455, 1352)


def test_cumulative_without_printed_prior_is_the_in_term_figure():
    assert executed_cumulative(None, 3061) == 3061
    assert executed_cumulative(335, 14575) == 14910
    assert executed_cumulative(335, None) is None
