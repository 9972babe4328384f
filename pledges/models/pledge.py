"""The pledge (공약): one card of the pledge book."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import Department, Official, WorkPlanItem

from .choices import (
    BudgetType,
    CentralSupport,
    Completion,
    DatePrecision,
    Implementer,
    ProjectType,
    Stage,
    StageProvenance,
)
from .terms import UNOFFICIAL_HELP, Term, Vision


def _inference_field() -> models.CharField:
    return models.CharField(
        _("inferred because"),
        max_length=300,
        blank=True,
        help_text=_("Blank: read from the card. Otherwise the value was inferred, and why."),
    )


def code_sort_key(code: str) -> str:
    """ "12-9" → "000012-000009": numbers zero-padded so codes sort as people read them."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), code)


class PledgeQuerySet(models.QuerySet):
    def for_term(self, term: Term) -> "PledgeQuerySet":
        return self.filter(term=term)


class PledgeManager(models.Manager.from_queryset(PledgeQuerySet)):
    def get_by_natural_key(self, term_number: int, code: str) -> "Pledge":
        return self.get(term__number=term_number, code=code)


# "Highest execution rate first, no rate last" as one indexable expression (SQLite cannot
# index NULLS LAST): rates are never negative, so -1 sorts below every rate.
RATE_ORDER = Coalesce(
    "execution_rate", Value(-1), output_field=models.DecimalField(max_digits=7, decimal_places=1)
)


class Pledge(models.Model):
    """A mayoral pledge (공약), one card of the pledge book, e.g. 12-1."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT)
    vision = models.ForeignKey(
        Vision, verbose_name=_("vision"), on_delete=models.PROTECT, related_name="pledges"
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("관리번호 as printed, e.g. 12-1; unique in a term.")
    )
    sort_key = models.CharField(
        _("sort key"),
        max_length=60,
        editable=False,
        default="",
        help_text=_("The code with its numbers zero-padded, so 12-9 sorts before 12-10."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(
        _("title in English"), max_length=200, blank=True, help_text=UNOFFICIAL_HELP
    )
    index_title = models.CharField(
        _("title in the chapter index"),
        max_length=200,
        blank=True,
        help_text=_("Only where the chapter index prints a different title than the card."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="pledges"
    )

    project_type = models.CharField(
        _("project type"), max_length=20, choices=ProjectType.choices, blank=True
    )
    project_type_inference = _inference_field()
    implementer = models.CharField(
        _("implementing body"), max_length=20, choices=Implementer.choices, blank=True
    )
    implementer_inference = _inference_field()
    completion = models.CharField(
        _("completion"), max_length=20, choices=Completion.choices, blank=True
    )
    completion_inference = _inference_field()
    budget_type = models.CharField(
        _("budget type"), max_length=20, choices=BudgetType.choices, blank=True
    )
    budget_type_inference = _inference_field()
    central_support = models.CharField(
        _("central-government help"), max_length=20, choices=CentralSupport.choices, blank=True
    )
    central_support_inference = _inference_field()
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    stage_inference = _inference_field()
    stage_since = models.DateField(
        _("stage since"),
        null=True,
        blank=True,
        help_text=_("Date of the last stage change; blank where not published."),
    )
    stage_provenance = models.CharField(
        _("stage provenance"),
        max_length=10,
        choices=StageProvenance.choices,
        default=StageProvenance.PRINTED,
        help_text=_(
            "Printed on the card, inferred from its text (with the reason), or set by staff "
            "(with the date and reason). Set by pledges.services.pledge_save."
        ),
    )
    stage_reason = models.CharField(
        _("reason the staff gave for the stage"),
        max_length=300,
        blank=True,
        help_text=_("Only for a stage set by staff: shown on the public card."),
    )

    objective = models.TextField(_("objective"), blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    target_en = models.CharField(
        _("target in English"), max_length=200, blank=True, help_text=UNOFFICIAL_HELP
    )
    overview = models.TextField(_("overview"), blank=True)
    plan_note = models.TextField(
        _("note under the plan table"), blank=True, help_text=_("As printed under 추진계획.")
    )
    problems = models.TextField(
        _("problems and measures"), blank=True, help_text=_("As printed; 해당없음 kept as printed.")
    )
    as_of = models.DateField(_("figures as of"))
    as_of_precision = models.CharField(
        _("as-of date as printed"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=_(
            "How precisely the card prints its as-of date (2026.1.현재 is a month); blank: "
            "the card prints none, and the as-of date is the report's, not shown as the card's."
        ),
    )
    as_of_note = models.CharField(
        _("as-of basis"),
        max_length=200,
        blank=True,
        help_text=_("Where the as-of date comes from."),
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Source document and lines.")
    )
    officials = models.ManyToManyField(
        Official,
        through="PledgeOfficial",
        verbose_name=_("accountable officials"),
        related_name="pledges",
        blank=True,
    )
    work_plan_items = models.ManyToManyField(
        WorkPlanItem,
        through="WorkPlanLink",
        verbose_name=_("work-plan items"),
        related_name="pledges",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    # Read model for lists and sorting: the sub-projects' printed totals summed, kept by
    # budgets.services.pledge_totals_refresh on every write of figures. Not history:
    # the history of the figures themselves is what as-of reports rebuild from.
    current_total = models.BigIntegerField(
        _("current total cost (백만원)"), null=True, blank=True, editable=False
    )
    secured_total = models.BigIntegerField(
        _("secured (백만원)"), null=True, blank=True, editable=False
    )
    executed_total = models.BigIntegerField(
        _("executed (백만원)"), null=True, blank=True, editable=False
    )
    prior_invested = models.BigIntegerField(
        _("prior investment (백만원)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("기투자 as printed in the investment plan: spent before the term."),
    )
    executed_cumulative = models.BigIntegerField(
        _("cumulative execution (백만원)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Prior investment + in-term execution."),
    )
    execution_rate = models.DecimalField(
        _("execution rate (%)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Cumulative execution ÷ current total cost; never capped."),
    )
    execution_rate_in_term = models.DecimalField(
        _("in-term execution rate (%)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text=_("In-term execution ÷ in-term plan of the years closed by the as-of date."),
    )

    objects = PledgeManager()
    history = HistoricalRecords(
        excluded_fields=[
            "sort_key",
            "current_total",
            "secured_total",
            "executed_total",
            "prior_invested",
            "executed_cumulative",
            "execution_rate",
            "execution_rate_in_term",
        ]
    )

    RATE_ORDER = RATE_ORDER

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["term", "sort_key"]
        indexes = [
            # The id is included so that a page's ids come from the index alone (an
            # index-only scan on PostgreSQL), however deep the page; see pledges/paging.py.
            models.Index(
                fields=["term", "sort_key"], include=["id"], name="pledges_pledge_term_sort"
            ),
            # The rate sort as the list orders it (highest first, no rate last), so a
            # page is read from the index instead of sorting every pledge of the term;
            # with the stage in front for the stage filter (and counting per stage).
            models.Index(
                F("term"),
                RATE_ORDER.desc(),
                F("sort_key"),
                include=["id"],
                name="pledges_pledge_term_rate",
            ),
            models.Index(
                F("term"),
                F("stage"),
                RATE_ORDER.desc(),
                F("sort_key"),
                include=["id"],
                name="pledges_pledge_term_stage_rate",
            ),
            models.Index(
                fields=["term", "updated_at"], include=["id"], name="pledges_pledge_term_updated"
            ),
            # A department's page (and the list filtered by one department): its pledges in
            # code order, a page's ids read from the index alone.
            models.Index(
                fields=["term", "department", "sort_key"],
                include=["id"],
                name="pledges_pledge_term_dept_sort",
            ),
            # The open-data list's "as_of" (the newest card date of the term): one index probe.
            models.Index(fields=["term", "as_of"], name="pledges_pledge_term_as_of"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("A pledge with this code already exists in this term."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(stage_provenance=StageProvenance.PRINTED, stage_inference="", stage_reason="")
                    | (
                        Q(stage_provenance=StageProvenance.INFERRED, stage_reason="")
                        & ~Q(stage_inference="")
                    )
                    | (
                        Q(stage_provenance=StageProvenance.STAFF, stage_inference="")
                        & ~Q(stage_reason="")
                        & Q(stage_since__isnull=False)
                    )
                ),
                name="%(app_label)s_%(class)s_stage_provenance",
                violation_error_message=_(
                    "An inferred stage needs its reason; a stage set by staff needs its date "
                    "and reason."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="%(app_label)s_%(class)s_code_not_blank",
                violation_error_message=_("The code is required."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)  # derived from the code, for ordering
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The public card, of this pledge's term: a code names a pledge only within a
        term (민선9기 may have its own 12-8), so the link says which."""
        return f"{reverse('portal:detail', kwargs={'code': self.code})}?term={self.term.number}"

    def natural_key(self) -> tuple:
        return (self.term.number, self.code)

    natural_key.dependencies = ["pledges.term"]

    def clean(self) -> None:
        if self.vision_id and self.term_id and self.vision.term_id != self.term_id:
            raise ValidationError({"vision": _("The vision belongs to another term.")})

    @property
    def as_of_printed(self) -> str:
        """The as-of date as precisely as the card prints it ("2026. 1."), or "" if none."""
        if self.as_of_precision == DatePrecision.DAY:
            return f"{self.as_of.year}. {self.as_of.month}. {self.as_of.day}."
        if self.as_of_precision == DatePrecision.MONTH:
            return f"{self.as_of.year}. {self.as_of.month}."
        if self.as_of_precision == DatePrecision.YEAR:
            return f"{self.as_of.year}."
        return ""

    def is_inferred(self, attribute: str) -> bool:
        if attribute == "stage":
            return self.stage_provenance == StageProvenance.INFERRED
        return bool(getattr(self, f"{attribute}_inference"))

    @property
    def stage_inferred(self) -> bool:
        """The stage is a guess (추정): read from ``stage_provenance`` alone."""
        return self.stage_provenance == StageProvenance.INFERRED

    @property
    def stage_basis(self) -> str:
        """Why the stage is what it is: the inference's reason, the staff's reason, or ""."""
        if self.stage_provenance == StageProvenance.STAFF:
            return self.stage_reason
        if self.stage_provenance == StageProvenance.INFERRED:
            return self.stage_inference
        return ""

    @property
    def is_budgeted(self) -> bool:
        return self.budget_type != BudgetType.NON_BUDGET
