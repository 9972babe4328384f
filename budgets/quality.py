"""Consistency rules over the published money tables.

Each rule is a named function taking a sub-project's ``Finance`` and returning the
findings it makes. They flag, never fix: published inconsistencies stay as published.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from pledges import periods

from .finance import SOURCE_NAMES, Finance
from .models import FigureKind, FundingSource


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str  # e.g. "investment, 시비 row"
    stated: int
    computed: int
    parts: dict[str, int] = field(default_factory=dict)

    @property
    def difference(self) -> int:
        return self.computed - self.stated


def _sum_rule(where: str, stated: int | None, parts: dict[str, int], rule: str) -> list[Finding]:
    if stated is None or not parts:
        return []
    computed = sum(parts.values())
    if computed == stated:
        return []
    return [Finding(rule=rule, where=where, stated=stated, computed=computed, parts=parts)]


def investment_sources_sum_to_total(finance: Finance) -> list[Finding]:
    """In the investment plan, the source rows of each column add up to the 계 row."""
    findings = []
    columns = {p for (k, _s, p) in finance.cells if k == FigureKind.INVESTMENT}
    for period in sorted(columns, key=periods.sort_key):
        stated = finance.get(FigureKind.INVESTMENT, FundingSource.TOTAL, period)
        parts = finance.column(FigureKind.INVESTMENT, period)
        findings += _sum_rule(
            f"investment, column {period}", stated, parts, "investment_sources_sum_to_total"
        )
    return findings


def investment_periods_sum_to_total(finance: Finance) -> list[Finding]:
    """In the investment plan, 기투자 + the years + 임기후 of each row add up to 총사업비."""
    findings = []
    for source in FundingSource.values:
        stated = finance.get(FigureKind.INVESTMENT, source)
        parts = finance.row(FigureKind.INVESTMENT, source)
        findings += _sum_rule(
            f"investment, row {SOURCE_NAMES[source]}",
            stated,
            parts,
            "investment_periods_sum_to_total",
        )
    return findings


def in_term_plan_years_sum_to_total(finance: Finance) -> list[Finding]:
    """The in-term plan's years (임기후 excluded) add up to its 계획합계."""
    parts = {
        period: amount
        for period, amount in finance.row(FigureKind.IN_TERM_PLAN).items()
        if period != periods.AFTER
    }
    return _sum_rule(
        "in-term plan",
        finance.get(FigureKind.IN_TERM_PLAN),
        parts,
        "in_term_plan_years_sum_to_total",
    )


def secured_sources_sum_to_total(finance: Finance) -> list[Finding]:
    """Secured amounts by source add up to 확보총계."""
    return _sum_rule(
        "secured",
        finance.get(FigureKind.SECURED),
        finance.column(FigureKind.SECURED),
        "secured_sources_sum_to_total",
    )


def executed_years_sum_to_total(finance: Finance) -> list[Finding]:
    """Executed amounts by year add up to 집행총계."""
    return _sum_rule(
        "executed",
        finance.get(FigureKind.EXECUTED),
        finance.row(FigureKind.EXECUTED),
        "executed_years_sum_to_total",
    )


SUM_RULES: list[Callable[[Finance], list[Finding]]] = [
    investment_sources_sum_to_total,
    investment_periods_sum_to_total,
    in_term_plan_years_sum_to_total,
    secured_sources_sum_to_total,
    executed_years_sum_to_total,
]


def sum_findings(finance: Finance) -> list[Finding]:
    return [finding for rule in SUM_RULES for finding in rule(finance)]
