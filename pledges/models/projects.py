"""Sub-projects (세부사업) and the plan per year (추진계획)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import periods
from .pledge import Pledge


class ProjectManager(models.Manager):
    def get_by_natural_key(self, term_number: int, code: str, name: str) -> "Project":
        return self.get(pledge__term__number=term_number, pledge__code=code, name=name)


class Project(models.Model):
    """A sub-project (세부사업) of a pledge: money hangs off it and rolls up to the pledge."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("본사업 where the card has a single project.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    overview = models.TextField(_("overview"), blank=True)
    updated_at = models.DateTimeField(
        _("last updated"), auto_now=True, help_text=_("Also moves when its figures change.")
    )

    objects = ProjectManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sub-project")
        verbose_name_plural = _("sub-projects")
        ordering = ["pledge", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This pledge already has a sub-project with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.name}"

    def natural_key(self) -> tuple:
        return (*self.pledge.natural_key(), self.name)


class YearPlan(models.Model):
    """The plan text of one period (2022…2026, 임기후) from a card's 추진계획 table."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="year_plans"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("sub-project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Only where the card prints a plan per sub-project."),
    )
    period = models.CharField(_("period"), max_length=8)
    until = models.CharField(
        _("until period"),
        max_length=8,
        blank=True,
        help_text=_(
            "The last period of a cell printed across several years (e.g. 2023 to 2025); "
            "blank: the cell is one period."
        ),
    )
    text = models.CharField(_("plan"), max_length=300)
    header = models.CharField(
        _("column header as printed"),
        max_length=20,
        blank=True,
        help_text=_("Only where it differs from the year, e.g. 2026. 3."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan per year")
        verbose_name_plural = _("plans per year")
        ordering = ["pledge", "project__position", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "project", "period"],
                name="%(app_label)s_%(class)s_unique_period",
                violation_error_message=_("A plan for this period already exists."),
            ),
            models.UniqueConstraint(
                fields=["pledge", "period"],
                condition=Q(project__isnull=True),
                name="%(app_label)s_%(class)s_unique_pledge_period",
                violation_error_message=_("A plan for this period already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.period_label}: {self.text}"

    @property
    def period_label(self) -> str:
        """ "2024" or, for a cell spanning years, "2023–2025"."""
        if self.until:
            return f"{periods.label(self.period)}–{periods.label(self.until)}"
        return periods.label(self.period)

    def spans(self, period: str) -> bool:
        """Whether this plan's cell covers ``period`` (its own, or one inside its span)."""
        if not self.until:
            return period == self.period
        key = periods.sort_key(period)
        return periods.sort_key(self.period) <= key <= periods.sort_key(self.until)

    def clean(self) -> None:
        errors = same_pledge_errors(self, "project")
        if self.pledge_id and not periods.is_valid(self.period, self.pledge.term.years):
            errors["period"] = _("Not a period of the term.")
        elif self.until and self.pledge_id:
            if not periods.is_valid(self.until, self.pledge.term.years):
                errors["until"] = _("Not a period of the term.")
            elif periods.sort_key(self.until) <= periods.sort_key(self.period):
                errors["until"] = _("The last period must come after the first.")
        if errors:
            raise ValidationError(errors)


def same_pledge_errors(obj: models.Model, *links: str) -> dict[str, str]:
    """Errors for links of a card's row (sub-project, parent milestone) to another pledge.

    A row of one card may only point at sub-projects and rows of the same card: a forged
    id of another pledge's (or department's) record is refused whichever door it uses.
    """
    errors = {}
    for name in links:
        target = getattr(obj, name)
        if target is not None and obj.pledge_id and target.pledge_id != obj.pledge_id:
            errors[name] = _("Choose an entry of the same pledge.")
    if getattr(obj, "parent_id", None) and obj.parent_id == obj.pk:
        errors["parent"] = _("It cannot be under itself.")
    return errors
