"""The open-data shape of pledges (JSON API, CSV), amounts in 백만원, unpublished as null."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from budgets.finance import (
    SOURCE_NAMES,
    Finance,
    PledgeMoney,
    as_number,
    closed_through,
)
from budgets.models import FigureKind, FundingSource
from budgets.quality import PUBLIC_RULE_FUNCTIONS, PledgeContext, pledge_findings
from pledges import periods
from pledges.dates import korean_time
from pledges.labels import STAGE_NAMES
from pledges.models import ATTRIBUTES, Pledge, Term
from publications.models import Publication

from .selectors import published_pledge, standing
from .summaries import pledge_summary

LIST_FIELDS = [
    "code",
    "title",
    "term",
    "term_number",
    "vision",
    "department",
    "stage",
    "stage_name",
    "budget_type",
    "target_year",
    "url",
    "current_total",
    "secured_total",
    "executed_total",
    "prior_invested",
    "executed_cumulative",
    "execution_rate",
    "execution_rate_in_term",
    "stage_inferred",
    "updated_at",
    "stage_provenance",
]


def pledge_summaries(
    publications: Iterable[Publication], request: HttpRequest, term: Term
) -> Iterator[dict]:
    """The rows of the list (API, CSV) of ``term``, from the publications' columns alone
    (``selectors.listed``): no card is read back, a page of the API has 100 rows and the CSV
    tens of thousands. What is the same for every row is worked out once: the site's
    address, and the Korean page's address, whatever the request's language."""
    site = request.build_absolute_uri("/")[:-1]  # the host checked once, not per row
    with translation.override("ko"):
        page = reverse("portal:detail", kwargs={"code": "CODE"})
    for row in publications:
        path = page.replace("CODE", quote(row.code)) + f"?term={term.number}"
        yield {
            "code": row.code,
            "title": row.title,
            "term": term.name,
            "term_number": term.number,
            "vision": f"{row.vision.number} {row.vision.title}",
            "department": row.department_name,
            "stage": row.stage,
            "stage_name": STAGE_NAMES.get(row.stage, row.stage),
            "budget_type": row.budget_type,
            "target_year": row.target_year,
            "url": site + path,
            "current_total": row.current_total,
            "secured_total": row.secured_total,
            "executed_total": row.executed_total,
            "prior_invested": row.prior_invested,
            "executed_cumulative": row.executed_cumulative,
            "execution_rate": as_number(row.execution_rate),
            "execution_rate_in_term": as_number(row.execution_rate_in_term),
            "stage_inferred": row.stage_inferred,
            "stage_provenance": row.stage_provenance,
            "updated_at": korean_time(row.published_at).isoformat(),
            "summary": pledge_summary(row, department=row.department_name),
        }


def pledge_detail(pledge: Pledge, money: PledgeMoney, request: HttpRequest) -> dict:
    """Everything on a pledge card, figures rolled up from its sub-projects."""
    with translation.override("ko"):
        through = closed_through(pledge.as_of)
        total = money.total.as_dict(closed_through=through)
        return {
            "code": pledge.code,
            "title": pledge.title,
            "term": {"number": pledge.term.number, "name": pledge.term.name},
            "vision": {
                "id": pledge.vision.pk,  # what ?vision= reads
                "number": pledge.vision.number,
                "title": pledge.vision.title,
                "subtitle": pledge.vision.subtitle,
            },
            "department": pledge.department.name,
            "stage": pledge.stage,
            "stage_name": pledge.get_stage_display(),
            "stage_inferred": pledge.is_inferred("stage"),
            "stage_provenance": pledge.stage_provenance,
            "stage_reason": pledge.stage_basis or None,
            "stage_since": pledge.stage_since.isoformat() if pledge.stage_since else None,
            "adjustments": [
                {
                    "kind": adjustment.kind,
                    "kind_name": adjustment.get_kind_display(),
                    "date": adjustment.date.isoformat() if adjustment.date else None,
                    "precision": adjustment.date_precision or None,
                    "date_printed": adjustment.date_printed or None,
                    "reason": adjustment.reason,
                    "before": adjustment.before_text,
                    "after": adjustment.after_text,
                    "approved_by": adjustment.approved_by or None,
                    "citation": adjustment.citation,
                }
                for adjustment in pledge.card.adjustments
            ],
            "summary": pledge_summary(pledge),
            "target": {"year": pledge.target_year, "goal": pledge.target},
            "objective": pledge.objective,
            "overview": pledge.overview,
            "attributes": {
                name: {
                    "value": getattr(pledge, name) or None,
                    "name": getattr(pledge, f"get_{name}_display")() or None,
                    "inferred": pledge.is_inferred(name),
                    "reason": getattr(pledge, f"{name}_inference") or None,
                }
                for name in ATTRIBUTES
            },
            "unit": "백만원",
            "finance": total["finance"],
            "investment": total["investment"],
            "projects": [
                {
                    "name": project.name,
                    "position": project.position,
                    "overview": project.overview,
                    **finance.as_dict(closed_through=through),
                }
                for project, finance in money.projects
            ],
            "figures": pledge_cells(money),
            "plans": [
                {
                    "period": plan.period,
                    "until": plan.until or None,
                    "project": plan.project.name if plan.project else None,
                    "text": plan.text,
                }
                for plan in pledge.card.year_plans
            ],
            "milestones": [
                {
                    "date": m.date_text,
                    "start": m.start.isoformat() if m.start else None,
                    "end": m.end.isoformat() if m.end else None,
                    "precision": m.start_precision or None,
                    "project": m.project.name if m.project else None,
                    "note_of": m.parent.position if m.parent else None,
                    "status": m.status_on(pledge.as_of) or None,
                    "text": m.text,
                }
                for m in pledge.card.milestones
            ],
            "officials": [
                {
                    "role": link.official.role,
                    "role_name": link.official.get_role_display(),
                    "name": link.official.name or None,
                    "phone": link.official.phone or None,
                    "note": link.note or None,
                }
                for link in pledge.card.officials
            ],
            "progress": [
                {
                    "indicator": c.indicator,
                    "period": c.period,
                    "category": c.category or None,
                    "value": c.value,
                    "note": c.note or None,
                }
                for c in pledge.card.progress
            ],
            "problems": pledge.problems,
            "quality_notes": quality_notes(pledge, money),
            "as_of": pledge.as_of.isoformat(),
            "as_of_precision": pledge.as_of_precision or None,
            "as_of_printed": pledge.as_of_printed or None,
            "source": card_citation(pledge),
            "source_lines": pledge.source,
            "updated_at": korean_time(pledge.updated_at).isoformat(),
            "url": request.build_absolute_uri(pledge.get_absolute_url()),
        }


def card_citation(pledge: Pledge) -> str:
    """The card as a reader cites it: its term's report (the term's first source document,
    ``Term.sources``, which names its chapter), the card, its page, and when its figures
    stand, saying where that date comes from, e.g. "파주시, 민선8기 공약 이행 현황 12장
    「…」, 공약 카드 12-1, 쪽 번호 없음 (카드 기준일 2026. 1.)". The documents reached us as
    text with no page numbers, and none is guessed: the citation says so. A card that
    prints no as-of date says that too, then gives the report's date if the term has one.
    Empty when the term names no document."""
    lines = pledge.term.source_lines
    if not lines:
        return ""
    title = lines[0][0].split(": ", 1)[0]
    if pledge.as_of_printed:
        when = f"카드 기준일 {pledge.as_of_printed}"
    elif pledge.term.figures_as_of:
        when = f"카드에 기준일 없음, 보고서 기준 {pledge.term.figures_as_of}"
    else:
        when = "카드에 기준일 없음"
    return f"{title}, 공약 카드 {pledge.code}, {NO_PAGE} ({when})"


NO_PAGE = "쪽 번호 없음"  # the source text prints none; never guessed


# Every printed cell, long format --------------------------------------------------------

TABLE_ORDER = list(FigureKind.values)
SOURCE_ORDER = list(FundingSource.values)
# The total column as each table prints it (fixtures/README.md, "How the money tables").
TOTAL_COLUMN_NAMES = {
    FigureKind.INVESTMENT: "총사업비",
    FigureKind.COST_INITIAL: "총사업비",
    FigureKind.COST_CURRENT: "총사업비",
    FigureKind.IN_TERM_PLAN: "계획합계",
    FigureKind.SECURED: "확보총계",
    FigureKind.EXECUTED: "집행총계",
}
TABLE_NAMES = {
    FigureKind.INVESTMENT: "연도별 투자계획",
    FigureKind.COST_INITIAL: "총사업비 초기계획",
    FigureKind.COST_CURRENT: "총사업비 현재계획",
    FigureKind.IN_TERM_PLAN: "임기내 계획",
    FigureKind.SECURED: "확보금액",
    FigureKind.EXECUTED: "집행금액",
}
CELL_FIELDS = [
    "project",
    "table",
    "table_name",
    "source",
    "source_name",
    "period",
    "period_name",
    "amount",
]


def period_name(table: str, period: str) -> str:
    """A period as the card heads its column: 총사업비/계획합계…, 기투자, 2024, ~2022, 임기후."""
    if period == periods.TOTAL:
        return TOTAL_COLUMN_NAMES.get(table, "합계")
    return {periods.PRIOR: "기투자", periods.AFTER: "임기후"}.get(period, period)


def _cell_order(item: tuple[tuple[str, str, str], int]) -> tuple:
    (kind, source, period), _amount = item
    return (
        TABLE_ORDER.index(kind),
        SOURCE_ORDER.index(source),
        (-1, 0, 0) if period == periods.TOTAL else periods.sort_key(period),
    )


def finance_cells(project_name: str, finance: Finance) -> list[dict]:
    """One sub-project's printed cells in the card's order: table, source row, column."""
    return [
        {
            "project": project_name,
            "table": kind,
            "table_name": TABLE_NAMES[kind],
            "source": source,
            "source_name": SOURCE_NAMES[source],
            "period": period,
            "period_name": period_name(kind, period),
            "amount": amount,
        }
        for (kind, source, period), amount in sorted(finance.cells.items(), key=_cell_order)
    ]


def pledge_cells(money: PledgeMoney) -> list[dict]:
    """Every printed cell of a pledge, sub-project by sub-project (not the roll-up)."""
    return [
        cell for project, finance in money.projects for cell in finance_cells(project.name, finance)
    ]


def quality_notes(pledge: Pledge, money: PledgeMoney) -> list[dict]:
    """The card's source inconsistencies (``budgets.quality.PUBLIC_RULE_FUNCTIONS``, the
    notes its page shows), from its prefetched rows; staff-workflow findings stay in the
    audit report."""
    context = PledgeContext.of_card(pledge, money)
    if getattr(pledge, "shown_as_of", None):
        context.today = pledge.shown_as_of.date()
    with translation.override("ko"):
        return [
            {
                "rule": finding.rule,
                "project": finding.project or None,
                "text": finding.explanation,
                "kind": finding.kind,
                "citation": finding.figures.get("citation"),
            }
            for finding in pledge_findings(context, rules=PUBLIC_RULE_FUNCTIONS)
        ]


# Bulk downloads: one row per cell / milestone, streamed ----------------------------------

PLEDGE_COLUMNS = ["term", "term_number", "pledge_code", "department", "stage", "stage_inferred"]
FIGURE_COLUMNS = [*PLEDGE_COLUMNS, *CELL_FIELDS]
MILESTONE_COLUMNS = [
    *PLEDGE_COLUMNS,
    "position",
    "project",
    "date",
    "start",
    "end",
    "precision",
    "end_precision",
    "open_ended",
    "note_of",
    "text",
]
CHUNK = 500  # pledges per query of their cells


def published_cards(publications) -> Iterator[Pledge]:
    """The pledges of these publications read back from their snapshots, a chunk of
    payloads per query: memory stays flat over a whole term."""
    for publication in publications.select_related("term").iterator(chunk_size=CHUNK):
        yield published_pledge(publication)


def _term_cards(term: Term, when: datetime | None) -> Iterator[Pledge]:
    return published_cards(standing(term, when).order_by("sort_key"))


def _pledge_columns(pledge: Pledge) -> list:
    return [
        pledge.term.name,
        pledge.term.number,
        pledge.code,
        pledge.department.name,
        pledge.stage,
        pledge.is_inferred("stage"),
    ]


def figure_rows(
    term: Term, when: datetime | None = None, pledges: Iterable[Pledge] | None = None
) -> Iterator[list]:
    """Every printed cell of the term's pledges (or of ``pledges``), one list per cell in
    ``FIGURE_COLUMNS`` order."""
    for pledge in pledges if pledges is not None else _term_cards(term, when):
        head = _pledge_columns(pledge)
        for project, finance in pledge.card.money.projects:
            for cell in finance_cells(project.name, finance):
                yield [*head, *(cell[name] for name in CELL_FIELDS)]


def milestone_rows(term: Term, when: datetime | None = None) -> Iterator[list]:
    """Every milestone of the term's pledges, in published order, ``MILESTONE_COLUMNS``."""
    for pledge in _term_cards(term, when):
        names = {p.pk: p.name for p in pledge.card.projects}
        positions = {m.pk: m.position for m in pledge.card.milestones}
        head = _pledge_columns(pledge)
        for m in pledge.card.milestones:
            yield [
                *head,
                m.position,
                names.get(m.project_id),
                m.date_text,
                m.start.isoformat() if m.start else None,
                m.end.isoformat() if m.end else None,
                m.start_precision or None,
                m.end_precision or None,
                m.open_ended,
                positions.get(m.parent_id),
                m.text,
            ]
