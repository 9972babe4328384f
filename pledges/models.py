"""Mayoral terms, visions, pledges, their sub-projects, milestones and published progress."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import Department, Official, WorkPlanItem

from . import periods


class TermManager(models.Manager):
    def get_by_natural_key(self, number: int) -> "Term":
        return self.get(number=number)


class Term(models.Model):
    """A mayoral term (민선8기: 2022.7–2026.6). 기투자 and 임기후 are relative to it."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=30, help_text=_("e.g. 민선8기"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    is_current = models.BooleanField(
        _("current term"), default=False, help_text=_("The term the portal shows by default.")
    )

    objects = TermManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mayoral term")
        verbose_name_plural = _("mayoral terms")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_(
                    "임기 종료일은 시작일 뒤여야 합니다. / A term must end after it starts."
                ),
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=_(
                    "현재 임기는 하나뿐이어야 합니다. / Only one term can be current."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%Y.%m}–{self.end:%Y.%m})"

    def natural_key(self) -> tuple[int]:
        return (self.number,)

    @staticmethod
    def parse_number(value) -> int | None:
        """A term number from user input ("8", "8.0" from Excel), or None: never an error."""
        text = str(value or "").strip().removesuffix(".0")
        return int(text) if re.fullmatch(r"[0-9]{1,4}", text) else None

    @property
    def years(self) -> range:
        """Calendar years the term touches: the year columns of its pledge cards."""
        return range(self.start.year, self.end.year + 1)


class Vision(models.Model):
    """A strategic goal of a term's pledge book, e.g. 12 "시민중심 자족도시 – 행정은 새롭다"."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=100)
    subtitle = models.CharField(_("subtitle"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vision")
        verbose_name_plural = _("visions")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_(
                    "이 임기에 같은 번호의 비전이 이미 있습니다. / "
                    "This term already has a vision with this number."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


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
    def public(self) -> "PledgeQuerySet":
        return self.select_related("term", "vision", "department")


class PledgeManager(models.Manager.from_queryset(PledgeQuerySet)):
    def get_by_natural_key(self, term_number: int, code: str) -> "Pledge":
        return self.get(term__number=term_number, code=code)


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

    objective = models.TextField(_("objective"), blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    overview = models.TextField(_("overview"), blank=True)
    plan_note = models.TextField(
        _("note under the plan table"), blank=True, help_text=_("As printed under 추진계획.")
    )
    problems = models.TextField(
        _("problems and measures"), blank=True, help_text=_("As printed; 해당없음 kept as printed.")
    )
    as_of = models.DateField(_("figures as of"))
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
    execution_rate = models.DecimalField(
        _("execution rate (%)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )

    objects = PledgeManager()
    history = HistoricalRecords(
        excluded_fields=[
            "sort_key",
            "current_total",
            "secured_total",
            "executed_total",
            "execution_rate",
        ]
    )

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["term", "sort_key"]
        indexes = [
            models.Index(fields=["term", "sort_key"], name="pledges_pledge_term_sort"),
            models.Index(fields=["term", "execution_rate"], name="pledges_pledge_term_rate"),
            models.Index(fields=["term", "updated_at"], name="pledges_pledge_term_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_(
                    "이 임기에 같은 관리번호의 공약이 이미 있습니다. / "
                    "A pledge with this code already exists in this term."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="%(app_label)s_%(class)s_code_not_blank",
                violation_error_message=_("관리번호가 필요합니다. / The code is required."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)  # derived from the code, for ordering
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pledges:detail", kwargs={"code": self.code})

    def natural_key(self) -> tuple:
        return (self.term.number, self.code)

    natural_key.dependencies = ["pledges.term"]

    def clean(self) -> None:
        if self.vision_id and self.term_id and self.vision.term_id != self.term_id:
            raise ValidationError(
                {"vision": _("비전이 다른 임기에 속합니다. / The vision belongs to another term.")}
            )

    def is_inferred(self, attribute: str) -> bool:
        return bool(getattr(self, f"{attribute}_inference"))

    @property
    def is_budgeted(self) -> bool:
        return self.budget_type != BudgetType.NON_BUDGET


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
                violation_error_message=_(
                    "이 공약에 같은 이름의 세부사업이 이미 있습니다. / "
                    "This pledge already has a sub-project with this name."
                ),
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
                violation_error_message=_(
                    "같은 기간의 추진계획이 이미 있습니다. / A plan for this period already exists."
                ),
            ),
            models.UniqueConstraint(
                fields=["pledge", "period"],
                condition=Q(project__isnull=True),
                name="%(app_label)s_%(class)s_unique_pledge_period",
                violation_error_message=_(
                    "같은 기간의 추진계획이 이미 있습니다. / A plan for this period already exists."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {periods.label(self.period)}: {self.text}"

    def clean(self) -> None:
        if self.pledge_id and not periods.is_valid(self.period, self.pledge.term.years):
            raise ValidationError(
                {"period": _("임기에 없는 기간입니다. / Not a period of the term.")}
            )


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


class Milestone(models.Model):
    """One dated line of a card's 추진현황, in published order; notes nest under a parent."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="milestones"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("sub-project"), on_delete=models.CASCADE, null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("note under"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notes",
    )
    position = models.PositiveSmallIntegerField(_("order as published"))
    date_text = models.CharField(
        _("date as printed"), max_length=40, blank=True, help_text=_("e.g. 2023. 4. ~ 9.")
    )
    start = models.DateField(_("from"), null=True, blank=True)
    start_precision = models.CharField(
        _("precision of from"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    end = models.DateField(_("until"), null=True, blank=True)
    end_precision = models.CharField(
        _("precision of until"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    open_ended = models.BooleanField(_("ongoing"), default=False, help_text=_("Printed 2024. 1. ~"))
    text = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["pledge", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_(
                    "같은 순서의 추진현황이 이미 있습니다. / A milestone already has this position."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=False, end__gte=models.F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_(
                    "종료일이 시작일보다 빠릅니다. / The end date is before the start date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.date_text} {self.text[:40]}"


class PledgeOfficial(models.Model):
    """An official accountable for a pledge (정책실명제), in the order printed."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE)
    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(_("order"))
    note = models.CharField(
        _("how this card's entry was read"),
        max_length=300,
        blank=True,
        help_text=_(
            "Blank: name, role and phone read as printed. Otherwise what was recovered or "
            "inferred (e.g. a name printed vertically and garbled), and from where."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accountable official")
        verbose_name_plural = _("accountable officials")
        ordering = ["pledge", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "official"],
                name="%(app_label)s_%(class)s_unique_official",
                violation_error_message=_(
                    "이 담당자는 이미 이 공약에 있습니다. / This official is already listed."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code}: {self.official}"


class WorkPlanLink(models.Model):
    """A work-plan item that serves a pledge, and what in the text ties them."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE)
    item = models.ForeignKey(
        WorkPlanItem, verbose_name=_("work-plan item"), on_delete=models.CASCADE
    )
    reason = models.CharField(_("tied by"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work-plan link")
        verbose_name_plural = _("work-plan links")
        ordering = ["pledge", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "item"],
                name="%(app_label)s_%(class)s_unique_link",
                violation_error_message=_(
                    "이미 연결된 업무입니다. / This item is already linked to the pledge."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} ↔ {self.item}"


class MaterialKind(models.TextChoices):
    PHOTO = "photo", _("Photo or figure")
    PRESS = "press", _("Press article")


class RelatedMaterial(models.Model):
    """An entry of a card's 관련자료: photo captions and press articles.

    The images themselves did not survive the text extraction; only their captions did.
    """

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="materials"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("sub-project"), on_delete=models.CASCADE, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("title or caption"), max_length=300)
    outlet = models.CharField(_("outlet"), max_length=100, blank=True)
    published = models.CharField(
        _("published"), max_length=50, blank=True, help_text=_("Date and time as printed.")
    )
    excerpt = models.TextField(_("excerpt"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("related material")
        verbose_name_plural = _("related material")
        ordering = ["pledge", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_(
                    "같은 순서의 관련자료가 이미 있습니다. / Material already has this position."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.title[:50]}"


class ProgressCount(models.Model):
    """A published progress count of a pledge without money, e.g. 12-2's appointments.

    ``period`` is a year or "total" (계); ``category`` is blank for the all-fields column (계).
    """

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="progress"
    )
    indicator = models.CharField(_("indicator"), max_length=100)
    period = models.CharField(_("period"), max_length=8)
    category = models.CharField(_("category"), max_length=30, blank=True)
    value = models.PositiveIntegerField(_("count"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress count")
        verbose_name_plural = _("progress counts")
        ordering = ["pledge", "indicator", "period", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "indicator", "period", "category"],
                name="%(app_label)s_%(class)s_unique_cell",
                violation_error_message=_(
                    "같은 지표·기간·분야의 값이 이미 있습니다. / "
                    "A count for this indicator, period and category already exists."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.indicator} {self.period} {self.category}: {self.value}"


class PublicVersion(models.Model):
    """A counter every write to the portal's data moves; cached public pages are keyed by it.

    One row. Read with one cheap query per request, so every app server sees a write at
    once, whatever cache backend each uses.
    """

    number = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data version")

    def __str__(self) -> str:
        return str(self.number)
