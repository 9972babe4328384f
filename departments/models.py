"""Bureaus (국), departments (과), their officials and the bureau's yearly work plan."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

UNOFFICIAL_HELP = _(
    "Unofficial English translation, marked so on English pages; blank: the Korean is shown."
)


class BureauManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "Bureau":
        return self.get(name=name)


class Bureau(models.Model):
    """A bureau of the city government (국), e.g. 행정안전국."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=100, blank=True, help_text=UNOFFICIAL_HELP
    )

    objects = BureauManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class DepartmentManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "Department":
        return self.get(name=name)


class Department(models.Model):
    """A department (과), e.g. 민원여권과: it owns pledges and work-plan items."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=100, blank=True, help_text=UNOFFICIAL_HELP
    )
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="departments",
        null=True,
        blank=True,
        help_text=_("Blank where the source documents do not say which bureau it belongs to."),
    )
    phone = models.CharField(
        _("main phone"),
        max_length=30,
        blank=True,
        help_text=_("Blank: not published in the source documents."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department staff"),
        related_name="departments",
        blank=True,
        help_text=_("Users who may update this department's pledges and figures."),
    )

    objects = DepartmentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class Role(models.TextChoices):
    """Roles printed in a pledge card's policy real-name box (정책실명제)."""

    DIRECTOR = "director", _("Director")
    TEAM_LEAD = "team_lead", _("Team lead")
    OFFICER = "officer", _("Officer")


class Official(models.Model):
    """A department's official, named on pledge cards under the policy real-name system."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="officials"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(
        _("name"),
        max_length=30,
        blank=True,
        help_text=_("Blank where the text extraction garbled the name beyond recovery."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        help_text=_("As printed, e.g. 940-4180; blank where the extraction lost it."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["department__name", "role", "phone"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "role", "phone", "name"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_(
                    "This department already has an official with this role, phone and name."
                ),
            )
        ]

    def __str__(self) -> str:
        name = self.name or _("(name not recoverable)")
        return f"{self.department} {self.get_role_display()} {name}"

    @property
    def tel_uri(self) -> str:
        """A tel: link with the local area code added to short numbers like 940-4180."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if not digits:
            return ""
        if len(digits) <= 8:
            digits = settings.LOCAL_AREA_CODE + digits
        return f"tel:{digits[:3]}-{digits[3:-4]}-{digits[-4:]}" if len(digits) >= 9 else ""


class BudgetUnit(models.TextChoices):
    """The unit a work-plan item states its budget in."""

    WON = "won", _("won")
    THOUSAND = "thousand", _("thousand won")
    TEN_THOUSAND = "ten_thousand", _("ten thousand won")
    MILLION = "million", _("million won")
    HUNDRED_MILLION = "hundred_million", _("hundred million won")


UNIT_IN_WON = {
    BudgetUnit.WON: Decimal(1),
    BudgetUnit.THOUSAND: Decimal(1_000),
    BudgetUnit.TEN_THOUSAND: Decimal(10_000),
    BudgetUnit.MILLION: Decimal(1_000_000),
    BudgetUnit.HUNDRED_MILLION: Decimal(100_000_000),
}


class WorkPlanItemQuerySet(models.QuerySet):
    def get_by_natural_key(self, department: str, year: int, number: int) -> "WorkPlanItem":
        return self.get(department__name=department, year=year, number=number)


class WorkPlanItem(models.Model):
    """One item of a bureau's yearly work plan (주요업무 추진계획), e.g. 2025 행정지원과 1."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="work_plan_items",
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    number = models.PositiveSmallIntegerField(_("number within the department"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    period = models.CharField(
        _("period"), max_length=100, blank=True, help_text=_("As printed, e.g. 2025. 1. ~ 12.")
    )
    budget_amount = models.DecimalField(
        _("stated budget"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Blank: the plan states no single budget for the item."),
    )
    budget_unit = models.CharField(
        _("budget unit"), max_length=20, choices=BudgetUnit.choices, blank=True
    )
    budget_text = models.TextField(
        _("budget as printed"),
        blank=True,
        help_text=_("The budget sentence(s) as printed, including funding splits and line items."),
    )
    source_note = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where in the source document this item is, and what the extraction lost."),
    )

    objects = WorkPlanItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work-plan item")
        verbose_name_plural = _("work-plan items")
        ordering = ["year", "department__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_(
                    "This department already has an item with this number for that year."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_amount__isnull=True) | models.Q(budget_amount__gte=0),
                name="%(app_label)s_%(class)s_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_amount__isnull=True) | ~models.Q(budget_unit=""),
                name="%(app_label)s_%(class)s_budget_has_unit",
                violation_error_message=_("A stated budget needs its unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.department} {self.number}. {self.title}"

    def natural_key(self) -> tuple:
        return (self.department.name, self.year, self.number)

    @property
    def budget_in_million_won(self) -> Decimal | None:
        """The stated budget converted to 백만원, exactly."""
        if self.budget_amount is None:
            return None
        return self.budget_amount * UNIT_IN_WON[self.budget_unit] / Decimal(1_000_000)
