"""Writes for pledges: loading a pledge card from its fixture, idempotently."""

from typing import Any

from django.db import models, transaction

from departments.models import Department, WorkPlanItem
from departments.services import SEED_REASON, official_upsert, record_upsert

from .dates import parse_printed_date
from .models import (
    ATTRIBUTES,
    Milestone,
    Pledge,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    Term,
    Vision,
    WorkPlanLink,
    YearPlan,
)

Counts = dict[str, int]


def _tally(counts: Counts, status: str) -> None:
    counts[status] = counts.get(status, 0) + 1


def _delete_stale(queryset: models.QuerySet, keep: list[int], counts: Counts) -> None:
    """Delete the rows of ``queryset`` not in ``keep``, one by one so history records them."""
    for obj in queryset.exclude(pk__in=keep):
        obj._change_reason = SEED_REASON
        obj.delete()
        _tally(counts, "deleted")


@transaction.atomic
def terms_seed(*, data: dict[str, Any]) -> Counts:
    """Load terms and visions from ``fixtures/terms.toml``."""
    counts: Counts = {}
    for row in data.get("terms", []):
        values = {k: row[k] for k in ("name", "start", "end", "is_current")}
        _tally(counts, record_upsert(Term, lookup={"number": row["number"]}, values=values)[1])
    for row in data.get("visions", []):
        term = Term.objects.get(number=row["term"])
        values = {"title": row["title"], "subtitle": row.get("subtitle", "")}
        lookup = {"term": term, "number": row["number"]}
        _tally(counts, record_upsert(Vision, lookup=lookup, values=values)[1])
    return counts


@transaction.atomic
def pledge_seed(*, data: dict[str, Any], counts: Counts) -> Pledge:
    """Create or update one pledge card and everything on it except money."""
    term = Term.objects.get(number=data["term"])
    values: dict[str, Any] = {
        "vision": Vision.objects.get(term=term, number=data["vision"]),
        "department": Department.objects.get(name=data["department"]),
        **{
            key: data.get(key, "")
            for key in (
                "title",
                "index_title",
                "objective",
                "target",
                "overview",
                "plan_note",
                "problems",
                "as_of_note",
                "source",
            )
        },
        "target_year": data.get("target_year"),
        "as_of": data["as_of"],
        "as_of_precision": data.get("as_of_precision", ""),
    }
    for attribute in ATTRIBUTES:
        value, reason = data["attributes"].get(attribute, ["", ""])
        values[attribute] = value
        values[f"{attribute}_inference"] = reason
    pledge, status = record_upsert(
        Pledge, lookup={"term": term, "code": data["code"]}, values=values
    )
    _tally(counts, status)

    projects = {}
    for position, row in enumerate(data.get("projects", []), start=1):
        project, status = record_upsert(
            Project,
            lookup={"pledge": pledge, "name": row["name"]},
            values={"position": position, "overview": row.get("overview", "")},
        )
        projects[row["name"]] = project
        _tally(counts, status)
    _delete_stale(pledge.projects.all(), [p.pk for p in projects.values()], counts)

    _plans_seed(pledge, data, projects, counts)
    _milestones_seed(pledge, data.get("milestones", []), projects, counts)
    _materials_seed(pledge, data.get("materials", []), projects, counts)
    _officials_seed(pledge, data.get("officials", []), counts)
    _work_plan_seed(pledge, data.get("work_plan", []), counts)
    _progress_seed(pledge, data.get("progress", []), counts)
    return pledge


def _plans_seed(pledge: Pledge, data: dict, projects: dict[str, Project], counts: Counts) -> None:
    wanted: list[tuple[Project | None, dict, dict]] = [
        (None, data.get("plans", {}), data.get("plan_headers", {}))
    ]
    for row in data.get("projects", []):
        if "plans" in row:
            wanted.append((projects[row["name"]], row["plans"], row.get("plan_headers", {})))
    keep = []
    for project, plans, headers in wanted:
        for period, text in plans.items():
            plan, status = record_upsert(
                YearPlan,
                lookup={"pledge": pledge, "project": project, "period": str(period)},
                values={"text": text, "header": headers.get(period, "")},
            )
            keep.append(plan.pk)
            _tally(counts, status)
    _delete_stale(YearPlan.objects.filter(pledge=pledge), keep, counts)


def _milestones_seed(
    pledge: Pledge, rows: list[dict], projects: dict[str, Project], counts: Counts
) -> None:
    keep: list[int] = []
    position = 0

    def put(row: dict, project: Project | None, parent: Milestone | None) -> Milestone:
        nonlocal position
        position += 1
        printed = parse_printed_date(row.get("date", ""))
        milestone, status = record_upsert(
            Milestone,
            lookup={"pledge": pledge, "position": position},
            values={
                "project": project,
                "parent": parent,
                "date_text": row.get("date", ""),
                "start": printed.start,
                "start_precision": printed.start_precision,
                "end": printed.end,
                "end_precision": printed.end_precision,
                "open_ended": printed.open_ended,
                "text": row["text"],
            },
        )
        keep.append(milestone.pk)
        _tally(counts, status)
        return milestone

    for row in rows:
        project = projects[row["project"]] if row.get("project") else None
        parent = put(row, project, None)
        for note in row.get("notes", []):
            put(note, project, parent)
    _delete_stale(pledge.milestones.filter(parent__isnull=False), keep, counts)
    _delete_stale(pledge.milestones.all(), keep, counts)


def _materials_seed(
    pledge: Pledge, rows: list[dict], projects: dict[str, Project], counts: Counts
) -> None:
    keep = []
    for position, row in enumerate(rows, start=1):
        material, status = record_upsert(
            RelatedMaterial,
            lookup={"pledge": pledge, "position": position},
            values={
                "project": projects[row["project"]] if row.get("project") else None,
                "kind": row["kind"],
                "title": row["title"],
                "outlet": row.get("outlet", ""),
                "published": row.get("published", ""),
                "excerpt": row.get("excerpt", ""),
            },
        )
        keep.append(material.pk)
        _tally(counts, status)
    _delete_stale(pledge.materials.all(), keep, counts)


def _officials_seed(pledge: Pledge, rows: list[dict], counts: Counts) -> None:
    keep = []
    for position, row in enumerate(rows, start=1):
        official = official_upsert(
            department=pledge.department, role=row["role"], name=row["name"], phone=row["phone"]
        )
        link, status = record_upsert(
            PledgeOfficial,
            lookup={"pledge": pledge, "official": official},
            values={"position": position, "note": row.get("note", "")},
        )
        keep.append(link.pk)
        _tally(counts, status)
    _delete_stale(PledgeOfficial.objects.filter(pledge=pledge), keep, counts)


def _work_plan_seed(pledge: Pledge, rows: list[dict], counts: Counts) -> None:
    keep = []
    for row in rows:
        item = WorkPlanItem.objects.get(
            department__name=row["department"], year=row["year"], number=row["number"]
        )
        link, status = record_upsert(
            WorkPlanLink, lookup={"pledge": pledge, "item": item}, values={"reason": row["reason"]}
        )
        keep.append(link.pk)
        _tally(counts, status)
    _delete_stale(WorkPlanLink.objects.filter(pledge=pledge), keep, counts)


def _progress_seed(pledge: Pledge, tables: list[dict], counts: Counts) -> None:
    keep = []
    for table in tables:
        for row in table["rows"]:
            for category, value in zip(table["columns"], row["values"], strict=True):
                count, status = record_upsert(
                    ProgressCount,
                    lookup={
                        "pledge": pledge,
                        "indicator": table["indicator"],
                        "period": str(row["period"]),
                        "category": category,
                    },
                    values={"value": value, "note": row.get("note", "") if not category else ""},
                )
                keep.append(count.pk)
                _tally(counts, status)
    _delete_stale(pledge.progress.all(), keep, counts)
