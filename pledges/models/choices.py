"""The vocabularies of a pledge card: attributes, stages, date precision, materials."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectType(models.TextChoices):
    NEW = "new", _("New (신규)")
    CONTINUING = "continuing", _("Continuing (계속)")


class Implementer(models.TextChoices):
    STATE = "state", _("National or provincial (국가·도)")
    CITY = "city", _("City (파주)")
    OTHER = "other", _("Other (기타)")


class Completion(models.TextChoices):
    IN_TERM = "in_term", _("Within the term (임기내)")
    AFTER_TERM = "after_term", _("After the term (임기후)")


class BudgetType(models.TextChoices):
    BUDGET = "budget", _("Budget (예산)")
    NON_BUDGET = "non_budget", _("Non-budget (비예산)")


class CentralSupport(models.TextChoices):
    NONE = "none", _("Not needed (불요)")
    LEGAL = "legal", _("Legal (제도)")
    FINANCIAL = "financial", _("Financial (재정)")
    AUTHORITY = "authority", _("Authority (권한)")


class Stage(models.TextChoices):
    """Implementation stage (이행단계): 검토 → 추진 → 완료, or 불가."""

    REVIEW = "review", _("Review (검토)")
    IN_PROGRESS = "in_progress", _("In progress (추진)")
    COMPLETE = "complete", _("Complete (완료)")
    INFEASIBLE = "infeasible", _("Not feasible (불가)")


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

    DONE = "done", _("done")
    ONGOING = "ongoing", _("ongoing")
    PLANNED = "planned", _("planned")
