"""What changed in pledge cards between two moments, as plain-language lines.

A card's *state* is read from the live rows (now) and from the change history (as it
stood at its last publication), several pledges at once, in a fixed number of queries per
batch, restricted to what was written since (``touched_states``). Two states compare to
the lines a publication records in ``Publication.changes`` and a reviewer
sees as a draft's diff: each a dict ``{kind, label, old, new, reason}`` (figures also
carry ``unit``), rendered by ``line_text``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from budgets.models import BudgetFigure, FigureKind, FundingSource
from departments.models import Department, Official, Role, WorkPlanItem
from pledges import periods
from pledges.labels import korean
from pledges.models import (
    AdjustmentKind,
    Milestone,
    NoteKind,
    Pledge,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    SourceNote,
    Stage,
    Vision,
    WorkPlanLink,
    YearPlan,
    printed_date,
)

UNIT = "백만원"

# The card's own fields compared (every field its history keeps, but bookkeeping).
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "sort_key"}

# A card's rows: (model, kind of line, Korean label).
ROWS: list[tuple[type[models.Model], str, str]] = [
    (Project, "project", "세부사업"),
    (YearPlan, "plan", "추진계획"),
    (Milestone, "milestone", "추진현황"),
    (PledgeOfficial, "official", "담당자"),
    (WorkPlanLink, "work_plan", "주요업무계획"),
    (RelatedMaterial, "material", "관련자료"),
    (ProgressCount, "progress", "추진실적"),
    (PledgeAdjustment, "adjustment", "공약 조정"),
    (SourceNote, "source_note", "원문 메모"),
]
# What a stage change's one line says with it (its date, its reason, where it comes from).
STAGE_LINE_FIELDS = {"stage_since", "stage_provenance", "stage_reason", "stage_inference"}
# The names and phones of the card's officials (rows of ``departments.Official``).
CONTACT = (Official, "contact", "담당자 연락처")


def _compared_fields(model: type[models.Model]) -> list[str]:
    recorded = {f.attname for f in model.history.model._meta.concrete_fields}
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname in recorded and f.attname not in SKIPPED_FIELDS
    ]


@dataclass
class CardState:
    """One pledge's card as plain values: its fields, its rows by model, its money cells."""

    fields: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, dict[int, dict]] = field(default_factory=lambda: defaultdict(dict))
    figures: dict[tuple, int] = field(default_factory=dict)  # (project id, kind, source, period)
    project_names: dict[int, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # why a field last changed


def _row_values(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("id", "pledge_id")}


def _replay(history_rows, moments: dict[int, datetime | None], owner) -> dict[int, dict]:
    """{object id: values} of the rows standing at each pledge's moment: the latest history
    row at or before it, unless that row records a deletion. ``owner(row)`` is its pledge."""
    latest: dict[int, dict] = {}
    for row in history_rows:  # in history order
        moment = moments.get(owner(row))
        if moment is None or row["history_date"] > moment:
            continue
        latest[row["id"]] = row
    return {pk: row for pk, row in latest.items() if row["history_type"] != "-"}


def touched_states(moments: dict[int, datetime]) -> dict[int, tuple[CardState, CardState]]:
    """For each pledge ({pledge id: its last publication's moment}) with history recorded
    after that moment, its (old, new) states restricted to what that history touched: the
    card's fields if the pledge row was saved, and the rows and figures written since.
    Nothing else can differ, so the diff is the same as of whole cards, and the cost is
    proportional to the edits, not to the cards' size. Pledges not written since are absent.
    """
    ids = list(moments)
    since = min(moments.values())
    until = max(moments.values())
    meta = ("id", "history_date", "history_type")
    order = ("history_date", "history_id")
    old: dict[int, CardState] = defaultdict(CardState)
    new: dict[int, CardState] = defaultdict(CardState)

    def after(rows, owner) -> dict[int, set[int]]:
        """{pledge id: ids of the objects written after the pledge's moment}."""
        found: dict[int, set[int]] = defaultdict(set)
        for row in rows:
            pledge_id = owner(row)
            if row["history_date"] > moments[pledge_id]:
                found[pledge_id].add(row["id"])
        return found

    # The card's own fields.
    names = _compared_fields(Pledge)
    written = after(
        Pledge.history.filter(id__in=ids, history_date__gt=since).values("id", "history_date"),
        lambda r: r["id"],
    )
    if written:
        touched = list(written)
        rows = Pledge.history.filter(id__in=touched, history_date__lte=until).order_by(*order)
        for pk, row in _replay(rows.values(*meta, *names), moments, lambda r: r["id"]).items():
            old[pk].fields = {name: row[name] for name in names}
        for row in Pledge.objects.filter(pk__in=touched).values("id", *names):
            new[row["id"]].fields = {k: v for k, v in row.items() if k != "id"}
        for pk in touched:  # a pledge row present now and then: both states hold its fields
            old[pk], new[pk]
    # Its rows.
    for model, kind, _label in ROWS:
        names = _compared_fields(model)
        written = after(
            model.history.filter(pledge_id__in=ids, history_date__gt=since).values(
                "id", "pledge_id", "history_date"
            ),
            lambda r: r["pledge_id"],
        )
        touched = [pk for found in written.values() for pk in found]
        if not touched:
            continue
        rows = model.history.filter(
            id__in=touched, pledge_id__in=ids, history_date__lte=until
        ).order_by(*order)
        for pk, row in _replay(
            rows.values(*meta, *names), moments, lambda r: r["pledge_id"]
        ).items():
            old[row["pledge_id"]].rows[kind][pk] = _row_values({n: row[n] for n in names})
        for row in model.objects.filter(pk__in=touched, pledge_id__in=ids).values("id", *names):
            new[row["pledge_id"]].rows[kind][row["id"]] = _row_values(row)
        for pledge_id in written:
            old[pledge_id], new[pledge_id]
    # Its money, cell by cell, through its sub-projects (also ones deleted since).
    project_pledge = dict(
        Project.history.filter(pledge_id__in=ids).values_list("id", "pledge_id").distinct()
    )
    written = after(
        BudgetFigure.history.filter(
            project_id__in=list(project_pledge), history_date__gt=since
        ).values("id", "project_id", "history_date"),
        lambda r: project_pledge[r["project_id"]],
    )
    touched = [pk for found in written.values() for pk in found]
    if touched:
        cell = ("project_id", "kind", "source", "period", "amount")
        # (by sub-project too: an id freed by a deletion may be taken by another pledge's cell)
        rows = BudgetFigure.history.filter(
            id__in=touched, project_id__in=list(project_pledge), history_date__lte=until
        ).order_by(*order)
        standing = _replay(
            rows.values(*meta, *cell), moments, lambda r: project_pledge[r["project_id"]]
        )
        for row in standing.values():
            key = (row["project_id"], row["kind"], row["source"], row["period"])
            old[project_pledge[row["project_id"]]].figures[key] = row["amount"]
        live = BudgetFigure.objects.filter(pk__in=touched, project_id__in=list(project_pledge))
        for row in live.values(*cell):
            key = (row["project_id"], row["kind"], row["source"], row["period"])
            new[project_pledge[row["project_id"]]].figures[key] = row["amount"]
        for pledge_id in written:
            old[pledge_id], new[pledge_id]
    # Its officials' names and phones: kept per official and shared by pledges, so an
    # official written after a pledge's moment changes that pledge's card.
    linked: dict[int, set[int]] = defaultdict(set)  # official id -> its pledges
    for official_id, pledge_id in PledgeOfficial.objects.filter(pledge_id__in=ids).values_list(
        "official_id", "pledge_id"
    ):
        linked[official_id].add(pledge_id)
    touched_pairs = {
        (pledge_id, official_id)
        for official_id, when in Official.history.filter(
            id__in=list(linked), history_date__gt=since
        ).values_list("id", "history_date")
        for pledge_id in linked[official_id]
        if when > moments[pledge_id]
    }
    if touched_pairs:
        names = _compared_fields(Official)
        officials = {official_id for _pledge, official_id in touched_pairs}
        past = list(
            Official.history.filter(id__in=officials, history_date__lte=until)
            .order_by(*order)
            .values(*meta, *names)
        )
        live = {
            row["id"]: row for row in Official.objects.filter(pk__in=officials).values("id", *names)
        }
        for pledge_id, official_id in touched_pairs:
            standing = _replay(
                [row for row in past if row["id"] == official_id],
                {pledge_id: moments[pledge_id]},
                lambda r, pledge_id=pledge_id: pledge_id,
            )
            if official_id in standing:
                old[pledge_id].rows["contact"][official_id] = _row_values(
                    {n: standing[official_id][n] for n in names}
                )
            if official_id in live:
                new[pledge_id].rows["contact"][official_id] = _row_values(live[official_id])
            old[pledge_id], new[pledge_id]
    # Sub-project names, for the labels of figures (now, and as they were).
    changed = list(new)
    if changed:
        live = Project.objects.filter(pledge_id__in=changed).values_list("pledge_id", "id", "name")
        for pledge_id, pk, name in live:
            new[pledge_id].project_names[pk] = name
            old[pledge_id].project_names.setdefault(pk, name)
        past = (
            Project.history.filter(pledge_id__in=changed, history_date__lte=until)
            .order_by(*order)
            .values("id", "pledge_id", "name", "history_date", "history_type")
        )
        for pk, row in _replay(past, moments, lambda r: r["pledge_id"]).items():
            old[row["pledge_id"]].project_names[pk] = row["name"]
    return {pk: (old[pk], new[pk]) for pk in changed}


def stage_reasons(moments: dict[int, datetime]) -> dict[int, str]:
    """For each pledge, the reason recorded with its latest stage change after its moment."""
    reasons: dict[int, str] = {}
    previous: dict[int, str] = {}
    rows = Pledge.history.filter(id__in=list(moments)).order_by("history_date", "history_id")
    for pk, stage, when, reason in rows.values_list(
        "id", "stage", "history_date", "history_change_reason"
    ):
        if pk in previous and previous[pk] != stage and when > moments[pk]:
            reasons[pk] = reason or ""
        previous[pk] = stage
    return reasons


# Lines -----------------------------------------------------------------------------------

FIELD_LABELS = {
    f.attname: korean(f.verbose_name) for f in Pledge._meta.concrete_fields if f.verbose_name
}
STAGES = {stage.value: stage.label for stage in Stage}


def _label_of(value: Any, name: str, lookups: dict) -> Any:
    if value is None or value == "":
        return None
    if name == "stage":
        return korean(STAGES.get(value, value))
    if name in lookups:
        return lookups[name].get(value, value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row_text(kind: str, row: dict, names: dict[int, str], lookups: dict) -> str:
    project = names.get(row.get("project_id"), "")
    prefix = f"[{project}] " if project and len(names) > 1 else ""
    if kind == "project":
        return row["name"]
    if kind == "plan":
        until = f"–{periods.label(row['until'])}" if row.get("until") else ""
        return f"{prefix}{periods.label(row['period'])}{until}: {row['text']}"
    if kind == "milestone":
        return f"{prefix}{row['date_text']} {row['text']}".strip()
    if kind == "official":
        return str(lookups["official"].get(row["official_id"], row["official_id"]))
    if kind == "contact":
        role = korean(Role(row["role"]).label) if row.get("role") in Role.values else ""
        return " ".join(str(part) for part in (role, row.get("name"), row.get("phone")) if part)
    if kind == "work_plan":
        return str(lookups["work_plan"].get(row["item_id"], row["item_id"]))
    if kind == "material":
        return f"{prefix}{row['title']}"
    if kind == "adjustment":
        when = printed_date(row["date"], row["date_precision"]) or "시점 원문에 없음"
        kind_name = korean(AdjustmentKind(row["kind"]).label)
        return f"{kind_name} ({when}): {row['before_text']} → {row['after_text']}"
    if kind == "source_note":
        return f"{korean(NoteKind(row['kind']).label)}: {row['text']}"
    if kind == "progress":
        category = f" {row['category']}" if row["category"] else ""
        return f"{row['indicator']} {periods.label(row['period'])}{category}: {row['value']:,}"
    return str(row)


def _figure_label(key: tuple, names: dict[int, str]) -> str:
    project_id, kind, source, period = key
    parts = []
    if len(names) > 1:
        parts.append(names.get(project_id, ""))
    parts.append(korean(FigureKind(kind).label))
    if source != FundingSource.TOTAL:
        parts.append(korean(FundingSource(source).label))
    parts.append(str(periods.label(period)))
    return " ".join(part for part in parts if part)


def _lookups(states: list[CardState]) -> dict[str, dict]:
    officials, items, departments, visions = set(), set(), set(), set()
    for state in states:
        departments.add(state.fields.get("department_id"))
        visions.add(state.fields.get("vision_id"))
        officials |= {row["official_id"] for row in state.rows["official"].values()}
        items |= {row["item_id"] for row in state.rows["work_plan"].values()}
    return {
        "official": {o.pk: str(o) for o in Official.objects.filter(pk__in=officials)},
        "work_plan": {i.pk: str(i) for i in WorkPlanItem.objects.filter(pk__in=items)},
        "department_id": dict(
            Department.objects.filter(pk__in=departments).values_list("pk", "name")
        ),
        "vision_id": {v.pk: str(v) for v in Vision.objects.filter(pk__in=visions)},
    }


def diff_lines(
    old: CardState, new: CardState, *, stage_reason: str = "", lookups=None
) -> list[dict]:
    """The lines that changed from ``old`` to ``new``: card fields (the stage with its date
    and reason), figures cell by cell, and rows added, removed or changed."""
    lookups = lookups if lookups is not None else _lookups([old, new])
    lines: list[dict] = []
    stage_changed = old.fields.get("stage") != new.fields.get("stage")
    if stage_changed:
        since = new.fields.get("stage_since")
        lines.append(
            {
                "kind": "stage",
                "label": "단계",
                "old": _label_of(old.fields.get("stage"), "stage", lookups),
                "new": _label_of(new.fields.get("stage"), "stage", lookups),
                "date": since.isoformat() if since else None,
                "reason": stage_reason,
            }
        )
    for name in new.fields:
        if name == "stage" or (name in STAGE_LINE_FIELDS and stage_changed):
            continue  # the stage's line says its date and reason
        before, after = old.fields.get(name), new.fields.get(name)
        if before != after:
            lines.append(
                {
                    "kind": "field",
                    "label": FIELD_LABELS.get(name.removesuffix("_id"), name),
                    "old": _label_of(before, name, lookups),
                    "new": _label_of(after, name, lookups),
                    "reason": "",
                }
            )
    names = {**old.project_names, **new.project_names}
    for key in sorted(set(old.figures) | set(new.figures), key=_figure_order):
        before, after = old.figures.get(key), new.figures.get(key)
        if before != after:
            lines.append(
                {
                    "kind": "figure",
                    "label": _figure_label(key, names),
                    "old": before,
                    "new": after,
                    "unit": UNIT,
                    "reason": "",
                }
            )
    for _model, kind, label in (*ROWS, CONTACT):
        before_rows, after_rows = old.rows.get(kind, {}), new.rows.get(kind, {})
        for pk in sorted(set(before_rows) | set(after_rows)):
            before, after = before_rows.get(pk), after_rows.get(pk)
            if before == after:
                continue
            lines.append(
                {
                    "kind": kind,
                    "label": label,
                    "old": _row_text(kind, before, names, lookups) if before else None,
                    "new": _row_text(kind, after, names, lookups) if after else None,
                    "reason": "",
                }
            )
    return lines


def _figure_order(key: tuple) -> tuple:
    project_id, kind, source, period = key
    kinds = list(FigureKind.values)
    sources = list(FundingSource.values)
    return (project_id, kinds.index(kind), sources.index(source), periods.sort_key(period))


def _amount(value: int | None) -> str:
    return "없음" if value is None else f"{value:,}"


def line_text(line: dict) -> str:
    """One line in plain Korean: "집행금액 2025: 9,459 → 9,466 백만원",
    "단계 추진 → 완료 (2026-03-02), 사유 …", "추진현황 추가: 2026. 3. 준공"."""
    kind, label, old, new = line["kind"], line["label"], line.get("old"), line.get("new")
    if kind == "figure":
        return f"{label}: {_amount(old)} → {_amount(new)} {line.get('unit', UNIT)}"
    if kind == "stage":
        text = f"{label} {old or '없음'} → {new or '없음'}"
        if line.get("date"):
            text += f" ({line['date']})"
        if line.get("reason"):
            text += f", 사유 {line['reason']}"
        return text
    if kind == "field":
        return (
            f"{label}: {old if old is not None else '없음'} → {new if new is not None else '없음'}"
        )
    if old is None:
        return f"{label} 추가: {new}"
    if new is None:
        return f"{label} 삭제: {old}"
    return f"{label} 변경: {old} → {new}"
