"""A pledge's or sub-project's money, assembled from its published cells.

Pure functions over already-fetched ``BudgetFigure`` rows, so a page or an export
fetches all figures in one query and builds every summary from them. A value that
no cell publishes is ``None`` ("not published"), never 0.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from pledges import periods
from pledges.labels import KoreanNames
from pledges.models import Pledge, Project

from .models import BudgetFigure, FigureKind, FundingSource

Cell = tuple[str, str, str]  # (kind, source, period): one printed cell of a money table
Cells = dict[Cell, int]  # cell -> 백만원

# An amount as people type it: ASCII digits, thousands commas, a decimal point. Python's
# Decimal would also take "1e3" and other scripts' digits ("١٠٠٠"): both refused.
AMOUNT_TEXT = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?", re.ASCII)


def amount_text_check(text: str) -> None:
    """Refuse an amount not written with the digits 0–9 (surrounding spaces allowed)."""
    if not AMOUNT_TEXT.fullmatch(text.strip()):
        raise ValidationError(
            gettext_lazy(
                "Write the amount with the digits 0–9 only (like 1200), "
                "not %(value)s: no exponent, no other script's digits."
            ),
            code="amount_digits",
            params={"value": text},
        )


@dataclass(frozen=True)
class FigureChange:
    """One cell's amount going from ``old`` to ``new`` (None: not published).

    Made by an edit (``project_figures_update``) or read back from the history (for the
    quality rules), where ``project`` names the sub-project and ``when`` is the moment.
    """

    cell: Cell
    old: int | None
    new: int | None
    project: str = ""
    when: datetime | None = None

    @property
    def kind(self) -> str:
        return self.cell[0]

    @property
    def period(self) -> str:
        return self.cell[2]


SOURCES = [s for s in FundingSource.values if s != FundingSource.TOTAL]
# every source row, 계 (total) first: read once (``FundingSource.values`` rebuilds its list
# on every read, and the rules and the workbook read it per sub-project)
ALL_SOURCES = tuple(FundingSource.values)


def sum_cells(figures: Iterable[BudgetFigure]) -> Cells:
    """Add up cells of the same (kind, source, period): the roll-up of several sub-projects."""
    cells: Cells = defaultdict(int)
    for figure in figures:
        cells[(figure.kind, figure.source, figure.period)] += figure.amount
    return dict(cells)


def execution_rate(executed: int | None, current_total: int | None) -> Decimal | None:
    """A part as a percentage of a whole, to one decimal place; never capped at 100.

    Called with the cumulative execution and the current total cost it is the 집행률;
    a figure above 100 is a contradiction of the published tables and is shown as such.
    """
    if executed is None or not current_total:
        return None
    rate = Decimal(executed) * 100 / Decimal(current_total)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def executed_cumulative(prior: int | None, executed_in_term: int | None) -> int | None:
    """누적 집행 = 기투자 + 임기내 집행; without a printed 기투자, the in-term figure alone."""
    if executed_in_term is None:
        return None
    return (prior or 0) + executed_in_term


def closed_through(as_of: date | None) -> int | None:
    """The last year whose accounts had closed (ended) by the as-of date."""
    if as_of is None:
        return None
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


# One-line definitions shown next to each rate: on the page, in the API, in the workbook.
RATE_DEFINITION = gettext_lazy(
    "Execution rate = cumulative execution (prior investment + in-term execution) ÷ "
    "current total cost, one decimal; never capped: a rate over 100 means the published "
    "tables contradict each other."
)
RATE_IN_TERM_DEFINITION = gettext_lazy(
    "In-term execution rate = in-term execution ÷ in-term plan, over the years closed "
    "by the as-of date; a “~2022” plan column includes the prior investment, which is "
    "taken out so it counts as 2022."
)
CUMULATIVE_DEFINITION = gettext_lazy("Cumulative execution = prior investment + in-term execution.")


@dataclass
class Finance:
    """The money tables of one sub-project, or of a whole pledge (sums of its sub-projects)."""

    cells: Cells = field(default_factory=dict)

    @classmethod
    def from_figures(cls, figures: Iterable[BudgetFigure]) -> "Finance":
        return cls(sum_cells(figures))

    def get(self, kind: str, source: str = FundingSource.TOTAL, period: str = periods.TOTAL):
        return self.cells.get((kind, source, period))

    def row(self, kind: str, source: str = FundingSource.TOTAL) -> dict[str, int]:
        """Period columns of one row (total column excluded), in period order."""
        return dict(self._rows.get((kind, source), {}))  # a copy: callers may pop from it

    @cached_property
    def _rows(self) -> dict[tuple[str, str], dict[str, int]]:
        """Every row's period columns, sorted once (exports and rules ask for rows often)."""
        rows: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        ordered = sorted(self.cells.items(), key=lambda item: periods.sort_key(item[0][2]))
        for (kind, source, period), amount in ordered:
            if period != periods.TOTAL:
                rows[(kind, source)][period] = amount
        return rows

    def column(self, kind: str, period: str = periods.TOTAL) -> dict[str, int]:
        """Source rows of one column (total row excluded), in the printed source order."""
        return {
            source: self.cells[(kind, source, period)]
            for source in SOURCES
            if (kind, source, period) in self.cells
        }

    @property
    def has_money(self) -> bool:
        return bool(self.cells)

    @property
    def current_total(self) -> int | None:
        return self.get(FigureKind.COST_CURRENT)

    @property
    def executed_total(self) -> int | None:
        return self.get(FigureKind.EXECUTED)

    @property
    def secured_total(self) -> int | None:
        return self.get(FigureKind.SECURED)

    @property
    def prior_invested(self) -> int | None:
        """기투자 as printed in the investment plan (spent before the term)."""
        return self.get(FigureKind.INVESTMENT, period=periods.PRIOR)

    @property
    def executed_cumulative(self) -> int | None:
        return executed_cumulative(self.prior_invested, self.executed_total)

    @property
    def execution_rate(self) -> Decimal | None:
        """집행률: cumulative execution ÷ current total cost (see ``RATE_DEFINITION``)."""
        return execution_rate(self.executed_cumulative, self.current_total)

    def in_term_closed(self, through: int | None) -> tuple[int | None, int | None]:
        """(in-term plan, in-term execution) over the years up to ``through``.

        A "~2022" plan column is printed as a running total that includes 기투자, so the
        printed 기투자 is taken out and the rest counts as 2022; executed columns, "2022"
        or "~2022", are the in-term figures as printed.
        """
        if through is None:
            return None, None
        plan = executed = None
        for kind in (FigureKind.IN_TERM_PLAN, FigureKind.EXECUTED):
            found = None
            for period, amount in self.row(kind).items():
                kind_of, year = periods.parse(period)
                if kind_of not in ("year", "through") or year > through:
                    continue
                if kind_of == "through" and kind == FigureKind.IN_TERM_PLAN:
                    amount -= self.prior_invested or 0
                found = (found or 0) + amount
            if kind == FigureKind.IN_TERM_PLAN:
                plan = found
            else:
                executed = found
        return plan, executed

    def execution_rate_in_term(self, through: int | None) -> Decimal | None:
        """임기내 집행률 (see ``RATE_IN_TERM_DEFINITION``)."""
        plan, executed = self.in_term_closed(through)
        return execution_rate(executed, plan) if plan and plan > 0 else None

    def investment_periods(self) -> list[str]:
        """The investment table's columns: prior, the years that have a cell, after."""
        seen = {p for (k, _s, p) in self.cells if k == FigureKind.INVESTMENT}
        return sorted(seen - {periods.TOTAL}, key=periods.sort_key)

    def as_dict(self, *, closed_through: int | None = None) -> dict:
        """Open-data shape: amounts in 백만원, unpublished values as None."""
        investment_by_period = self.row(FigureKind.INVESTMENT)
        return {
            "finance": {
                "initial_total": self.get(FigureKind.COST_INITIAL),
                "current_total": self.current_total,
                "in_term_plan": _period_keys(
                    {periods.TOTAL: self.get(FigureKind.IN_TERM_PLAN)}
                    | self.row(FigureKind.IN_TERM_PLAN)
                ),
                "secured_total": self.secured_total,
                "secured_by_source": _source_keys(self.column(FigureKind.SECURED)),
                "executed_total": self.executed_total,
                "executed_by_year": _period_keys(self.row(FigureKind.EXECUTED)),
                "prior_invested": self.prior_invested,
                "executed_cumulative": self.executed_cumulative,
                "execution_rate": as_number(self.execution_rate),
                "execution_rate_in_term": as_number(self.execution_rate_in_term(closed_through)),
                "definitions": rate_definitions(),
            },
            "investment": {
                "total": self.get(FigureKind.INVESTMENT),
                "prior": investment_by_period.pop(periods.PRIOR, None),
                "after_term": investment_by_period.pop(periods.AFTER, None),
                "by_year": _period_keys(investment_by_period),
                "by_source": _source_keys(self.column(FigureKind.INVESTMENT)),
            },
        }


def _period_keys(values: dict[str, int | None]) -> dict[str, int | None]:
    names = {periods.TOTAL: "total", periods.PRIOR: "prior", periods.AFTER: "after_term"}
    return {names.get(period, period): amount for period, amount in values.items()}


def _source_keys(values: dict[str, int]) -> dict[str, int]:
    """Key sources by their Korean names (국비, 도비, …) as the cards print them."""
    return {SOURCE_NAMES[source]: amount for source, amount in values.items()}


# The Korean names files, the API and the audit workbook use whatever the reader's
# language (국비, 확보금액, 기투자 …): derived from the labels, never written again.
SOURCE_NAMES = KoreanNames(FundingSource)
TABLE_NAMES = KoreanNames(FigureKind)
PERIOD_NAMES = KoreanNames(periods.NAMES)


def as_number(value: Decimal | None) -> float | None:
    """A Decimal for JSON: a float, or None when not published."""
    return None if value is None else float(value)


def rate_definitions() -> dict[str, str]:
    """The one-line definitions, keyed by the API field they explain."""
    return {
        "executed_cumulative": str(CUMULATIVE_DEFINITION),
        "execution_rate": str(RATE_DEFINITION),
        "execution_rate_in_term": str(RATE_IN_TERM_DEFINITION),
    }


def stored_totals(finance: Finance, as_of: date | None) -> dict:
    """The read model kept on ``Pledge`` for lists and sorting, from its rolled-up money."""
    return {
        "current_total": finance.current_total,
        "secured_total": finance.secured_total,
        "executed_total": finance.executed_total,
        "prior_invested": finance.prior_invested,
        "executed_cumulative": finance.executed_cumulative,
        "execution_rate": finance.execution_rate,
        "execution_rate_in_term": finance.execution_rate_in_term(closed_through(as_of)),
    }


STORED_TOTALS = list(stored_totals(Finance(), None))


@dataclass
class PledgeMoney:
    """A pledge's money rolled up, and per sub-project in the card's order."""

    total: Finance
    projects: list[tuple[Project, Finance]]
    # (sub-project name, table) of the cells changed since they were loaded (read as of a
    # moment: their standing history row is a change), i.e. entered by staff, not printed
    changed: set[tuple[str, str]] = field(default_factory=set)


def money_for(
    pledges: Iterable[Pledge],
    *,
    when: datetime | None = None,
    projects: dict[int, list[Project]] | None = None,
) -> dict[int, PledgeMoney]:
    """The money of several pledges from two queries: {pledge id: PledgeMoney}.

    With ``when``, sub-projects and figures as they stood then (from the history).
    ``projects`` ({pledge id: its sub-projects in order}, as the caller already read
    them at ``when``) saves the sub-projects' query.
    """
    pledges = list(pledges)
    ids = [pledge.pk for pledge in pledges]
    if projects is None:
        projects = defaultdict(list)
        project_rows = Project.history.as_of(when) if when else Project.objects.all()
        for project in project_rows.filter(pledge_id__in=ids).order_by("position", "pk"):
            projects[project.pledge_id].append(project)
    projects = defaultdict(list, projects)
    # By sub-project id (its index), not through a join on the pledge: at 10,000 pledges
    # the join made SQLite walk every figure for each batch. Plain rows, no model objects.
    project_ids = [project.pk for found in projects.values() for project in found]
    cells: dict[int, Cells] = defaultdict(dict)  # project id -> its cells
    changed: dict[int, set[str]] = defaultdict(set)  # project id -> tables with a change
    rows = figures_as_of(when).filter(project_id__in=project_ids).order_by()
    # as of a moment, each figure's standing history row says whether it was changed
    kind_of_row = ("history_type",) if when else ()
    for project_id, kind, source, period, amount, *history in rows.values_list(
        "project_id", "kind", "source", "period", "amount", *kind_of_row
    ):
        project_cells = cells[project_id]
        cell = (kind, source, period)
        project_cells[cell] = project_cells.get(cell, 0) + amount
        if history and history[0] == "~":
            changed[project_id].add(kind)
    return {pledge.pk: money_from_cells(projects[pledge.pk], cells, changed) for pledge in pledges}


def money_from_cells(
    projects: list[Project], cells: dict[int, Cells], changed: dict[int, set[str]] | None = None
) -> PledgeMoney:
    """A pledge's money from its sub-projects (in the card's order), their cells ({sub-project
    id: cells}) and the tables staff changed in each ({sub-project id: tables})."""
    changed = changed or {}
    return PledgeMoney(
        total=Finance(_added(cells.get(p.pk, {}) for p in projects)),
        projects=[(p, Finance(dict(cells.get(p.pk, {})))) for p in projects],
        changed={(p.name, kind) for p in projects for kind in changed.get(p.pk, ())},
    )


def _added(tables: Iterable[Cells]) -> Cells:
    """Cells of several sub-projects added up (the pledge's roll-up), like ``sum_cells``."""
    total: Cells = defaultdict(int)
    for table in tables:
        for cell, amount in table.items():
            total[cell] += amount
    return dict(total)


def figures_as_of(when: datetime | None = None) -> QuerySet:
    """Budget figures as they stood at ``when`` (now when None), rebuilt from history.

    Rows created later are absent, rows deleted since come back, changed amounts show
    their old value. Filter it like any queryset of ``BudgetFigure``.
    """
    return BudgetFigure.history.as_of(when) if when else BudgetFigure.objects.all()
