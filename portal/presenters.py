"""Display shaping of a pledge page: money tables and charts per section, timeline, plans,
progress tables. Plain data in, plain dicts out; no queries beyond the card's prefetches."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from budgets.finance import PledgeMoney
from budgets.models import FigureKind, FundingSource
from pledges import periods
from pledges.models import Milestone, Pledge, Stage

from . import charts

STEPS = [Stage.REVIEW, Stage.IN_PROGRESS, Stage.COMPLETE]
# Funding sources and tables in the reader's language (국비 / National), from the one
# vocabulary, translated when rendered.
SOURCE_LABELS = dict(FundingSource.choices)
TABLE_LABELS = dict(FigureKind.choices)


def pledge_page(pledge: Pledge, money: PledgeMoney) -> dict:
    """The template context of a pledge page."""
    return {
        "pledge": pledge,
        "money": money,
        "finance_sections": finance_sections(pledge, money) if money.total.has_money else [],
        "plans": plans(pledge),
        "years": [str(y) for y in pledge.term.years],
        "progress": progress_tables(pledge),
        "stages": STEPS,
        "table_labels": TABLE_LABELS,
        "stage_index": STEPS.index(pledge.stage) if pledge.stage in STEPS else -1,
        "timeline": timeline(pledge),
    }


def finance_sections(pledge: Pledge, money: PledgeMoney) -> list[dict]:
    """The roll-up, then each sub-project where a pledge has more than one."""
    sections = (
        [(None, money.total)] if len(money.projects) < 2 else [(None, money.total), *money.projects]
    )
    result = []
    for project, finance in sections:
        columns = investment_columns(finance, pledge.term.years)
        rows = charts.plan_vs_executed_rows(
            finance.row(FigureKind.IN_TERM_PLAN), finance.row(FigureKind.EXECUTED)
        )
        result.append(
            {
                "project": project,
                "finance": finance,
                "investment_columns": columns,
                "investment_rows": investment_rows(finance, columns),
                "plan_rows": rows,
                "plan_after": finance.get(FigureKind.IN_TERM_PLAN, period=periods.AFTER),
                "plan_total": finance.get(FigureKind.IN_TERM_PLAN),
                "initial_total": finance.get(FigureKind.COST_INITIAL),
                "secured": [
                    (SOURCE_LABELS[s], a) for s, a in finance.column(FigureKind.SECURED).items()
                ],
                "chart": charts.planned_vs_executed(rows),
                "secured_chart": charts.secured_by_source(
                    finance.column(FigureKind.SECURED), SOURCE_LABELS
                ),
                "key": f"p{project.pk}" if project else "all",
                "chart_id": f"figure-plan-{project.pk if project else 'all'}",
                "secured_chart_id": f"figure-secured-{project.pk if project else 'all'}",
            }
        )
    return result


def timeline(pledge: Pledge) -> list[dict]:
    """Milestones grouped by sub-project, each with its nested notes, in published order."""
    groups: dict = {}
    notes: dict[int, list[Milestone]] = {}
    for milestone in pledge.milestones.all():
        if milestone.parent_id:
            notes.setdefault(milestone.parent_id, []).append(milestone)
        else:
            groups.setdefault(milestone.project, []).append(milestone)
    return [
        {"project": project, "items": [(m, notes.get(m.pk, [])) for m in items]}
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
    """Plan texts per period, grouped by sub-project where the card prints them so."""
    groups: dict = {}
    for plan in pledge.year_plans.all():
        groups.setdefault(plan.project, {})[plan.period] = plan
    return [{"project": project, "by_period": by_period} for project, by_period in groups.items()]


def progress_tables(pledge: Pledge) -> list[dict]:
    tables: dict[str, dict] = {}
    for count in pledge.progress.all():
        table = tables.setdefault(count.indicator, {"categories": [], "rows": {}, "notes": {}})
        if count.category not in table["categories"]:
            table["categories"].append(count.category)
        table["rows"].setdefault(count.period, {})[count.category] = count.value
        if count.note:
            table["notes"][count.period] = count.note
    result = []
    for indicator, table in tables.items():
        categories = sorted(table["categories"], key=lambda c: (c != "", 0))
        rows = sorted(table["rows"].items(), key=lambda item: periods.sort_key(item[0]))
        result.append(
            {
                "indicator": indicator,
                "categories": categories,
                "rows": [
                    {
                        "period": p,
                        "values": [v.get(c) for c in categories],
                        "note": table["notes"].get(p, ""),
                    }
                    for p, v in rows
                ],
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
