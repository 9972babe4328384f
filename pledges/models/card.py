"""What a card prints besides money: milestones, officials, work-plan links, materials, progress."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import Official, WorkPlanItem

from .choices import (
    AdjustmentKind,
    DatePrecision,
    MaterialKind,
    MilestoneStatus,
    NoteKind,
    NotePlace,
    printed_date,
)
from .pledge import Pledge
from .projects import Project, same_pledge_errors


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
                violation_error_message=_("A milestone already has this position."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=False, end__gte=models.F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.date_text} {self.text[:40]}"

    def clean(self) -> None:
        errors = same_pledge_errors(self, "project", "parent")
        if errors:
            raise ValidationError(errors)

    def status_on(self, as_of: date) -> str:
        """ "planned" (예정) when it starts after the as-of date, "ongoing" when it started
        but runs on (an open range, or one ending after it), else "done"; "" if undated."""
        if self.start is None:
            return ""
        if self.start > as_of:
            return MilestoneStatus.PLANNED
        if self.open_ended or (self.end is not None and self.end > as_of):
            return MilestoneStatus.ONGOING
        return MilestoneStatus.DONE


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
                violation_error_message=_("This official is already listed."),
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
                violation_error_message=_("This item is already linked to the pledge."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} ↔ {self.item}"


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
                violation_error_message=_("Material already has this position."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.title[:50]}"

    def clean(self) -> None:
        errors = same_pledge_errors(self, "project")
        if errors:
            raise ValidationError(errors)


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
                    "A count for this indicator, period and category already exists."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.indicator} {self.period} {self.category}: {self.value}"


class PledgeAdjustment(models.Model):
    """A 공약 조정: the pledge was changed (변경), reduced (축소), merged (통합) or abandoned
    (폐기), with the date, the reason, the text before and after, who approved it and
    where it is written. Blank where the source does not say (never invented)."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AdjustmentKind.choices)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Blank where the source prints none.")
    )
    date_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=_("How precisely the source prints the date (2024. 1. is a month)."),
    )
    reason = models.TextField(_("reason"))
    before_text = models.TextField(_("before"))
    after_text = models.TextField(_("after"))
    approved_by = models.CharField(
        _("approved by"),
        max_length=200,
        blank=True,
        help_text=_("Blank where the source does not say who approved it."),
    )
    citation = models.CharField(
        _("citation"), max_length=200, help_text=_("Source document and lines.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge adjustment")
        verbose_name_plural = _("pledge adjustments")
        ordering = ["pledge", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date__isnull=True, date_precision="")
                | Q(date__isnull=False) & ~Q(date_precision=""),
                name="%(app_label)s_%(class)s_date_precision",
                violation_error_message=_("A date needs its precision, and a precision its date."),
            ),
            models.CheckConstraint(
                condition=~Q(reason="") & ~Q(citation=""),
                name="%(app_label)s_%(class)s_reason_and_citation",
                violation_error_message=_("An adjustment needs a reason and a citation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.get_kind_display()} {self.date_printed}".strip()

    @property
    def date_printed(self) -> str:
        """The date as precisely as the source prints it ("2024. 1."), or ""."""
        return printed_date(self.date, self.date_precision)


class SourceNote(models.Model):
    """A note on a card's source, written by a reader of the seed and citing its lines:
    where the source contradicts itself (원문 불일치), how a damaged passage was read (판독,
    the likelier reading first), or a fact to know (참고). Shown beside the part of the
    card it concerns, with the data-quality rules' notes (``budgets.quality``)."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="source_notes"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("sub-project"), on_delete=models.CASCADE, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    place = models.CharField(_("place on the card"), max_length=10, choices=NotePlace.choices)
    text = models.TextField(_("note"))
    text_en = models.TextField(_("note in English"), blank=True)
    citation = models.CharField(
        _("citation"), max_length=200, help_text=_("Source document and lines.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source note")
        verbose_name_plural = _("source notes")
        ordering = ["pledge", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_("A source note already has this position."),
            ),
            models.CheckConstraint(
                condition=~Q(text="") & ~Q(citation=""),
                name="%(app_label)s_%(class)s_text_and_citation",
                violation_error_message=_("A source note needs its text and a citation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.code} {self.get_kind_display()}: {self.text[:40]}"

    def clean(self) -> None:
        errors = same_pledge_errors(self, "project")
        if errors:
            raise ValidationError(errors)
