"""Publication rounds, publications and each pledge's state in a round.

A publication is a moment in the change history (django-simple-history): publishing
pledge P at time t publishes the live state of P at t. Nothing of the card is copied,
except ``PublishedPledge``: the few fields lists, home, search, department pages and the
bulk downloads need, written from the live rows at publish time by one function
(``publications.services.published_summaries_refresh``) and never edited by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Official, Role
from pledges.models import BudgetType, Pledge, Stage, StageProvenance, Term, Vision
from pledges.models.choices import DatePrecision
from pledges.models.pledge import search_ranked


class PublicationRound(models.Model):
    """A publication round of a term (e.g. "2026년 상반기 점검"): departments update their
    pledges until the due date, the reviewer publishes or returns them."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 2026년 상반기 점검"))
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
                violation_error_message=_(
                    "이 임기에는 이미 진행 중인 점검 회차가 있습니다. / "
                    "This term already has an open round."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PublicationKind(models.TextChoices):
    SEED = "seed", _("최초 공표")
    REGULAR = "regular", _("공표")


class Publication(models.Model):
    """One pledge published at one moment: the public pages show the pledge as its change
    history stood at ``published_at``, with ``changes`` as the plain-language diff."""

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
    published_at = models.DateTimeField(
        _("published at"), help_text=_("The moment in the change history that is published.")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank for the seed (the loaded cards)."),
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
            "What changed since the previous publication, computed at publish time: a list of "
            "{kind, label, old, new, reason}."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "pledge"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(F("pledge"), F("published_at").desc(), name="publications_pledge_latest"),
            models.Index(F("published_at").desc(), name="publications_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "published_at"],
                name="%(app_label)s_%(class)s_unique_moment",
                violation_error_message=_(
                    "이 공약은 이 시각에 이미 공표되었습니다. / "
                    "This pledge was already published at this moment."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} {self.published_at:%Y-%m-%d %H:%M}"


class ReviewStatus(models.TextChoices):
    NEEDS_UPDATE = "needs_update", _("갱신 필요")
    DRAFT = "draft", _("검토 대기")
    RETURNED = "returned", _("반려")
    PUBLISHED = "published", _("공표")


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
                violation_error_message=_(
                    "이 공약은 이 회차에 이미 있습니다. / This pledge is already in this round."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.pledge.code} {self.get_status_display()}"


# "Highest execution rate first, no rate last", as on Pledge.RATE_ORDER.
RATE_ORDER = Coalesce(
    "execution_rate", Value(-1), output_field=models.DecimalField(max_digits=7, decimal_places=1)
)


class PublishedPledgeQuerySet(models.QuerySet):
    def search(self, text: str) -> "PublishedPledgeQuerySet":
        """Published pledges whose published card contains every word of ``text``, read
        from the summary's copy of the search text (made at publication, never at a staff
        save; indexed on PostgreSQL), ranked as ``Pledge.objects.search`` ranks (by the
        section of that text where each word first occurs), for the matched rows only."""
        return search_ranked(self, text, column="search_text", indexed=True)

    def listed(self) -> "PublishedPledgeQuerySet":
        """With what a list row prints; ``updated_at`` (the list's "last update" sort) is
        the pledge's latest publication. The search text is searched, never shown: rows
        are read without it (a backup's ``dumpdata`` reads the default manager: whole)."""
        return (
            self.select_related("term", "vision", "department")
            .defer("search_text")
            .alias(updated_at=F("published_at"))
        )


class PublishedPledge(models.Model):
    """The published summary of one pledge: what lists, home, search, department pages and
    bulk downloads need, written from the live rows at publish time (a cache of the point
    in history, like the pledge's stored totals). 10,000-pledge lists cannot be rebuilt
    from the change history per request; the pledge page is (``pledge_card_as_of``, in two
    queries)."""

    pledge = models.OneToOneField(
        Pledge,
        verbose_name=_("pledge"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="published",
    )
    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    vision = models.ForeignKey(
        Vision, verbose_name=_("vision"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20)
    sort_key = models.CharField(_("sort key"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    budget_type = models.CharField(
        _("budget type"), max_length=20, choices=BudgetType.choices, blank=True
    )
    history_id = models.BigIntegerField(
        _("published history row"),
        help_text=_("The pledge's change-history row that was live when it was published."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    stage_inference = models.CharField(_("stage inferred because"), max_length=300, blank=True)
    stage_since = models.DateField(_("stage since"), null=True, blank=True)
    stage_provenance = models.CharField(
        _("stage provenance"),
        max_length=10,
        choices=StageProvenance.choices,
        default=StageProvenance.PRINTED,
    )
    stage_reason = models.CharField(
        _("reason the staff gave for the stage"), max_length=300, blank=True
    )
    as_of = models.DateField(_("figures as of"))
    as_of_precision = models.CharField(
        _("as-of date as printed"), max_length=5, choices=DatePrecision.choices, blank=True
    )
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
    # The public search reads this copy of the card's text (``Pledge.search_text``, made at
    # publication), indexed on PostgreSQL (migration 0006): no join to count the matches.
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("The published card's texts, upper-cased, for the public search."),
    )

    objects = PublishedPledgeQuerySet.as_manager()

    RATE_ORDER = RATE_ORDER

    class Meta:
        verbose_name = _("published summary")
        verbose_name_plural = _("published summaries")
        ordering = ["term", "sort_key"]
        indexes = [
            models.Index(
                fields=["term", "sort_key"], include=["pledge"], name="publications_pub_term_sort"
            ),
            models.Index(
                F("term"),
                F("stage"),
                RATE_ORDER.desc(),
                F("sort_key"),
                name="publications_pub_stage_rate",
            ),
            # Newest first, a batch's pledges in card order: home's recent changes and the
            # list sorted by last update read their first rows from the index.
            models.Index(
                F("term"),
                F("published_at").desc(),
                F("sort_key"),
                name="publications_pub_term_latest",
            ),
            # A department's page: its pledges' ids in card order, read from the index alone.
            models.Index(
                fields=["term", "department", "sort_key"], name="publications_pub_dept_sort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        """The public card, of this summary's term (as ``Pledge.get_absolute_url``)."""
        return f"{reverse('portal:detail', kwargs={'code': self.code})}?term={self.term.number}"

    @property
    def stage_inferred(self) -> bool:
        """The stage is a guess (추정), as ``Pledge.stage_inferred``."""
        return self.stage_provenance == StageProvenance.INFERRED


class TotalGrain(models.TextChoices):
    VISION = "vision", _("by vision and stage")
    DEPARTMENT = "department", _("by department and stage")


# The money a total sums (the published summaries' stored totals, 백만원).
TOTAL_MONEY = (
    "current_total",
    "secured_total",
    "executed_total",
    "prior_invested",
    "executed_cumulative",
)


class PublishedTotal(models.Model):
    """Sums of a term's published summaries, by vision and stage (read or inferred) and by
    department and stage: what the home page, the list's vision overview and the
    department pages print. Written with the summaries at publication
    (``publications.services.published_totals_refresh``), never at a staff save: at
    50,000 pledges an aggregate over the summaries took 0.3–0.7 s per request."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    grain = models.CharField(_("grain"), max_length=20, choices=TotalGrain.choices)
    vision = models.ForeignKey(
        Vision,
        verbose_name=_("vision"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    inferred = models.BooleanField(_("stage inferred"), default=False)
    pledge_count = models.PositiveIntegerField(_("pledges"))
    as_of = models.DateField(_("newest figures as of"), null=True, blank=True)
    published_at = models.DateTimeField(_("newest publication"), null=True, blank=True)
    current_total = models.BigIntegerField(_("current total cost (백만원)"), null=True, blank=True)
    secured_total = models.BigIntegerField(_("secured (백만원)"), null=True, blank=True)
    executed_total = models.BigIntegerField(_("executed (백만원)"), null=True, blank=True)
    prior_invested = models.BigIntegerField(_("prior investment (백만원)"), null=True, blank=True)
    executed_cumulative = models.BigIntegerField(
        _("cumulative execution (백만원)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("published total")
        verbose_name_plural = _("published totals")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(grain=TotalGrain.VISION, vision__isnull=False, department__isnull=True)
                    | Q(
                        grain=TotalGrain.DEPARTMENT,
                        department__isnull=False,
                        vision__isnull=True,
                        inferred=False,
                    )
                ),
                name="%(app_label)s_%(class)s_grain_keys",
                violation_error_message=_(
                    "비전별 합계는 비전만, 부서별 합계는 부서만 가집니다. / A vision total "
                    "names a vision only, a department total a department only."
                ),
            ),
            models.UniqueConstraint(
                fields=["term", "vision", "stage", "inferred"],
                condition=Q(grain=TotalGrain.VISION),
                name="%(app_label)s_%(class)s_one_per_vision_stage",
                violation_error_message=_(
                    "비전·단계별 합계는 하나입니다. / One total per vision and stage."
                ),
            ),
            models.UniqueConstraint(
                fields=["term", "department", "stage"],
                condition=Q(grain=TotalGrain.DEPARTMENT),
                name="%(app_label)s_%(class)s_one_per_department_stage",
                violation_error_message=_(
                    "부서·단계별 합계는 하나입니다. / One total per department and stage."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["term", "grain", "department"], name="publications_total_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.grain} {self.vision or self.department} {self.stage}"


class PublishedContact(models.Model):
    """An official a department's page lists for a term: named on a published card of the
    term, with role, name and phone as they stood at the latest publication of a card
    naming them (a new phone is a draft until then). Written at publication
    (``publications.services.published_contacts_refresh``) for the departments whose
    officials the published cards name, never at a staff save: read from the history at
    each request, a department of 500 pledges took 7 ms of SQL."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    official_id = models.PositiveIntegerField(_("official"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("published contact")
        verbose_name_plural = _("published contacts")
        ordering = ["term", "department", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "department", "official_id"],
                name="%(app_label)s_%(class)s_one_per_official",
                violation_error_message=_(
                    "담당자는 부서·임기마다 한 번입니다. / An official is listed once per "
                    "department and term."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.department} {self.role} {self.name}"

    def as_official(self) -> Official:
        """The official as published (unsaved): what the department page shows."""
        return Official(
            id=self.official_id,
            department_id=self.department_id,
            role=self.role,
            name=self.name,
            phone=self.phone,
        )


class PublishedWordCount(models.Model):
    """How many of a term's published summaries at a stage hold a two-character piece of
    text (a word of the bigram index, ``search_bigrams``): the length of the index's list
    of pledges for that piece. The public search counts a common two-syllable word ("센터",
    on one card in four) from these rows instead of reading its 12,500 matches at 50,000
    pledges (9 ms of SQL per search).

    PostgreSQL only (the bigram index is): kept by triggers on the summaries' table
    (``publications`` migration 0009), so every write of a summary (publication, a
    department rename's copy, a delete) counts, whatever code makes it. Empty on SQLite,
    whose search counts its rows."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    word = models.CharField(_("two-character piece"), max_length=100)
    pledges = models.PositiveIntegerField(_("pledges"))

    class Meta:
        verbose_name = _("published word count")
        verbose_name_plural = _("published word counts")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "word", "stage"],
                name="%(app_label)s_%(class)s_one_per_word",
                violation_error_message=_(
                    "단어·단계별 건수는 하나입니다. / One count per word and stage."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.word} {self.stage} {self.pledges}"
