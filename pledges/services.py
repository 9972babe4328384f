"""Writes for pledges: the card as edited in the admin, and loading it from its fixture."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.locking import version_check
from core.services import Counts, record_delete, record_save, record_upsert, stale_delete, tally
from departments.models import Department, WorkPlanItem
from departments.services import official_upsert

from .dates import parse_printed_date
from .models import (
    ATTRIBUTES,
    Milestone,
    Pledge,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    SourceNote,
    StageProvenance,
    Term,
    Vision,
    WorkPlanLink,
    YearPlan,
)


def pledge_stage_check(
    *, pledge: Pledge, stage: str, stage_changed_on: date | None, reason: str
) -> None:
    """Staff set a stage by changing it, or by giving the date they set it on (to confirm
    an inferred stage): either needs the date and a reason (keys: the arguments)."""
    if pledge.pk is None and not stage_changed_on:
        return
    stored = Pledge.objects.filter(pk=pledge.pk).values_list("stage", flat=True).first()
    if stored == stage and not stage_changed_on:
        return
    errors = {}
    if not stage_changed_on:
        errors["stage_changed_on"] = _("A stage change needs the date it happened.")
    if not reason:
        errors["reason"] = _("A stage change needs a reason.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pledge_save(
    *,
    pledge: Pledge,
    stage_changed_on: date | None = None,
    user=None,
    reason: str = "",
    expected_version: str | None = None,
) -> Pledge:
    """Save a pledge card's own fields. Staff setting the stage (a change, or a date given
    for the current one) make it theirs: provenance "staff", with the date as "stage
    since" and the reason shown publicly; no longer printed or inferred."""
    version_check(obj=pledge, expected=expected_version)
    pledge_stage_check(
        pledge=pledge, stage=pledge.stage, stage_changed_on=stage_changed_on, reason=reason
    )
    if stage_changed_on:
        pledge.stage_provenance = StageProvenance.STAFF
        pledge.stage_since = stage_changed_on
        pledge.stage_reason = reason
        pledge.stage_inference = ""
    record_save(obj=pledge, user=user, reason=reason)
    return pledge


@transaction.atomic
def card_row_save(
    *, obj: models.Model, user=None, reason: str = "", expected_version: str | None = None
) -> models.Model:
    """Save a row of a card (sub-project, plan, milestone, official link, material, count).

    Its links must stay on the same card (``same_pledge_errors`` in the models) and its
    history carries the card's reason. The card's version covers its rows: saving the
    card moves it. A row edited elsewhere too (a sub-project: its own page, its money
    grid) is saved against its own ``expected_version``.
    """
    record_save(obj=obj, user=user, reason=reason, expected_version=expected_version)
    return obj


@transaction.atomic
def card_row_delete(*, obj: models.Model, user=None, reason: str = "") -> None:
    """Delete a row of a card.

    A sub-project that still has money cannot be deleted (the figures protect it): its
    money is cleared first in its grid, through ``budgets.services.project_figures_update``,
    which refreshes the pledge's totals itself. So deleting a row never changes money.
    """
    record_delete(obj=obj, user=user, reason=reason)


@transaction.atomic
def terms_seed(*, data: dict[str, Any]) -> Counts:
    """Load terms and visions from ``fixtures/terms.toml``."""
    counts: Counts = {}
    for row in data.get("terms", []):
        values = {k: row[k] for k in ("name", "start", "end", "is_current")}
        for key in ("name_en", "sources", "sources_en", "figures_as_of", "figures_as_of_en"):
            values[key] = row.get(key, "").strip()
        tally(counts, record_upsert(Term, lookup={"number": row["number"]}, values=values)[1])
    for row in data.get("visions", []):
        term = Term.objects.get(number=row["term"])
        values = {key: row.get(key, "") for key in ("title", "subtitle", "title_en", "subtitle_en")}
        lookup = {"term": term, "number": row["number"]}
        tally(counts, record_upsert(Vision, lookup=lookup, values=values)[1])
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
                "title_en",
                "index_title",
                "objective",
                "target",
                "target_en",
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
    values["stage_provenance"] = (
        StageProvenance.INFERRED if values["stage_inference"] else StageProvenance.PRINTED
    )
    values["stage_reason"] = ""
    pledge, status = record_upsert(
        Pledge, lookup={"term": term, "code": data["code"]}, values=values
    )
    tally(counts, status)

    projects = {}
    for position, row in enumerate(data.get("projects", []), start=1):
        project, status = record_upsert(
            Project,
            lookup={"pledge": pledge, "name": row["name"]},
            values={"position": position, "overview": row.get("overview", "")},
        )
        projects[row["name"]] = project
        tally(counts, status)
    stale_delete(pledge.projects.all(), keep=[p.pk for p in projects.values()], counts=counts)

    _plans_seed(pledge, data, projects, counts)
    _milestones_seed(pledge, data.get("milestones", []), projects, counts)
    _materials_seed(pledge, data.get("materials", []), projects, counts)
    _officials_seed(pledge, data.get("officials", []), counts)
    _work_plan_seed(pledge, data.get("work_plan", []), counts)
    _progress_seed(pledge, data.get("progress", []), counts)
    _adjustments_seed(pledge, data.get("adjustments", []), counts)
    _source_notes_seed(pledge, data.get("source_notes", []), projects, counts)
    return pledge


def _plans_seed(pledge: Pledge, data: dict, projects: dict[str, Project], counts: Counts) -> None:
    wanted: list[tuple[Project | None, dict, dict, dict]] = [
        (None, data.get("plans", {}), data.get("plan_headers", {}), data.get("plan_until", {}))
    ]
    for row in data.get("projects", []):
        if "plans" in row:
            wanted.append(
                (
                    projects[row["name"]],
                    row["plans"],
                    row.get("plan_headers", {}),
                    row.get("plan_until", {}),
                )
            )
    keep = []
    for project, plans, headers, until in wanted:
        for period, text in plans.items():
            plan, status = record_upsert(
                YearPlan,
                lookup={"pledge": pledge, "project": project, "period": str(period)},
                values={
                    "text": text,
                    "header": headers.get(period, ""),
                    "until": str(until.get(period, "")),
                },
            )
            keep.append(plan.pk)
            tally(counts, status)
    stale_delete(YearPlan.objects.filter(pledge=pledge), keep=keep, counts=counts)


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
        tally(counts, status)
        return milestone

    for row in rows:
        project = projects[row["project"]] if row.get("project") else None
        parent = put(row, project, None)
        for note in row.get("notes", []):
            put(note, project, parent)
    stale_delete(pledge.milestones.filter(parent__isnull=False), keep=keep, counts=counts)
    stale_delete(pledge.milestones.all(), keep=keep, counts=counts)


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
        tally(counts, status)
    stale_delete(pledge.materials.all(), keep=keep, counts=counts)


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
        tally(counts, status)
    stale_delete(PledgeOfficial.objects.filter(pledge=pledge), keep=keep, counts=counts)


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
        tally(counts, status)
    stale_delete(WorkPlanLink.objects.filter(pledge=pledge), keep=keep, counts=counts)


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
                tally(counts, status)
    stale_delete(pledge.progress.all(), keep=keep, counts=counts)


def _adjustments_seed(pledge: Pledge, rows: list[dict], counts: Counts) -> None:
    keep = []
    for row in rows:
        printed = parse_printed_date(row.get("date", ""))
        adjustment, status = record_upsert(
            PledgeAdjustment,
            lookup={"pledge": pledge, "kind": row["kind"], "citation": row["citation"]},
            values={
                "date": printed.start,
                "date_precision": printed.start_precision,
                "reason": row["reason"],
                "before_text": row["before"],
                "after_text": row["after"],
                "approved_by": row.get("approved_by", ""),
            },
        )
        keep.append(adjustment.pk)
        tally(counts, status)
    stale_delete(pledge.adjustments.all(), keep=keep, counts=counts)


def _source_notes_seed(
    pledge: Pledge, rows: list[dict], projects: dict[str, Project], counts: Counts
) -> None:
    keep = []
    for position, row in enumerate(rows, start=1):
        note, status = record_upsert(
            SourceNote,
            lookup={"pledge": pledge, "position": position},
            values={
                "project": projects[row["project"]] if row.get("project") else None,
                "kind": row["kind"],
                "place": row["place"],
                "text": row["text"],
                "text_en": row.get("text_en", ""),
                "citation": row["citation"],
            },
        )
        keep.append(note.pk)
        tally(counts, status)
    stale_delete(pledge.source_notes.all(), keep=keep, counts=counts)
