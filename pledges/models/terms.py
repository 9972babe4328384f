"""Mayoral terms (민선8기) and their visions (strategic goals)."""

import re

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

UNOFFICIAL_HELP = _(
    "Unofficial English translation, marked so on English pages; blank: the Korean is shown."
)


class TermManager(models.Manager):
    def get_by_natural_key(self, number: int) -> "Term":
        return self.get(number=number)


class Term(models.Model):
    """A mayoral term (민선8기: 2022.7–2026.6). 기투자 and 임기후 are relative to it."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(
        _("name"), max_length=30, help_text=_("The term's printed name, e.g. 민선8기")
    )
    name_en = models.CharField(
        _("name in English"), max_length=60, blank=True, help_text=UNOFFICIAL_HELP
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    is_current = models.BooleanField(
        _("current term"), default=False, help_text=_("The term the portal shows by default.")
    )
    sources = models.TextField(
        _("source documents"),
        blank=True,
        help_text=_(
            "The documents the term's figures come from, one per line, as the about page "
            "cites them: the title, then after “: ” what of it is used (the footer cites "
            "the title)."
        ),
    )
    sources_en = models.TextField(
        _("source documents in English"),
        blank=True,
        help_text=format_lazy(
            "{} {}", _("One line per line above, in the same order."), UNOFFICIAL_HELP
        ),
    )
    figures_as_of = models.CharField(
        _("figures as of"),
        max_length=60,
        blank=True,
        help_text=_(
            "When the documents' figures stand, as they say it (e.g. 2026년 초): for cards "
            "that print no as-of date of their own."
        ),
    )
    figures_as_of_en = models.CharField(
        _("figures as of, in English"), max_length=60, blank=True, help_text=UNOFFICIAL_HELP
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
                violation_error_message=_("A term must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=_("Only one term can be current."),
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
    def source_lines(self) -> list[tuple[str, str]]:
        """(Korean, English) of each source document: the English blank where none is
        stored."""
        korean = [line.strip() for line in self.sources.splitlines() if line.strip()]
        english = [line.strip() for line in self.sources_en.splitlines() if line.strip()]
        return [(line, english[n] if n < len(english) else "") for n, line in enumerate(korean)]

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
    title_en = models.CharField(
        _("title in English"), max_length=100, blank=True, help_text=UNOFFICIAL_HELP
    )
    subtitle_en = models.CharField(
        _("subtitle in English"), max_length=100, blank=True, help_text=UNOFFICIAL_HELP
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vision")
        verbose_name_plural = _("visions")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This term already has a vision with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
