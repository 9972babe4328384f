"""The vocabularies of a pledge card: attributes, stages, date precision, materials.

Labels are English msgids; the Korean is in ``locale/ko`` (see ``pledges.labels``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectType(models.TextChoices):
    NEW = "new", _("New")
    CONTINUING = "continuing", _("Continuing")


class Implementer(models.TextChoices):
    STATE = "state", _("National or provincial")
    CITY = "city", _("City")
    OTHER = "other", _("Other")


class Completion(models.TextChoices):
    IN_TERM = "in_term", _("Within the term")
    AFTER_TERM = "after_term", _("After the term")


class BudgetType(models.TextChoices):
    BUDGET = "budget", _("Budget")
    NON_BUDGET = "non_budget", _("Non-budget")


class CentralSupport(models.TextChoices):
    NONE = "none", _("Not needed")
    LEGAL = "legal", _("Legal")
    FINANCIAL = "financial", _("Financial")
    AUTHORITY = "authority", _("Authority")


class Stage(models.TextChoices):
    """Implementation stage (이행단계): 검토 → 추진 → 완료, or 불가."""

    REVIEW = "review", _("Review")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")
    INFEASIBLE = "infeasible", _("Not feasible")


class StageProvenance(models.TextChoices):
    """Where a pledge's stage comes from: the printed card, an inference from its text
    (the check marks did not survive the extraction), or staff who set it with a date
    and a reason. Every public door reads this one field."""

    PRINTED = "printed", pgettext_lazy("stage provenance", "Printed")
    INFERRED = "inferred", pgettext_lazy("stage provenance", "Inferred")
    STAFF = "staff", pgettext_lazy("stage provenance", "Set by the department")


class AdjustmentKind(models.TextChoices):
    """Kinds of 공약 조정 (pledge adjustment) as Korean cities record them."""

    CHANGE = "change", pgettext_lazy("pledge adjustment", "Change")
    REDUCTION = "reduction", pgettext_lazy("pledge adjustment", "Reduction")
    MERGER = "merger", pgettext_lazy("pledge adjustment", "Merger")
    ABANDONMENT = "abandonment", pgettext_lazy("pledge adjustment", "Abandonment")


# Attributes whose printed check marks the text extraction lost: each has a
# ``<name>_inference`` field, blank when the value was read from the card.
ATTRIBUTES = (
    "project_type",
    "implementer",
    "completion",
    "budget_type",
    "central_support",
    "stage",
)


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


class NoteKind(models.TextChoices):
    """What a note about a card's source is: the source contradicts itself (원문 불일치), a
    damaged passage read one way (판독), or a fact worth knowing (참고: spending above
    plan, a change over time). Staff-entered values never make a 원문 불일치."""

    SOURCE = "source", pgettext_lazy("source note", "Source inconsistency")
    READING = "reading", pgettext_lazy("source note", "Reading of a damaged source")
    NOTE = "note", pgettext_lazy("source note", "Note")


class NotePlace(models.TextChoices):
    """Where on a card a note stands: beside the overview, the money or the milestones."""

    OVERVIEW = "overview", pgettext_lazy("note place", "Overview")
    MONEY = "money", pgettext_lazy("note place", "Money")
    MILESTONES = "milestones", pgettext_lazy("note place", "Milestones")


def printed_date(value, precision: str) -> str:
    """A date as precisely as it is printed: "2024. 1. 5.", "2024. 1.", "2024.", or ""."""
    if value is None or not precision:
        return ""
    if precision == DatePrecision.DAY:
        return f"{value.year}. {value.month}. {value.day}."
    if precision == DatePrecision.MONTH:
        return f"{value.year}. {value.month}."
    return f"{value.year}."


class MaterialKind(models.TextChoices):
    PHOTO = "photo", _("Photo or figure")
    PRESS = "press", _("Press article")


class MilestoneStatus(models.TextChoices):
    """A milestone against the card's as-of date: done, still running, or planned (예정)."""

    DONE = "done", _("Complete")
    ONGOING = "ongoing", _("ongoing")
    PLANNED = "planned", _("planned")
