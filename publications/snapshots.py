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
from datetime import date
from functools import cached_property

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import translation

from budgets.finance import STORED_TOTALS, PledgeMoney, money_from_cells, stored_totals
from budgets.models import BudgetFigure
from departments.models import Department, Official, Role, WorkPlanItem
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


def row_instance(model: type[models.Model], data: dict) -> models.Model:
    """An unsaved instance of ``model`` from a payload's row (unknown keys ignored)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return model(**{name: fields[name].to_python(v) for name, v in data.items() if name in fields})


def _json(data: dict) -> dict:
    """Dates and decimals as text, exactly as the database's JSON column stores them."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _fields(model: type[models.Model], skipped: set[str] = frozenset()) -> list[str]:
    """The attribute names ``_values`` keeps of ``model``'s rows."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in skipped and f.attname not in BOOKKEEPING
    ]


def _read(queryset: models.QuerySet, skipped: set[str] = frozenset()) -> list[dict]:
    """``_values`` of every row of ``queryset``, read as plain values (no model instances:
    publishing reads thousands of rows)."""
    return list(queryset.values(*_fields(queryset.model, skipped)))


def card_payloads(pledge_ids: list[int]) -> dict[int, dict]:
    """{pledge id: its live card as a payload}, a fixed number of queries for any number."""
    pledges = _read(Pledge.objects.filter(pk__in=pledge_ids), PLEDGE_SKIPPED)
    visions = {
        v["id"]: v for v in _read(Vision.objects.filter(pk__in={p["vision_id"] for p in pledges}))
    }
    rows: dict[str, dict[int, list]] = {key: {pk: [] for pk in pledge_ids} for key, *_ in ROWS}
    for key, model, order in ROWS:
        for row in _read(model.objects.filter(pledge_id__in=pledge_ids).order_by(*order)):
            rows[key][row["pledge_id"]].append(row)
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
    cells = BudgetFigure.objects.filter(project_id__in=list(project_of))
    for row in _read(cells.order_by("project_id", "kind", "source", "period")):
        row["changed"] = last_type.get(row["id"]) == "~"
        figures[project_of[row["project_id"]]].append(row)
    official_ids = {o["official_id"] for found in rows["officials"].values() for o in found}
    item_ids = {w["item_id"] for found in rows["work_plan_links"].values() for w in found}
    officials = {o["id"]: o for o in _read(Official.objects.filter(pk__in=official_ids))}
    items = {i["id"]: i for i in _read(WorkPlanItem.objects.filter(pk__in=item_ids))}
    department_ids = {p["department_id"] for p in pledges}
    department_ids |= {o["department_id"] for o in officials.values()}
    department_ids |= {i["department_id"] for i in items.values()}
    departments = {d["id"]: d for d in _read(Department.objects.filter(pk__in=department_ids))}
    payloads = {}
    for pledge in pledges:
        pk = pledge["id"]
        links = rows["officials"][pk]
        for link in links:
            link["official"] = officials[link["official_id"]]
        work_plan = rows["work_plan_links"][pk]
        for link in work_plan:
            link["item"] = items[link["item_id"]]
        shown = {o["official"]["department_id"] for o in links} | {
            w["item"]["department_id"] for w in work_plan
        }
        payloads[pk] = _json(
            {
                "shape": SHAPE,
                "pledge": pledge,
                "vision": visions[pledge["vision_id"]],
                "department": departments[pledge["department_id"]],
                "departments": [departments[d] for d in sorted(shown)],
                **{key: rows[key][pk] for key, *_ in ROWS},
                "figures": figures[pk],
            }
        )
    return payloads


class Card:
    """A published card read back from its payload (any shape this code knows), with no
    query: the pledge (unsaved, with ``term``, ``vision`` and ``department`` set) and its
    rows in the card's order, as plain lists. Each part is read back when first asked
    for: a list row reads the pledge and its milestones, never the money tables."""

    def __init__(self, payload: dict, term: Term):
        if payload.get("shape") != SHAPE:
            raise ValueError(f"unknown snapshot shape {payload.get('shape')!r}")
        self.payload = payload
        pledge = row_instance(Pledge, payload["pledge"])
        pledge.term = term
        pledge.vision = row_instance(Vision, payload["vision"])
        pledge.vision.term = term
        pledge.department = row_instance(Department, payload["department"])
        self.pledge = pledge

    def _rows(self, key: str, model: type[models.Model]) -> list:
        found = []
        for row in self.payload[key]:
            instance = row_instance(model, row)
            if getattr(instance, "project_id", None) is not None:
                instance.project = self._project_by_id.get(instance.project_id)
            found.append(instance)
        return found

    @cached_property
    def projects(self) -> list[Project]:
        return [row_instance(Project, row) for row in self.payload["projects"]]

    @cached_property
    def _project_by_id(self) -> dict[int, Project]:
        return {p.pk: p for p in self.projects}

    @cached_property
    def _departments(self) -> dict[int, Department]:
        """The departments the card shows (its own, its officials', its items')."""
        departments = {self.pledge.department.pk: self.pledge.department}
        for row in self.payload["departments"]:
            departments.setdefault(row["id"], row_instance(Department, row))
        return departments

    @cached_property
    def year_plans(self) -> list[YearPlan]:
        plans = self._rows("year_plans", YearPlan)
        plans.sort(key=lambda plan: plan.project.position if plan.project else 0)
        return plans

    @cached_property
    def milestones(self) -> list[Milestone]:
        milestones = self._rows("milestones", Milestone)
        by_id = {m.pk: m for m in milestones}
        for milestone in milestones:
            if milestone.parent_id is not None:
                milestone.parent = by_id.get(milestone.parent_id)
        return milestones

    @cached_property
    def officials(self) -> list[PledgeOfficial]:
        links = []
        for row in self.payload["officials"]:
            link = row_instance(PledgeOfficial, row)
            link.official = row_instance(Official, row["official"])
            link.official.department = self._departments.get(link.official.department_id)
            links.append(link)
        return links

    @cached_property
    def work_plan_items(self) -> list[WorkPlanItem]:
        items = []
        for row in self.payload["work_plan_links"]:
            item = row_instance(WorkPlanItem, row["item"])
            item.department = self._departments.get(item.department_id)
            items.append(item)
        items.sort(key=lambda i: (i.year, getattr(i.department, "name", ""), i.number))
        return items

    @cached_property
    def materials(self) -> list[RelatedMaterial]:
        return self._rows("materials", RelatedMaterial)

    @cached_property
    def progress(self) -> list[ProgressCount]:
        return self._rows("progress", ProgressCount)

    @cached_property
    def adjustments(self) -> list[PledgeAdjustment]:
        return self._rows("adjustments", PledgeAdjustment)

    @cached_property
    def source_notes(self) -> list[SourceNote]:
        return self._rows("source_notes", SourceNote)

    @cached_property
    def money(self) -> PledgeMoney:
        """The money tables, sub-project by sub-project, from the published cells."""
        cells: dict[int, dict] = {p.pk: {} for p in self.projects}
        changed: dict[int, set[str]] = {}
        for row in self.payload["figures"]:
            cells[row["project_id"]][(row["kind"], row["source"], row["period"])] = row["amount"]
            if row.get("changed"):
                changed.setdefault(row["project_id"], set()).add(row["kind"])
        return money_from_cells(self.projects, cells, changed)


def card_from(payload: dict, term: Term) -> Card:
    """The card a payload holds, read back (``Card``)."""
    return Card(payload, term)


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
        "target_year": pledge.target_year,
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
    the card (texts, sub-projects, plans, milestones, officials' names and roles in Korean,
    the departments shown, linked work-plan items, English names), upper-cased as
    ``Publication.objects.search`` upper-cases a query. Read from the payload's plain rows."""
    payload = card.payload
    p, department = payload["pledge"], payload["department"]
    departments = {d["id"]: d for d in payload["departments"]}
    officials = [link["official"] for link in payload["officials"]]
    shown = [
        departments[o["department_id"]] for o in officials if o["department_id"] in departments
    ]
    with translation.override("ko"):
        roles = {value: str(label) for value, label in Role.choices}
    parts = [
        *(p[key] for key in PLEDGE_SEARCHED),
        *(row[key] for row in payload["projects"] for key in ("name", "overview")),
        *(plan["text"] for plan in payload["year_plans"]),
        *(f"{m['date_text']} {m['text']}" for m in payload["milestones"]),
        *(f"{roles.get(o['role'], o['role'])} {o['name']}" for o in officials),
        department["name"],
        department["name_en"],
        *(name for d in shown for name in (d["name"], d["name_en"])),
        *(link["item"]["title"] for link in payload["work_plan_links"]),
    ]
    return "\n".join(" ".join(part.split()) for part in parts if part and part.strip()).upper()


# The pledge's own texts a search reads, in the order ``search_text`` joins them.
PLEDGE_SEARCHED = (
    "code",
    "title",
    "title_en",
    "index_title",
    "target",
    "target_en",
    "objective",
    "overview",
    "problems",
    "plan_note",
)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
