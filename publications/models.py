"""Publication rounds, publications and each pledge's state in a round.

A publication is the published record: publishing pledge P writes one immutable snapshot
of P's card (``Publication.card``, read back by ``publications.snapshots.card_from``) and,
beside it, the columns lists, filters, sorts and search read. P's public state is its
latest publication; as of a day, the latest published by the end of that day.
"""

from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Official, WorkPlanItem
from pledges.models import BudgetType, Pledge, Stage, StageProvenance, Term, Vision
from pledges.models.choices import DatePrecision

from .snapshots import card_from


class PublicationRound(models.Model):
    """A publication round of a term (e.g. "2026년 상반기 점검"): departments update their
    pledges until the due date, the reviewer publishes or returns them."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("e.g. the first-half 2026 review")
    )
    due_on = models.DateField(_("due on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication round")
        verbose_name_plural = _("publication rounds")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(closed_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_term",
                violation_error_message=_("This term already has an open round."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PublicationKind(models.TextChoices):
    SEED = "seed", _("First publication")
    REGULAR = "regular", _("Published")


# "Highest execution rate first, no rate last" as one indexable expression: rates are never
# negative, so -1 sorts below every rate.
RATE_ORDER = Coalesce(
    "execution_rate", Value(-1), output_field=models.DecimalField(max_digits=7, decimal_places=1)
)


SEARCH_WORDS = 8  # a longer query is cut: each word is one more condition


def search_words(text: str | None) -> list[str]:
    """The words of a search as the stored search text holds them (upper-cased)."""
    return [word.upper() for word in (text or "").split()[:SEARCH_WORDS]]


class PublicationQuerySet(models.QuerySet):
    def standing(self, term: Term, when: datetime | None = None) -> "PublicationQuerySet":
        """Each pledge of ``term``'s publication standing at ``when`` (now when None): its
        latest published at or before it. Publications without a snapshot (made before
        snapshots were recorded) are not public."""
        rows = self.filter(term=term)
        if when is None:
            return rows.filter(superseded_at__isnull=True)
        return rows.filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gt=when), published_at__lte=when
        )

    def columns(self) -> "PublicationQuerySet":
        """The columns lists read, without the snapshot (``card``) and its search text."""
        return self.defer("card", "search_text")

    def search(self, text: str) -> "PublicationQuerySet":
        """Snapshots whose search text holds every word of ``text`` (any part of a word:
        Korean has no spaces between a noun and its particle), with ``search_rank``: per
        word 0 when in the title, 1 in the target, 2 elsewhere, summed (lower is better)."""
        words = search_words(text)
        if not words:
            return self
        rows = self
        for word in words:
            rows = rows.filter(search_text__contains=word)

        def rank(word: str) -> models.Case:
            return models.Case(
                models.When(Q(upper_title__contains=word), then=0),
                models.When(Q(upper_target__contains=word), then=1),
                default=2,
                output_field=models.IntegerField(),
            )

        ranks = [rank(word) for word in words]
        return rows.alias(upper_title=Upper("title"), upper_target=Upper("target")).annotate(
            search_rank=sum(ranks[1:], ranks[0])
        )


class Publication(models.Model):
    """One pledge published at one moment: the snapshot of its card as the public sees it
    (``card``, never changed after), the columns lists and search read, and ``changes``,
    the difference from the pledge's previous publication."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="publications"
    )
    round = models.ForeignKey(
        PublicationRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
    )
    published_at = models.DateTimeField(_("published at"))
    published_precision = models.CharField(
        _("published date as printed"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=_(
            'Month: a publication dated by its source document (the seed, "2026. 1."), '
            "shown as that month, never as an invented day."
        ),
    )
    superseded_at = models.DateTimeField(
        _("superseded at"),
        null=True,
        blank=True,
        help_text=_("When the pledge's next publication replaced this one; blank: standing."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank for the seed (the city's published cards)."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=PublicationKind.choices, default=PublicationKind.REGULAR
    )
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(
        _("changes"),
        default=list,
        blank=True,
        help_text=_(
            "What changed since the previous publication, the difference of the two "
            "snapshots: a list of {kind, label, old, new, reason}."
        ),
    )
    # What lists, filters, sorts and search read, from the card, in the same transaction.
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    vision = models.ForeignKey(
        Vision,
        verbose_name=_("vision"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    department_name = models.CharField(_("department as published"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    sort_key = models.CharField(_("sort key"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    budget_type = models.CharField(
        _("budget type"), max_length=20, choices=BudgetType.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    stage_provenance = models.CharField(
        _("stage provenance"), max_length=10, choices=StageProvenance.choices, blank=True
    )
    stage_basis = models.CharField(
        _("why the stage is what it is"),
        max_length=300,
        blank=True,
        help_text=_("The inference's reason, or the department's when it set the stage."),
    )
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    current_total = models.BigIntegerField(_("current total cost (백만원)"), null=True, blank=True)
    secured_total = models.BigIntegerField(_("secured (백만원)"), null=True, blank=True)
    executed_total = models.BigIntegerField(_("executed (백만원)"), null=True, blank=True)
    prior_invested = models.BigIntegerField(_("prior investment (백만원)"), null=True, blank=True)
    executed_cumulative = models.BigIntegerField(
        _("cumulative execution (백만원)"), null=True, blank=True
    )
    execution_rate = models.DecimalField(
        _("execution rate (%)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    execution_rate_in_term = models.DecimalField(
        _("in-term execution rate (%)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("The published card's texts, upper-cased, for the public search."),
    )
    officials = models.ManyToManyField(
        Official,
        verbose_name=_("officials named"),
        blank=True,
        related_name="+",
        help_text=_("The officials the card names: a department page's contacts."),
    )
    work_plan_items = models.ManyToManyField(
        WorkPlanItem,
        verbose_name=_("work-plan items linked"),
        blank=True,
        related_name="publications",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Last in each row: a list reads the columns above without reading past the snapshot
    # (SQLite keeps a row's columns in order, the large JSON spilling over pages).
    card = models.JSONField(
        _("published card"),
        default=dict,
        encoder=DjangoJSONEncoder,
        help_text=_("The card as published (publications.snapshots), with its shape version."),
    )

    objects = PublicationQuerySet.as_manager()

    RATE_ORDER = RATE_ORDER

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "pledge"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(F("pledge"), F("published_at").desc(), name="publications_pledge_latest"),
            models.Index(F("published_at").desc(), name="publications_newest"),
            models.Index(
                fields=["term", "sort_key"],
                condition=Q(superseded_at__isnull=True),
                name="publications_standing_sort",
            ),
            models.Index(
                fields=["term", "department", "sort_key"],
                condition=Q(superseded_at__isnull=True),
                name="publications_standing_dept",
            ),
            models.Index(
                fields=["term", "published_at", "sort_key"], name="publications_term_moment"
            ),
            models.Index(
                fields=["term", "department_name"],
                condition=Q(superseded_at__isnull=True),
                name="publications_standing_named",
            ),
            # the figures' latest as-of day of a term (the open data's list says it)
            models.Index(
                fields=["term", "as_of"],
                condition=Q(superseded_at__isnull=True),
                name="publications_standing_as_of",
            ),
            # the latest publications (a feed, the home page's list): newest first
            models.Index(
                F("term"),
                F("published_at").desc(),
                F("sort_key"),
                F("id").desc(),
                name="publications_term_newest",
            ),
            # a card's publications: its term and code, newest first
            models.Index(
                F("term"), F("code"), F("published_at").desc(), name="publications_term_code"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "published_at"],
                name="%(app_label)s_%(class)s_unique_moment",
                violation_error_message=_("This pledge was already published at this moment."),
            ),
            models.UniqueConstraint(
                fields=["pledge"],
                condition=Q(superseded_at__isnull=True),
                name="%(app_label)s_%(class)s_one_standing",
                violation_error_message=_("A pledge has one standing publication."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} {self.published_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        """The public card of this publication's pledge, in its term."""
        return f"{reverse('portal:detail', kwargs={'code': self.code})}?term={self.term.number}"

    @property
    def stage_inferred(self) -> bool:
        return self.stage_provenance == StageProvenance.INFERRED

    @property
    def is_budgeted(self) -> bool:
        return self.budget_type != BudgetType.NON_BUDGET

    def card_read(self):
        """The card this publication holds (``publications.snapshots.Card``), no query
        beyond the term."""
        return card_from(self.card, self.term)


class ReviewStatus(models.TextChoices):
    NEEDS_UPDATE = "needs_update", _("Needs an update")
    DRAFT = "draft", _("Awaiting review")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")


class PledgeReview(models.Model):
    """A pledge's state in a round: needs an update, waits for review, returned, published."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="reviews"
    )
    round = models.ForeignKey(
        PublicationRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NEEDS_UPDATE,
    )
    comment = models.TextField(_("reviewer's comment"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("pledge review")
        verbose_name_plural = _("pledge reviews")
        ordering = ["round", "pledge__sort_key"]
        indexes = [models.Index(fields=["round", "status"], name="publications_review_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "round"],
                name="%(app_label)s_%(class)s_unique_per_round",
                violation_error_message=_("This pledge is already in this round."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.pledge.code} {self.get_status_display()}"
