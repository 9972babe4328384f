"""A published card as data: what a publication stores, and the card read back from it.

``card_payloads`` reads pledges' live cards (the staff's workspace) and turns each into a
plain JSON payload: the pledge's fields, its vision and department as they stand, its
sub-projects, money cells, plans, milestones, officials (names and phones), work-plan items,
material and progress. ``publications.services`` stores one payload per pledge per
publication (``Publication.card``); every public door reads it back with ``card_from``.

A payload carries ``shape``: the version of its layout. A change of the layout adds a
reader for the new shape here (or a data migration of the stored payloads); the test
``tests/publications/test_snapshots.py`` reads every shape the database holds.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from budgets.finance import STORED_TOTALS, PledgeMoney, money_from_cells, stored_totals
from budgets.models import BudgetFigure
from departments.models import Department, Official, WorkPlanItem
from pledges.models import (
    Milestone,
    Pledge,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    SourceNote,
    Term,
    Vision,
    WorkPlanLink,
    YearPlan,
)

SHAPE = 1

# What the snapshot holds in its own way: the pledge's stored totals (``stored_totals``).
PLEDGE_SKIPPED = set(STORED_TOTALS)

# A card's rows: (payload key, model, order).
ROWS: list[tuple[str, type[models.Model], tuple[str, ...]]] = [
    ("projects", Project, ("position", "id")),
    ("year_plans", YearPlan, ("period", "id")),
    ("milestones", Milestone, ("position", "id")),
    ("officials", PledgeOfficial, ("position", "id")),
    ("work_plan_links", WorkPlanLink, ("id",)),
    ("materials", RelatedMaterial, ("position", "id")),
    ("progress", ProgressCount, ("indicator", "period", "category", "id")),
    ("adjustments", PledgeAdjustment, ("date", "id")),
    ("source_notes", SourceNote, ("position", "id")),
]


BOOKKEEPING = {"created_at", "updated_at"}  # when a row was saved, not what it says


def _values(obj: models.Model, skipped: set[str] = frozenset()) -> dict:
    """A row's concrete fields by attribute name, as JSON would hold them."""
    return {
        f.attname: f.value_from_object(obj)
        for f in obj._meta.concrete_fields
        if f.attname not in skipped and f.attname not in BOOKKEEPING
    }


def _instance(model: type[models.Model], data: dict) -> models.Model:
    """An unsaved instance of ``model`` from a payload's row (unknown keys ignored)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return model(**{name: fields[name].to_python(v) for name, v in data.items() if name in fields})


def _json(data: dict) -> dict:
    """Dates and decimals as text, exactly as the database's JSON column stores them."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def card_payloads(pledge_ids: list[int]) -> dict[int, dict]:
    """{pledge id: its live card as a payload}, a fixed number of queries for any number."""
    pledges = list(Pledge.objects.filter(pk__in=pledge_ids).select_related("vision", "department"))
    rows: dict[str, dict[int, list]] = {key: {pk: [] for pk in pledge_ids} for key, *_ in ROWS}
    for key, model, order in ROWS:
        for row in model.objects.filter(pledge_id__in=pledge_ids).order_by(*order):
            rows[key][row.pledge_id].append(_values(row))
    project_of = {p["id"]: pk for pk, found in rows["projects"].items() for p in found}
    figures: dict[int, list] = {pk: [] for pk in pledge_ids}
    # a cell whose latest history row is a change was entered by staff, not printed
    last_type: dict[int, str] = {}
    for pk, history_type in (
        BudgetFigure.history.filter(project_id__in=list(project_of))
        .order_by("history_date", "history_id")
        .values_list("id", "history_type")
    ):
        last_type[pk] = history_type
    for figure in BudgetFigure.objects.filter(project_id__in=list(project_of)).order_by(
        "project_id", "kind", "source", "period"
    ):
        row = _values(figure) | {"changed": last_type.get(figure.pk) == "~"}
        figures[project_of[figure.project_id]].append(row)
    official_ids = {o["official_id"] for found in rows["officials"].values() for o in found}
    item_ids = {w["item_id"] for found in rows["work_plan_links"].values() for w in found}
    officials = {o.pk: o for o in Official.objects.filter(pk__in=official_ids)}
    items = {i.pk: i for i in WorkPlanItem.objects.filter(pk__in=item_ids)}
    department_ids = {o.department_id for o in officials.values()} | {
        i.department_id for i in items.values()
    }
    departments = {d.pk: d for d in Department.objects.filter(pk__in=department_ids)}
    payloads = {}
    for pledge in pledges:
        links = rows["officials"][pledge.pk]
        for link in links:
            link["official"] = _values(officials[link["official_id"]])
        work_plan = rows["work_plan_links"][pledge.pk]
        for link in work_plan:
            link["item"] = _values(items[link["item_id"]])
        shown = {o["official"]["department_id"] for o in links} | {
            w["item"]["department_id"] for w in work_plan
        }
        payloads[pledge.pk] = _json(
            {
                "shape": SHAPE,
                "pledge": _values(pledge, PLEDGE_SKIPPED),
                "vision": _values(pledge.vision),
                "department": _values(pledge.department),
                "departments": [_values(departments[pk]) for pk in sorted(shown)],
                **{key: rows[key][pledge.pk] for key, *_ in ROWS},
                "figures": figures[pledge.pk],
            }
        )
    return payloads


@dataclass
class Card:
    """A published card read back: the pledge (unsaved, with ``term``, ``vision`` and
    ``department`` set) and its rows in the card's order, as plain lists."""

    pledge: Pledge
    projects: list[Project]
    year_plans: list[YearPlan]
    milestones: list[Milestone]
    officials: list[PledgeOfficial]
    work_plan_items: list[WorkPlanItem]
    materials: list[RelatedMaterial]
    progress: list[ProgressCount]
    adjustments: list[PledgeAdjustment]
    source_notes: list[SourceNote]
    money: PledgeMoney


def card_from(payload: dict, term: Term) -> Card:
    """The card a payload holds (any shape this code knows), with no query."""
    if payload.get("shape") != SHAPE:
        raise ValueError(f"unknown snapshot shape {payload.get('shape')!r}")
    pledge = _instance(Pledge, payload["pledge"])
    pledge.term = term
    pledge.vision = _instance(Vision, payload["vision"])
    pledge.vision.term = term
    pledge.department = _instance(Department, payload["department"])
    departments = {pledge.department.pk: pledge.department}
    for row in payload["departments"]:
        departments.setdefault(row["id"], _instance(Department, row))
    projects = [_instance(Project, row) for row in payload["projects"]]
    by_id = {p.pk: p for p in projects}

    def rows(key: str, model: type[models.Model]) -> list:
        found = []
        for row in payload[key]:
            instance = _instance(model, row)
            if getattr(instance, "project_id", None) is not None:
                instance.project = by_id.get(instance.project_id)
            found.append(instance)
        return found

    milestones = rows("milestones", Milestone)
    milestone_by_id = {m.pk: m for m in milestones}
    for milestone in milestones:
        if milestone.parent_id is not None:
            milestone.parent = milestone_by_id.get(milestone.parent_id)
    officials = []
    for row in payload["officials"]:
        link = _instance(PledgeOfficial, row)
        link.official = _instance(Official, row["official"])
        link.official.department = departments.get(link.official.department_id)
        officials.append(link)
    items = []
    for row in payload["work_plan_links"]:
        item = _instance(WorkPlanItem, row["item"])
        item.department = departments.get(item.department_id)
        items.append(item)
    items.sort(key=lambda i: (i.year, getattr(i.department, "name", ""), i.number))
    year_plans = rows("year_plans", YearPlan)
    year_plans.sort(key=lambda plan: plan.project.position if plan.project else 0)
    cells: dict[int, dict] = {p.pk: {} for p in projects}
    changed: dict[int, set[str]] = {}
    for row in payload["figures"]:
        cell = (row["kind"], row["source"], row["period"])
        cells[row["project_id"]][cell] = row["amount"]
        if row.get("changed"):
            changed.setdefault(row["project_id"], set()).add(row["kind"])
    return Card(
        pledge=pledge,
        projects=projects,
        year_plans=year_plans,
        milestones=milestones,
        officials=officials,
        work_plan_items=items,
        materials=rows("materials", RelatedMaterial),
        progress=rows("progress", ProgressCount),
        adjustments=rows("adjustments", PledgeAdjustment),
        source_notes=rows("source_notes", SourceNote),
        money=money_from_cells(projects, cells, changed),
    )


def summary_columns(card: Card) -> dict:
    """What lists, filters, sorts and search read beside the payload (``Publication``)."""
    pledge, total = card.pledge, card.money.total
    return {
        "vision_id": pledge.vision_id,
        "department_id": pledge.department_id,
        "department_name": pledge.department.name,
        "code": pledge.code,
        "sort_key": pledge.sort_key,
        "title": pledge.title,
        "title_en": pledge.title_en,
        "target": pledge.target,
        "budget_type": pledge.budget_type,
        "stage": pledge.stage,
        "stage_provenance": pledge.stage_provenance,
        "stage_basis": pledge.stage_basis,
        "as_of": pledge.as_of,
        **stored_totals(total, pledge.as_of),
        "search_text": search_text(card),
    }


def search_text(card: Card) -> str:
    """The one text a snapshot is searched by: title first, then target, then the rest of
    the card (texts, sub-projects, plans, milestones, officials' names and roles, the
    departments shown, linked work-plan items, English names), upper-cased as
    ``Publication.objects.search`` upper-cases a query."""
    p = card.pledge
    parts = [
        p.code,
        p.title,
        p.title_en,
        p.index_title,
        p.target,
        p.target_en,
        p.objective,
        p.overview,
        p.problems,
        p.plan_note,
        *(text for project in card.projects for text in (project.name, project.overview)),
        *(plan.text for plan in card.year_plans),
        *(f"{m.date_text} {m.text}" for m in card.milestones),
        *(f"{link.official.get_role_display()} {link.official.name}" for link in card.officials),
        p.department.name,
        p.department.name_en,
        *(
            name
            for link in card.officials
            if link.official.department
            for name in (link.official.department.name, link.official.department.name_en)
        ),
        *(item.title for item in card.work_plan_items),
    ]
    return "\n".join(" ".join(part.split()) for part in parts if part and part.strip()).upper()


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
