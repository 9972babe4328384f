"""The pledge (공약): one card of the pledge book."""

import re

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, StrIndex
from django.db.models.lookups import LessThan
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


SEARCH_WORDS = 8  # a longer query is cut: each word is one more condition


def search_words(text: str | None) -> list[str]:
    """The words of a search as the stored search text holds them (upper-cased)."""
    return [word.upper() for word in (text or "").split()[:SEARCH_WORDS]]


# Between the stored search text's sections, in rank order: code and titles | target |
# the card's own texts | the rest (``pledge_search_texts``). Characters no text keeps and no
# search word holds (``str.split`` takes them for spaces): where a word first occurs says
# the best section holding it (``search_ranked``), with no other field read.
SEARCH_SECTION_MARKS = ("\x1c", "\x1d", "\x1e")


def search_text_join(*sections) -> str:
    """The stored search text of a card from its texts, a list per section (code and
    titles, target, own texts, the rest): one line per text, its spaces collapsed,
    upper-cased (as ``search_words`` upper-cases a query), and a line of the section's
    mark (``SEARCH_SECTION_MARKS``) after each of the first three sections."""
    if len(sections) != len(SEARCH_SECTION_MARKS) + 1:
        raise ValueError(f"a search text has {len(SEARCH_SECTION_MARKS) + 1} sections")
    lines = []
    for section, mark in zip(sections, (*SEARCH_SECTION_MARKS, None), strict=True):
        lines += [" ".join(part.split()) for part in section if part and part.strip()]
        if mark:
            lines.append(mark)
    return "\n".join(lines).upper()


def code_sort_key(code: str) -> str:
    """ "12-9" → "000012-000009": numbers zero-padded so codes sort as people read them."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), code)


def bigram_indexed(word: str) -> bool:
    """Whether a search word is found through the bigram index on PostgreSQL (migration
    0016): two characters, each a Hangul syllable, an ASCII letter or a digit."""
    return len(word) == 2 and all("가" <= c <= "힣" or (c.isascii() and c.isalnum()) for c in word)


def hangul(word: str) -> bool:
    """Whether every character of ``word`` is a Hangul syllable (가 … 힣)."""
    return all("가" <= c <= "힣" for c in word)


def word_pieces(word: str) -> list[str]:
    """The two-character pieces of a search word, in order ("세부사업" → 세부, 부사, 사업):
    what the bigram index holds of it."""
    return [word[i : i + 2] for i in range(len(word) - 1)]


def bigram_exact(word: str) -> bool:
    """Whether the bigram index alone finds a search word: two Hangul syllables (a text's
    pieces are all its two-character substrings; "simple" leaves Hangul as it is), so no
    ``LIKE`` re-reads the matched texts and the index's count of texts holding the piece is
    the number of matches (``publications.PublishedWordCount``)."""
    return bigram_indexed(word) and hangul(word)


# The tag of a two-character piece in the published summaries' index: the section of the
# search text where it first occurs (code and titles, target, own texts, the rest).
SEARCH_SECTION_TAGS = "abcd"


def section_pieces(word: str, sections: str = SEARCH_SECTION_TAGS) -> str:
    """The tsquery text of a ``bigram_indexed`` word first occurring in any of these
    sections ("a센터|b센터|…"): the index's pieces are tagged with their first section."""
    return "|".join(f"{tag}{word}" for tag in sections)


@models.TextField.register_lookup
class PiecesMatch(models.Lookup):
    """``search_text__pieces=query``: PostgreSQL's GIN index on the text's two-character
    pieces, each tagged with the section where it first occurs (a stored column
    ``search_bigrams`` beside the text: the published summaries', ``publications``
    migrations 0006 and 0011), matches ``query``, a tsquery of tagged pieces
    (``section_pieces``)."""

    lookup_name = "pieces"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # the text's pieces as stored beside it, same table, same alias
        table, _dot, column = lhs.rpartition(".")
        if column.strip('"') != "search_text" or lhs_params:
            raise ValueError(f"the pieces lookup is for the stored search text, not {lhs}")
        sql = f"{table}.\"search_bigrams\" @@ to_tsquery('simple', {rhs})"
        return sql, [*rhs_params]


def search_ranked(
    queryset: models.QuerySet, text: str, *, column: str, indexed: bool = False
) -> models.QuerySet:
    """Rows whose stored search text (``column``) contains every word of ``text``, with
    ``search_rank``: per word, the section of the text where it first occurs (0 code or
    title, 1 target, 2 the card's own texts, 3 anything else: ``search_text_join``), summed
    over the words, and the alias ``search_top`` (rank 0). Read from the text alone, for
    the matched rows only. ``indexed``: the column's table has the search indexes on
    PostgreSQL (the published summaries: ``publications`` migration 0006)."""
    words = search_words(text)
    if not words:
        return queryset
    bigrams = indexed and connections[queryset.db].vendor == "postgresql"
    for word in words:  # "명예 시장" finds 명예시장: each word on its own
        if not (bigrams and bigram_indexed(word)):
            queryset = queryset.filter(**{f"{column}__contains": word})
        elif bigram_exact(word):
            queryset = queryset.filter(**{f"{column}__pieces": section_pieces(word)})
        else:  # letters or digits: the index lowercases, the LIKE confirms the case
            queryset = queryset.filter(**{f"{column}__contains": word})
            queryset = queryset.filter(**{f"{column}__pieces": section_pieces(word)})

    def at(piece: str) -> StrIndex:
        return StrIndex(column, Value(piece))

    marks = SEARCH_SECTION_MARKS

    def within(word: str, section: int) -> Q:
        """The word first occurs in this section: for two Hangul syllables on PostgreSQL,
        the row's tagged pieces hold it with that section's tag (no scan of the text);
        otherwise its first position in the text is before the section's mark."""
        if bigrams and bigram_exact(word):
            tag = SEARCH_SECTION_TAGS[section]
            return Q(**{f"{column}__pieces": section_pieces(word, tag)})
        return Q(LessThan(at(word), at(marks[section])))

    def rank(word: str) -> models.Case:
        return models.Case(
            *(models.When(within(word, n), then=n) for n in range(len(marks))),
            default=len(marks),
            output_field=models.IntegerField(),
        )

    ranks = [rank(word) for word in words]
    # ``search_top``: every word in the first section (rank 0), as a plain condition the
    # database tests while it walks an index in code order (``PublishedPaginator``): by
    # position in the text, whose cost the planner does not overrate (with the tagged
    # pieces it sorted every match instead of walking)
    top = Q()
    for word in words:
        top &= Q(LessThan(at(word), at(marks[0])))
    return queryset.annotate(search_rank=sum(ranks[1:], ranks[0])).alias(
        search_top=models.ExpressionWrapper(top, output_field=models.BooleanField())
    )


class PledgeQuerySet(models.QuerySet):
    def for_term(self, term: Term) -> "PledgeQuerySet":
        return self.filter(term=term)

    def search(self, text: str) -> "PledgeQuerySet":
        """Pledges whose card contains every word of ``text`` (any part of a word: Korean
        has no spaces between a noun and its particle), read from the stored
        ``search_text`` (see ``pledges.services.pledge_search_refresh`` for what it holds).

        ``search_rank`` says where they matched, lower is better, summed over the words:
        0 code or title, 1 target, 2 the card's own texts, 3 anything else (milestones,
        sub-projects, plans, departments). It is computed for the matched rows only.

        The public list searches the published summaries' copy of the text, indexed on
        PostgreSQL (``PublishedPledge.objects.search``); this one scans.
        """
        return search_ranked(self, text, column="search_text")


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

    # Read model for the public search: every text of the card in one upper-cased column,
    # kept by pledges.services.pledge_search_refresh and copied to the published summary
    # (publications.PublishedPledge.search_text, indexed there on PostgreSQL).
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "Every text of the card, upper-cased, for the public search; rebuilt by "
            "pledge_search_refresh, never edited."
        ),
    )

    objects = PledgeManager()
    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
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
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The search text belongs to the published card (pledges.services.
            # pledge_search_refresh writes it at publication): a card saved from a row
            # loaded earlier never writes back the text it happened to hold.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "search_text"
            ]
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
