"""Money of a pledge's sub-projects, cell by cell as the card prints it, in 백만원."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from pledges import periods
from pledges.models import Project


class FundingSource(models.TextChoices):
    """재원. ``TOTAL`` is the printed total row (계), kept as published next to its parts."""

    TOTAL = "total", _("Total")
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", pgettext_lazy("funding source", "City")
    PRIVATE = "private", _("Private")
    SPECIAL_GRANT = "special_grant", _("Special grant")
    OTHER = "other", _("Other")


class FigureKind(models.TextChoices):
    """Which printed table a figure belongs to."""

    INVESTMENT = "investment", _("Investment plan")
    COST_INITIAL = "cost_initial", _("Total cost, initial plan")
    COST_CURRENT = "cost_current", _("Total cost, current plan")
    IN_TERM_PLAN = "in_term_plan", _("In-term plan")
    SECURED = "secured", pgettext_lazy("money table", "Secured")
    EXECUTED = "executed", pgettext_lazy("money table", "Executed")


# Which rows (sources) and columns (periods) each table has. "year" stands for any
# year of the term, "through" for a cumulative "~2022" column.
SHAPES: dict[str, tuple[bool, set[str]]] = {
    # kind: (split by source?, period kinds allowed)
    FigureKind.INVESTMENT: (True, {"total", "prior", "year", "after"}),
    FigureKind.COST_INITIAL: (False, {"total"}),
    FigureKind.COST_CURRENT: (False, {"total"}),
    FigureKind.IN_TERM_PLAN: (False, {"total", "year", "through", "after"}),
    FigureKind.SECURED: (True, {"total"}),
    FigureKind.EXECUTED: (False, {"total", "year", "through"}),
}


class BudgetFigure(models.Model):
    """One published cell of a money table of a sub-project, in 백만원 (millions of won).

    A cell that was printed blank or as a dash is *not published*: it has no row here,
    which is different from a row with amount 0.
    """

    # PROTECT: money leaves only through ``project_figures_update`` (its rules, its
    # history, the pledge's totals refreshed in the same transaction), never as a side
    # effect of deleting the sub-project or the pledge it belongs to.
    project = models.ForeignKey(
        Project, verbose_name=_("sub-project"), on_delete=models.PROTECT, related_name="figures"
    )
    kind = models.CharField(_("table"), max_length=20, choices=FigureKind.choices)
    source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices, default="total"
    )
    period = models.CharField(
        _("period"),
        max_length=8,
        default=periods.TOTAL,
        help_text=_("total, prior (기투자), a year such as 2024, ~2022, or after (임기후)."),
    )
    amount = models.BigIntegerField(
        _("amount (백만원)"), help_text=_("Millions of won, a whole number as published.")
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("How the cell was read where the printed table is unusual."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget figure")
        verbose_name_plural = _("budget figures")
        ordering = ["project", "kind", "source", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "source", "period"],
                name="%(app_label)s_%(class)s_one_per_cell",
                violation_error_message=_(
                    "There is already an amount for this sub-project, table, source and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FigureKind.values) & Q(source__in=FundingSource.values),
                name="%(app_label)s_%(class)s_known_kind_and_source",
                violation_error_message=_("Unknown table or funding source."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project} {self.get_kind_display()} {self.get_source_display()} "
            f"{periods.label(self.period)}: {self.amount:,}"
        )

    def clean(self) -> None:
        errors = {}
        by_source, period_kinds = SHAPES.get(self.kind, (True, set()))
        if not by_source and self.source != FundingSource.TOTAL:
            errors["source"] = _("This table is not split by funding source.")
        try:
            period_kind, year = periods.parse(self.period)
        except ValueError:
            errors["period"] = _(
                "The period must be total, prior, a year such as 2024, ~2022 or after."
            )
        else:
            if period_kind not in period_kinds:
                errors["period"] = _("This table has no such period.")
            elif year is not None and self.project_id:
                years = self.project.pledge.term.years
                if year not in years:
                    errors["period"] = _(
                        "The year must be within the term (%(first)s–%(last)s)."
                    ) % {"first": years[0], "last": years[-1]}
        if errors:
            raise ValidationError(errors)


class ReportStatus(models.TextChoices):
    """Where a background audit workbook stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class AuditReportJob(models.Model):
    """One audit workbook asked for in the admin, written by the task worker.

    The file lives under ``settings.AUDIT_REPORTS_DIR`` (never under a public URL) and is
    handed out only to the person who asked (or a superuser) until ``expires_at``.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="audit_report_jobs",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Blank: every department."),
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    pledges_done = models.PositiveIntegerField(_("pledges written"), default=0)
    pledges_total = models.PositiveIntegerField(_("pledges in the report"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit report job")
        verbose_name_plural = _("audit report jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="budgets_report_job_owner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pledges_done__lte=models.F("pledges_total")),
                name="%(app_label)s_%(class)s_progress_within_total",
                violation_error_message=_(
                    "Pledges written cannot exceed the pledges in the report."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="%(app_label)s_%(class)s_known_status",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.department.name if self.department_id else "전체"
        day = self.as_of.isoformat() if self.as_of else "현재"
        return f"감사 보고서 {scope} {day} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        """Pledges written out of the pledges in the report, rounded down (100 only when done)."""
        if self.status == ReportStatus.DONE:
            return 100
        if not self.pledges_total:
            return 0
        return min(99, self.pledges_done * 100 // self.pledges_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED, ReportStatus.EXPIRED)
