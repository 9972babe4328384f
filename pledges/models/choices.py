"""The vocabularies of a pledge card: attributes, stages, date precision, materials.

Labels are Korean, through gettext; English is in ``locale/en`` (see ``pledges.labels``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class MaterialKind(models.TextChoices):
    PHOTO = "photo", _("Photo or figure")
    PRESS = "press", _("Press article")


class MilestoneStatus(models.TextChoices):
    """A milestone against the card's as-of date: done, still running, or planned (예정)."""

    DONE = "done", _("Complete")
    ONGOING = "ongoing", _("ongoing")
    PLANNED = "planned", _("planned")
