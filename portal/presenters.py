"""Display shaping of a pledge page: money tables and charts per section, timeline, plans,
progress tables. Plain data in, plain dicts out; no queries beyond the card's prefetches."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from budgets.finance import (
    CUMULATIVE_DEFINITION,
    RATE_DEFINITION,
    RATE_IN_TERM_DEFINITION,
    PledgeMoney,
    closed_through,
    execution_rate,
)
from budgets.models import FigureKind, FundingSource
from budgets.quality import (
    PUBLIC_RULE_FUNCTIONS,
    PledgeContext,
    PublicNote,
    pledge_findings,
    public_notes,
)
from pledges import periods
from pledges.models import Milestone, NoteKind, Pledge, Stage
from publications.changes import line_text

from . import charts

SUB_PROJECT_NOTES = gettext_lazy(
    "The sums above carry inconsistencies of the sub-projects’ tables: see the notes of "
    "each sub-project below."
)
STEPS = [Stage.REVIEW, Stage.IN_PROGRESS, Stage.COMPLETE]
# Funding sources and tables in the reader's language (국비 / National), from the one
# vocabulary, translated when rendered.
SOURCE_LABELS = dict(FundingSource.choices)
TABLE_LABELS = dict(FigureKind.choices)
DEFINITIONS = {
    "cumulative": CUMULATIVE_DEFINITION,
    "rate": RATE_DEFINITION,
    "rate_in_term": RATE_IN_TERM_DEFINITION,
}


def pledge_page(pledge: Pledge, money: PledgeMoney) -> dict:
    """The template context of a pledge page."""
    findings = pledge_findings(PledgeContext.of_card(pledge, money), rules=PUBLIC_RULE_FUNCTIONS)
    notes = public_notes(findings, translation.get_language() or "ko")
    single = len(money.projects) < 2
    return {
        "source_notes": {
            "overview": notes.get(("overview", ""), []),
            "milestones": [
                n for (place, _p), found in notes.items() if place == "milestones" for n in found
            ],
        },
        "pledge": pledge,
        "money": money,
        "finance_sections": (
            finance_sections(pledge, money, notes, single) if money.total.has_money else []
        ),
        "plans": plans(pledge),
        "years": [str(y) for y in pledge.term.years],
        "progress": progress_tables(pledge),
        "stages": STEPS,
        "table_labels": TABLE_LABELS,
        "stage_index": STEPS.index(pledge.stage) if pledge.stage in STEPS else -1,
        "timeline": timeline(pledge),
        "definitions": DEFINITIONS,
        "source_card": source_card(pledge),
    }


def source_card(pledge: Pledge) -> dict:
    """Where the card comes from: its term's report and its vision's chapter (each term
    publishes its own book; 민선9기's 12-8 is not 민선8기's)."""
    vision = pledge.vision
    chapter = f"{vision.title} – {vision.subtitle}" if vision.subtitle else vision.title
    return {
        "report": f"{pledge.term.name} 공약 이행 현황",
        "number": vision.number,
        "chapter": chapter,
    }


def finance_sections(pledge: Pledge, money: PledgeMoney, notes: dict, single: bool) -> list[dict]:
    """The roll-up, then each sub-project where a pledge has more than one; each with the
    "원문 불일치" notes about its own tables (a single sub-project's go on the roll-up)."""
    sections = (
        [(None, money.total)] if len(money.projects) < 2 else [(None, money.total), *money.projects]
    )
    result = []
    through = closed_through(pledge.as_of)
    for project, finance in sections:
        columns = investment_columns(finance, pledge.term.years)
        rows = charts.plan_vs_executed_rows(
            finance.row(FigureKind.IN_TERM_PLAN),
            finance.row(FigureKind.EXECUTED),
            finance.prior_invested,
        )
        # The chart's title names the sub-project in the page's language; an English page
        # has no English name for it (none is stored), so its title leaves the Korean out:
        # the section's heading just above names it, marked lang="ko".
        english = (translation.get_language() or "ko").startswith("en")
        subject = project.name if project and not english else ""
        secured = finance.column(FigureKind.SECURED)
        plan_closed, executed_closed = finance.in_term_closed(through)
        result.append(
            {
                "project": project,
                "finance": finance,
                "investment_columns": columns,
                "investment_rows": investment_rows(finance, columns),
                "plan_rows": rows,
                "plan_running_total": any(row["running_total"] for row in rows),
                "plan_merged": any(" / " in row["label"] for row in rows),
                "plan_total": finance.get(FigureKind.IN_TERM_PLAN),
                "prior_row": next((row for row in rows if row["prior"]), None),
                "plan_total_has_prior": any(
                    row["prior"] and row["plan"] is not None for row in rows
                ),
                "readings": executed_readings(finance),
                "initial_total": finance.get(FigureKind.COST_INITIAL),
                "secured": [(SOURCE_LABELS[s], a) for s, a in secured.items()],
                "secured_single": (
                    (SOURCE_LABELS[next(iter(secured))], next(iter(secured.values())))
                    if len(secured) == 1
                    else None
                ),
                "rate_in_term": finance.execution_rate_in_term(through),
                "closed_through": through,
                "plan_closed": plan_closed,
                "executed_closed": executed_closed,
                "chart": charts.planned_vs_executed(rows, subject),
                "secured_chart": charts.secured_by_source(secured, SOURCE_LABELS, subject),
                "notes": _money_notes(notes, project, single),
                "key": f"p{project.pk}" if project else "all",
                "chart_id": f"figure-plan-{project.pk if project else 'all'}",
                "secured_chart_id": f"figure-secured-{project.pk if project else 'all'}",
            }
        )
    return result


def executed_readings(finance) -> dict | None:
    """Both readings of an executed "~2022" beside a printed 기투자 (12-8): the in-term
    amount (the 집행률's reading: 기투자 + it) or a running total that already holds the
    기투자, as the plan's "~2022" does. None where the source is not ambiguous."""
    prior = finance.prior_invested
    executed = finance.row(FigureKind.EXECUTED)
    through = [p for p in executed if periods.parse(p)[0] == "through"]
    if not prior or not through:
        return None
    amount = executed[through[0]]
    return {
        "period": periods.label(through[0]),
        "year": periods.parse(through[0])[1],
        "amount": amount,
        "prior": prior,
        "cumulative": finance.executed_cumulative,
        "rate": finance.execution_rate,
        "other_cumulative": finance.executed_total,
        "other_rate": execution_rate(finance.executed_total, finance.current_total),
        "other_below_prior": amount < prior,
    }


def _money_notes(notes: dict, project, single: bool) -> list[str]:
    """The money notes of one section: all of them for a single sub-project; for a roll-up
    of several, its own and a pointer to the sub-projects whose tables disagree."""
    money = {name: found for (place, name), found in notes.items() if place == "money"}
    if single:
        return [note for found in money.values() for note in found]
    if project is not None:
        return money.get(project.name, [])
    own = money.get("", [])
    if any(note.kind == NoteKind.SOURCE for name, found in money.items() if name for note in found):
        own = [*own, PublicNote(str(SUB_PROJECT_NOTES), NoteKind.SOURCE)]
    return own


def timeline(pledge: Pledge) -> list[dict]:
    """Milestones grouped by sub-project, each with its nested notes and its status against
    the as-of date (a milestone after it is 예정, planned), in published order."""
    groups: dict = {}
    notes: dict[int, list[Milestone]] = {}
    for milestone in pledge.card.milestones:
        if milestone.parent_id:
            notes.setdefault(milestone.parent_id, []).append(milestone)
        else:
            groups.setdefault(milestone.project, []).append(milestone)
    return [
        {
            "project": project,
            "items": [(m, notes.get(m.pk, []), m.status_on(pledge.as_of)) for m in items],
        }
        for project, items in groups.items()
    ]


def investment_columns(finance, years: range) -> list[str]:
    """The printed columns: 총사업비, 기투자, every year of the term, and 임기후 if used."""
    used = set(finance.investment_periods())
    return [
        periods.TOTAL,
        periods.PRIOR,
        *sorted(
            (used | {str(year) for year in years}) - {periods.TOTAL, periods.PRIOR, periods.AFTER},
            key=periods.sort_key,
        ),
        *([periods.AFTER] if periods.AFTER in used else []),
    ]


def investment_rows(finance, columns: list[str]) -> list[dict]:
    rows = []
    for source in FundingSource.values:
        cells = [finance.get(FigureKind.INVESTMENT, source, period) for period in columns]
        if any(cell is not None for cell in cells):
            rows.append(
                {"source": SOURCE_LABELS[source], "cells": cells, "total": source == "total"}
            )
    return rows


def plans(pledge: Pledge) -> list[dict]:
    """Plan texts per period, grouped by sub-project where the card prints them so; with
    ``cells``, the table's row: a plan printed across several years is one cell spanning
    them (``span``), an empty period an empty cell."""
    groups: dict = {}
    for plan in pledge.card.year_plans:
        groups.setdefault(plan.project, {})[plan.period] = plan
    columns = [str(year) for year in pledge.term.years] + [periods.AFTER]
    return [
        {"project": project, "by_period": by_period, "cells": plan_cells(by_period, columns)}
        for project, by_period in groups.items()
    ]


def plan_cells(by_period: dict, columns: list[str]) -> list[dict]:
    """The cells of a plan row over ``columns``: {"plan": plan or None, "span": columns}."""
    cells: list[dict] = []
    covered = 0
    for column in columns:
        if covered:
            covered -= 1
            continue
        plan = by_period.get(column)
        span = sum(1 for other in columns if plan and plan.spans(other)) if plan else 1
        cells.append({"plan": plan, "span": max(span, 1)})
        covered = max(span, 1) - 1
    return cells


def progress_tables(pledge: Pledge) -> list[dict]:
    """The card's 추진현황 tables, rows and columns in printed order (the order they were
    entered: the seed loads them as printed, 계 row and column first where printed so)."""
    tables: dict[str, dict] = {}
    for count in sorted(pledge.card.progress, key=lambda c: c.pk):
        table = tables.setdefault(count.indicator, {"categories": [], "rows": {}, "notes": {}})
        if count.category not in table["categories"]:
            table["categories"].append(count.category)
        table["rows"].setdefault(count.period, {})[count.category] = count.value
        if count.note:
            table["notes"][count.period] = count.note
    result = []
    for indicator, table in tables.items():
        categories = table["categories"]
        rows = [
            {
                "period": period,
                "values": [values.get(c) for c in categories],
                "note": table["notes"].get(period, ""),
            }
            for period, values in table["rows"].items()
        ]
        single = len(rows) == 1 and len(categories) == 1
        result.append(
            {
                "indicator": indicator,
                "categories": categories,
                "rows": rows,
                "has_notes": any(row["note"] for row in rows),
                "sentence_value": rows[0]["values"][0] if single else None,
            }
        )
    return result


def open_data_links(pledge: Pledge, when: datetime | None) -> dict:
    """The pledge's downloads and its past figures (``?as_of=``), for the page's footer."""
    query = f"?term={pledge.term.number}" + (f"&as_of={when:%Y-%m-%d}" if when else "")
    urls = {
        name: reverse(f"api:{name}", kwargs={"code": pledge.code}) + query
        for name in ("pledge_detail", "pledge_figures_csv", "pledge_figures_xlsx")
    }
    return {
        **urls,
        "as_of": when.date() if when else None,
        "first_day": pledge.term.start,
        "today": timezone.localdate(),
    }


def change_history(publications) -> list[dict]:
    """The pledge page's "변경 이력": one entry per publication, newest first, with its
    day, kind, note, its lines in plain Korean and the page as it stood that day."""
    return [
        {
            "publication": publication,
            "day": timezone.localtime(publication.published_at).date(),
            "lines": [line_text(line) for line in publication.changes],
        }
        for publication in publications
    ]
