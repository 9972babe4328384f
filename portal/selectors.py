"""Reads of the public site: which term, which pledges, which totals. Views ask, then render.

The public site shows each pledge as it was last *published* (``publications``): a card is
rebuilt from the change history at its publication's moment; lists, counts and totals read
the published summaries (``PublishedPledge``), written at publish time. Money of one card
comes from ``budgets.finance.money_for`` at that moment.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import (
    Count,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from budgets.finance import (
    STORED_TOTALS,
    Finance,
    execution_rate,
    money_for,
    stored_totals,
)
from budgets.models import BudgetFigure, FundingSource
from departments.models import Department, Official, WorkPlanItem
from pledges.forms import PledgeFilterForm
from pledges.history import (
    HistoryValues,
    as_published,
    instance_from_json,
    json_columns,
    json_value,
    live_where_no_history,
    rows_as_of,
    rows_kept,
)
from pledges.models import (
    SEARCH_SECTION_TAGS,
    Milestone,
    Pledge,
    PledgeOfficial,
    Project,
    Stage,
    Term,
    Vision,
    YearPlan,
    bigram_exact,
    code_sort_key,
    hangul,
    search_words,
    section_pieces,
    word_pieces,
)
from publications.models import (
    Publication,
    PublishedContact,
    PublishedPledge,
    PublishedTotal,
    PublishedWordCount,
    TotalGrain,
)

from .paging import DeepPaginator

MONEY_SUMS = {
    "current_total": Sum("current_total"),
    "secured_total": Sum("secured_total"),
    "executed_total": Sum("executed_total"),
    "prior_invested": Sum("prior_invested"),
    "executed_cumulative": Sum("executed_cumulative"),
}


def term_shown(number_text: str | None) -> Term:
    """The term asked for with ?term=N, else the current one. A term number that names no
    term is a 404, not the current term shown under the asked number; what is not a number
    at all is ignored."""
    number = Term.parse_number(number_text)
    terms = Term.objects.all()
    term = terms.filter(number=number).first() if number is not None else None
    if number is not None and term is None:
        raise Http404(_("There is no such term."))
    term = term or terms.filter(is_current=True).first() or terms.first()
    if term is None:
        raise Http404(_("No pledges have been loaded yet."))
    return term


def _with_rate(row: dict) -> dict:
    """The cumulative execution rate of summed pledges (the same rule as one pledge's)."""
    return {
        **row,
        "execution_rate": execution_rate(row["executed_cumulative"], row["current_total"]),
    }


def home_summary(term: Term) -> dict:
    """Counts per stage, money overall and per department (all as published, from the
    term's published totals: a few dozen rows, whatever the number of pledges), the latest
    publications."""
    totals = PublishedTotal.objects.filter(term=term)
    per_stage = {
        f"{kind}_{stage.value}": Sum("pledge_count", filter=Q(stage=stage.value) & extra)
        for stage in Stage
        for kind, extra in (("stage", Q()), ("inferred", Q(inferred=True)))
    }
    stats = totals.filter(grain=TotalGrain.VISION).aggregate(
        count=Coalesce(Sum("pledge_count"), 0),
        as_of=Max("as_of"),
        updated=Max("published_at"),
        **MONEY_SUMS,
        **per_stage,
    )
    by_stage = {stage.value: stats.pop(f"stage_{stage.value}") or 0 for stage in Stage}
    inferred = {stage.value: stats.pop(f"inferred_{stage.value}") or 0 for stage in Stage}
    departments = [
        _with_rate(row)
        for row in totals.filter(grain=TotalGrain.DEPARTMENT)
        .values(name=F("department__name"), name_en=F("department__name_en"))
        .annotate(pledges=Sum("pledge_count"), **MONEY_SUMS)
        .order_by("name")
    ]
    return {
        "stats": stats,
        "stages": [
            (stage, by_stage.get(stage.value, 0), inferred.get(stage.value, 0)) for stage in Stage
        ],
        "overall": _with_rate(stats),
        "departments": departments,
        "recent": recent_publications(term),
    }


def recent_publications(term: Term, limit: int = 5) -> list[PublishedPledge]:
    """The term's most recently published pledges, newest first (a batch's pledges in
    card order), each with its latest publication on ``publication``: a pledge published
    twice lately is listed once, with its latest publication. Read from the index
    ``publications_pub_term_latest``: the first rows, however many pledges the term has."""
    return list(
        PublishedPledge.objects.filter(term=term)
        .select_related("publication", "department")
        .order_by("-published_at", "sort_key")[:limit]
    )


def pledges_filtered(
    query: QueryDict, term: Term
) -> tuple[PledgeFilterForm, QuerySet[PublishedPledge]]:
    """The list's filter form bound to the query string, and the published summaries it
    selects (``published_pledges`` turns a page of them into pledges)."""
    data = query.copy()
    data["term"] = term.number  # the term shown, also when the URL names none
    # the departments with published pledges in the term, from the stored totals
    departments = (
        PublishedTotal.objects.filter(term=term, grain=TotalGrain.DEPARTMENT)
        .order_by("department__name")
        .values_list("department__name", flat=True)
        .distinct()
    )
    form = PledgeFilterForm(data, term=term, departments=list(departments))
    return form, form.filter(PublishedPledge.objects.filter(term=term).listed())


def published_pledges(ids) -> list[Pledge]:
    """The pledges of these ids (in this order) as they were last published: each one's
    change-history row of its publication, with term, vision, department and the published
    totals (from its summary) attached. One query, however many, built once per number of
    ids (``pledges.history.rows_kept``)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    summary = PublishedPledge.objects.filter(pledge_id=OuterRef("id")).order_by()
    published = {
        "published_sort_key": "sort_key",
        "published_at": "published_at",
        **{name: name for name in STORED_TOTALS},
    }

    def build(values: list, _when) -> list:
        (page_ids,) = values
        rows = Pledge.history.filter(
            history_id__in=PublishedPledge.objects.filter(pledge_id__in=page_ids).values(
                "history_id"
            )
        )
        extra = {
            **{name: Subquery(summary.values(column)[:1]) for name, column in published.items()},
            "term_row": json_columns("term", Term),
            "vision_row": json_columns("vision", Vision),
            "department_row": json_columns("department", Department),
        }
        return [("pledges", Pledge, rows, extra)]

    # A page's pledges share a term, a few visions and departments: one instance each
    # (the same row read twice is the same object), not three new ones per pledge.
    related: dict[tuple, tuple] = {}

    def shared(model, data: dict):
        key = (model, data["id"])
        known = related.get(key)
        if known is None or known[0] != data:
            known = related[key] = (data, instance_from_json(model, data))
        return known[1]

    found = {}
    for pledge in rows_kept(("published_pledges",), [ids], build)["pledges"]:
        pledge.term = shared(Term, pledge.term_row)
        pledge.vision = shared(Vision, pledge.vision_row)
        pledge.department = shared(Department, pledge.department_row)
        del pledge.term_row, pledge.vision_row, pledge.department_row
        for name, column in published.items():
            field = PublishedPledge._meta.get_field(column)
            setattr(pledge, name, json_value(field, getattr(pledge, name)))
        pledge.sort_key = pledge.published_sort_key
        found[pledge.pk] = pledge
    return [found[pk] for pk in ids if pk in found]


def _instance(row) -> Pledge:
    """The pledge of a change-history row, without the live row's fields that the history
    does not keep (simple-history's ``instance`` reads them: a query per row)."""
    names = {f.attname for f in type(row)._meta.concrete_fields}
    return Pledge(
        **{
            f.attname: getattr(row, f.attname)
            for f in Pledge._meta.concrete_fields
            if f.attname in names
        }
    )


@dataclass(frozen=True)
class StoredCount:
    """What stored counts know of a list: how many pledges it holds (None: not known)
    and, for one search word of two Hangul syllables, how many of them the word ranks 0,
    1, 2 and 3 in (the section of their text where it first occurs); ``rank``: the rank
    every match of a search has, where the counts prove there is one."""

    total: int | None
    word: str = ""
    sections: tuple[int, ...] = ()
    rank: int | None = None


class PublishedPaginator(DeepPaginator):
    """Pages of published summaries (their ids) read as the pledges as published."""

    @property
    def extra_fields(self) -> tuple[str, ...]:
        """Searching: each id's rank is read with it (the page keeps the ranks)."""
        return ("search_rank",) if "search_rank" in self.object_list.query.annotations else ()

    # From this many matches a page of the best-match order is first asked of the matches
    # whose every word is in the code or title (rank 0), among the term's first pledges in
    # code order: at most this many are read, and ranking every match is the fallback.
    FIRST_TIER_FROM = 1000
    FIRST_TIER_WALK = 2000

    def __init__(self, *args, term: Term | None = None, **kwargs):
        """``term``: the term the list's summaries are of (a searched page may then come
        from the first tier's walk)."""
        super().__init__(*args, **kwargs)
        self.term = term
        self.stored: StoredCount | None = None

    # A searched list that stored counts do not count is counted this far (and as far as
    # the page asked for needs): past it, it says "more than …" (``count_up_to``)
    COUNT_UP_TO = 1000

    # a page number past this is counted to the end, exactly (no LIMIT past a bigint)
    COUNT_PAGES_AT_MOST = 10**7

    def count_up_to(self, number_text: str | None):
        """Count the list only as far as the pages a reader sees first need, and page
        ``number_text`` (a page number, as ``get_page`` takes it): at least
        ``COUNT_UP_TO`` rows, in whole pages. When there are more, ``more`` is set,
        ``count`` holds one row past that bound (so the next page exists) and
        ``shown_count`` the bound, rounded down to the hundred: "more than 1,000". A word
        on nine cards in ten at 50,000 pledges: 1,009 rows read, not 44,000. Returns the
        page number to show: a number below 1 is page 1 (``get_page`` would show the
        last page, which a bounded count does not know)."""
        if "count" in self.__dict__:  # known (stored counts)
            return number_text
        try:
            number = int(number_text)
        except (TypeError, ValueError):
            number = 1  # get_page shows page 1 too
        else:
            number = number_text = max(number, 1)
        pages = max(math.ceil(self.COUNT_UP_TO / self.per_page), number)
        bound = self.per_page * min(pages, self.COUNT_PAGES_AT_MOST)
        found = self.object_list.order_by().values("pk")[: bound + 1].count()
        self.count, self.more = found, found > bound
        self.shown_count = (bound // 100 * 100 or bound) if self.more else found
        self.pages_shown = bound // self.per_page
        return number_text

    def known(self, stored: StoredCount | None) -> None:
        """Take what stored counts know of the list (``listed_count``): its count, and a
        word's matches per section."""
        self.stored = stored
        if stored is not None and stored.total is not None:
            self.count = stored.total

    def page_ids(self, number: int) -> list:
        queryset = self.object_list
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if queryset.query.order_by != ("search_rank", "sort_key"):
            return super().page_ids(number)
        if self.stored is not None and self.stored.sections:
            return self._sections_page(bottom, top)
        if self.stored is not None and self.stored.rank is not None:
            # every match ranks the same: the best-match order is the code order
            ids = self.ordered_page_ids(queryset.order_by("sort_key"), ("pk",), number)
            self.extras = {pk: (self.stored.rank,) for pk in ids}
            return ids
        ids = self._first_tier_page(bottom, top)
        return ids if ids is not None else super().page_ids(number)

    def _sections_page(self, bottom: int, top: int) -> list:
        """A best-match page of one word of two Hangul syllables, read section by section
        (where the word first occurs: its rank) in code order, each section's part of the
        page from the pieces' index (``section_pieces``): a walk of the code index that
        stops at the part's last row, or the section's few matches sorted, as the database
        finds cheaper. Nothing ranks every match (at 50,000 pledges a word on nine cards in
        ten: 44,000 matches). A part nearer its section's end is read backwards."""
        word, sizes, parts, start = self.stored.word, self.stored.sections, [], 0
        for rank, (tag, size) in enumerate(zip(SEARCH_SECTION_TAGS, sizes, strict=True)):
            low, high = max(bottom, start) - start, min(top, start + size) - start
            if low < high:
                rows = (
                    self.object_list.filter(search_text__pieces=section_pieces(word, tag))
                    .annotate(section=Value(rank))
                    .values_list("pk", "section", "sort_key")
                )
                backwards = low > size // 2
                if backwards:
                    parts.append((rows.order_by("-sort_key")[size - high : size - low], True))
                else:
                    parts.append((rows.order_by("sort_key")[low:high], False))
            start += size
        if not parts:
            return []
        if len(parts) == 1:
            ((part, backwards),) = parts
            rows = list(part)[::-1] if backwards else list(part)
        else:  # one query; the database orders the parts' rows
            queries = [part for part, _backwards in parts]
            rows = list(queries[0].union(*queries[1:], all=True).order_by("section", "sort_key"))
        self.extras = {pk: (rank,) for pk, rank, _code in rows}
        return [pk for pk, _rank, _code in rows]

    def _first_tier_page(self, bottom: int, top: int) -> list | None:
        """A best-match page whose rows all rank 0 (every word in the code or title) is the
        first tier's page in code order: a walk of the code index that stops at the page's
        last row, read among the term's first ``FIRST_TIER_WALK`` pledges in code order
        (the first tier's first rows are there, or the tier is short and the walk is cut
        short). None: any other page, ranked as a whole."""
        queryset = self.object_list
        if (
            self.term is None
            or "search_top" not in queryset.query.annotations
            or self.count < self.FIRST_TIER_FROM
        ):
            return None
        codes = PublishedPledge.objects.filter(term=self.term).order_by("sort_key")
        bound = Coalesce(
            Subquery(codes.values("sort_key")[self.FIRST_TIER_WALK - 1 : self.FIRST_TIER_WALK]),
            Subquery(codes.reverse().values("sort_key")[:1]),
        )
        first = queryset.filter(search_top=True, sort_key__lte=bound).order_by("sort_key")
        ids = list(first.values_list("pk", flat=True)[bottom:top])
        if len(ids) != top - bottom:  # not positions bottom..top of the whole order
            return None
        self.extras = {pk: (0,) for pk in ids}
        return ids

    def rows(self, ids: list) -> dict:
        pledges = {pledge.pk: pledge for pledge in published_pledges(ids)}
        for pk, extra in getattr(self, "extras", {}).items():
            if extra and pk in pledges:
                pledges[pk].search_rank = extra[0]
        return pledges


def published_pledges_iter(summaries, chunk: int = 500):
    """``published_pledges`` over a long queryset of summaries, a chunk per query."""
    ids = list(summaries.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        yield from published_pledges(ids[start : start + chunk])


def card_term(term_text: str | None) -> Term:
    """The term of a pledge card's URL: ``?term=N`` (404 when unknown), else the current."""
    number = Term.parse_number(term_text)
    lookup = {"number": number} if number is not None else {"is_current": True}
    return get_object_or_404(Term, **lookup)


def published_moment(code: str, term: Term, when: datetime | None = None) -> datetime:
    """The moment of the pledge's publication standing at ``when`` (now when None): the
    latest at or before it. 404 when the term has no such pledge published by then."""
    rows = Publication.objects.filter(pledge__term=term, pledge__code=code)
    if when is not None:
        rows = rows.filter(published_at__lte=when)
    moment = rows.order_by("-published_at").values_list("published_at", flat=True).first()
    if moment is None:
        raise Http404(_("No such pledge has been published."))
    return moment


def pledge_card(
    code: str, term: Term | None = None, when: datetime | None = None, term_text: str | None = None
) -> Pledge:
    """One pledge card as published (at ``when``: as its publication then stood), with
    ``published_at`` and ``published_history`` (every publication, newest first) set; 404
    when the term (``term``, else ``?term=`` text, else the current) has no such pledge
    published by then."""
    if term is not None:
        lookup = {"pledge__term": term}
    else:
        number = Term.parse_number(term_text)
        lookup = (
            {"pledge__term__number": number}
            if number is not None
            else {"pledge__term__is_current": True}
        )
    publications = list(
        Publication.objects.filter(pledge__code=code, **lookup)
        .select_related("pledge__term")
        .order_by("-published_at", "-pk")
    )
    term = term or (publications[0].pledge.term if publications else None)
    moment = next(
        (p.published_at for p in publications if when is None or p.published_at <= when), None
    )
    if moment is None:
        raise Http404(_("No such pledge has been published."))
    pledge_id = next(p.pledge_id for p in publications if p.published_at == moment)
    pledge = pledge_card_as_of(pledge_id, term, moment)
    pledge.published_at = moment
    pledge.money = money_for([pledge], when=moment, projects={pledge.pk: pledge.card_projects})[
        pledge.pk
    ]
    for name, value in stored_totals(pledge.money.total, pledge.as_of).items():
        setattr(pledge, name, value)  # the list's totals, as published
    pledge.published_history = publications
    return pledge


def as_of(term: Term):
    """The newest as-of date of the term's published pledges (None before any), from the
    stored totals (rebuilt with the summaries at every publication)."""
    return PublishedTotal.objects.filter(term=term).aggregate(Max("as_of"))["as_of__max"]


def departments_with_counts(term: Term) -> QuerySet[Department]:
    """Every department with its published pledges in the term and its work-plan items."""
    published = PublishedPledge.objects.filter(department=OuterRef("pk"), term=term).order_by()
    return Department.objects.select_related("bureau").annotate(
        pledge_count=Coalesce(
            Subquery(published.values("department").annotate(n=Count("pk")).values("n")), 0
        ),
        item_count=Count("work_plan_items", distinct=True),
    )


def department_shown(name: str) -> Department:
    return get_object_or_404(Department.objects.select_related("bureau"), name=name)


def department_pledges(department: Department, term: Term) -> QuerySet[PublishedPledge]:
    """A department's published summaries in card order (``PublishedPaginator`` turns a
    page of them into the pledges as published)."""
    return PublishedPledge.objects.filter(term=term, department=department).order_by("sort_key")


SNIPPET_RADIUS = 40


def _snippet(text: str, needle: str) -> str | None:
    """The words around the first match, trimmed with … where cut; None when absent."""
    at = text.casefold().find(needle.casefold())
    if at < 0:
        return None
    start, end = max(at - SNIPPET_RADIUS, 0), min(at + len(needle) + SNIPPET_RADIUS, len(text))
    piece = " ".join(text[start:end].split())
    return f"{'…' if start else ''}{piece}{'…' if end < len(text) else ''}"


def search_matches(pledges: list[Pledge], text: str, rows: dict[str, list]) -> dict[int, dict]:
    """For each pledge of a result page, where the search text was found and the words around
    it ({"where": label, "text": snippet}), in the order the search ranks fields. ``rows``
    are the page's card rows as published (``page_rows(…, searching=True)``)."""
    words = (text or "").split()
    if not words or not pledges:
        return {}
    phrase = " ".join(words)
    text = words[0]
    folded = text.casefold()

    def has(value: str | None) -> bool:
        return folded in (value or "").casefold()

    related: dict[int, list[tuple[str, str]]] = {}
    for milestone in rows["milestones"]:
        if has(milestone.text):
            related.setdefault(milestone.pledge_id, []).append((_("Milestone"), milestone.text))
    for project in rows["projects"]:
        if has(project.name) or has(project.overview):
            related.setdefault(project.pledge_id, []).append((_("Sub-project"), project.name))
            related[project.pledge_id].append((_("Sub-project"), project.overview))
    for plan in rows["year_plans"]:
        if has(plan.text):
            related.setdefault(plan.pledge_id, []).append((_("Plan per year"), plan.text))
    late: dict[int, list[tuple[str, str]]] = {}
    for link in rows["officials"]:
        if has(name := link.department_name):
            late.setdefault(link.pledge_id, []).append(
                (_("Accountable official’s department"), name)
            )
    result = {}
    for pledge in pledges:
        candidates = [
            (_("Title"), pledge.title),
            (_("Title"), pledge.title_en),
            (_("Target"), pledge.target),
            (_("Target"), pledge.target_en),
            (_("Objective"), pledge.objective),
            (_("Overview"), pledge.overview),
            (_("Problems and measures"), pledge.problems),
            (_("Plan per year"), pledge.plan_note),
            *related.get(pledge.pk, []),
            (_("Department"), pledge.department.name),
            (_("Department"), pledge.department.name_en),
            *late.get(pledge.pk, []),
        ]
        for needle in dict.fromkeys([phrase, text]):  # the whole phrase, else its first word
            found = next(
                (
                    {"where": where, "text": snippet}
                    for where, field_text in candidates
                    if (snippet := _snippet(field_text or "", needle))
                ),
                None,
            )
            if found:
                result[pledge.pk] = found
                break
    return result


def page_rows(pledges: list[Pledge], *, searching: bool) -> dict[str, list]:
    """The card rows a page of results shows, as published (each pledge's rows as they stood
    at its latest publication, ``PublishedPledge.published_at``): its milestones (the
    status line), and when searching its sub-projects, plans and officials' links with
    their department's name (where the search matched). One query for the page, built once
    per page size (``pledges.history.rows_kept``)."""
    ids = [p.pk for p in pledges]
    labels = ["milestones", *(["projects", "year_plans", "officials"] if searching else [])]
    if not ids:
        return {label: [] for label in labels}
    moment = Subquery(
        PublishedPledge.objects.filter(pledge_id=OuterRef("pledge_id"))
        .order_by()  # one row by its key: no sort (the model's ordering joins the term)
        .values("published_at")[:1]
    )

    def build(values: list, _when) -> list:
        (page_ids,) = values

        def standing(model) -> QuerySet:
            return as_published(model.history.filter(pledge_id__in=page_ids), moment)

        parts = {
            "milestones": (Milestone, {}),
            "projects": (Project, {}),
            "year_plans": (YearPlan, {}),
            "officials": (PledgeOfficial, {"department_name": F("official__department__name")}),
        }
        return [
            (label, parts[label][0], standing(parts[label][0]), parts[label][1]) for label in labels
        ]

    return rows_kept(("page_rows", searching), [ids], build)


def _stage_counts(rows, labels: dict) -> list[tuple[str, str, str]]:
    """(stage value, label, count) of every stage in order, as a page prints them (the
    labels translated once per page, ``labels``: {stage: text})."""
    counts = dict(rows)
    return [(stage.value, labels[stage], str(counts.get(stage.value, 0))) for stage in Stage]


def published_count(term: Term) -> int:
    """How many pledges of the term are published, from the stored totals (a few dozen
    rows, not a count over every summary)."""
    totals = PublishedTotal.objects.filter(term=term, grain=TotalGrain.VISION)
    return totals.aggregate(n=Coalesce(Sum("pledge_count"), 0))["n"]


def listed_count(term: Term, filters: dict) -> StoredCount | None:
    """What stored counts know of the published pledges of the term that a list's filters
    (``q``, ``stage``, ``department``, ``vision``, ``budget``; empty values ignored)
    select: with none, their number (the stored totals); with one search word of two
    Hangul syllables, alone or with a stage, their number per section where the word
    first occurs (the stored word counts, on PostgreSQL: exactly the summaries the pieces'
    index finds, ``pledges.models.section_pieces``); with another search, no count but
    the rank every match has where the stored counts prove one (``stored_rank``). None
    otherwise: the list counts its rows."""
    given = {name: value for name, value in filters.items() if value}
    if not given:
        return StoredCount(published_count(term))
    words = search_words(given.pop("q", ""))
    if not words or connections[PublishedWordCount.objects.db].vendor != "postgresql":
        return None
    if len(words) != 1 or not set(given) <= {"stage"} or not bigram_exact(words[0]):
        rank = stored_rank(term, words)
        return None if rank is None else StoredCount(None, rank=rank)
    word = words[0]
    counts = (
        PublishedWordCount.objects.filter(
            term=term, word__in=[f"{tag}{word}" for tag in SEARCH_SECTION_TAGS], **given
        )
        .values_list("word")
        .annotate(n=Sum("pledges"))
        .order_by()
    )
    per_tag = {tagged[0]: n for tagged, n in counts}
    sections = tuple(per_tag.get(tag, 0) for tag in SEARCH_SECTION_TAGS)
    return StoredCount(sum(sections), word, sections)


def stored_rank(term: Term, words: list[str]) -> int | None:
    """The rank (``search_ranked``) that every published pledge of the term matching all
    these search words has, when the stored word counts prove there is only one (else
    None). Each word must be two or more Hangul syllables. A word of two ranks the section
    where it first occurs, the tag of its piece: one tag counted means one rank. A longer
    word first occurs in a section where each of its pieces occurs, so no earlier than the
    first tag of any piece: a piece only ever first found in the last section ("the rest")
    puts the word there. E.g. 계획 and 수립 only in milestones: every match of "계획 수립"
    ranks 3 + 3. On PostgreSQL (the stored counts); one query."""
    if not words or not all(len(word) >= 2 and hangul(word) for word in words):
        return None
    pieces = {piece for word in words for piece in word_pieces(word)}
    tagged = (
        PublishedWordCount.objects.filter(
            term=term,
            word__in=[f"{tag}{piece}" for piece in pieces for tag in SEARCH_SECTION_TAGS],
            pledges__gt=0,
        )
        .values_list("word", flat=True)
        .distinct()
    )
    sections: dict[str, set[int]] = {piece: set() for piece in pieces}
    for word in tagged:
        sections[word[1:]].add(SEARCH_SECTION_TAGS.index(word[0]))
    rank, last = 0, len(SEARCH_SECTION_TAGS) - 1
    for word in words:
        found = [sections[piece] for piece in word_pieces(word)]
        if not all(found):  # a piece no pledge holds: no match, nothing to rank
            return None
        low = max(min(tags) for tags in found)
        ranks = found[0] if len(word) == 2 else set(range(low, last + 1))
        if len(ranks) != 1:
            return None
        rank += ranks.pop()
    return rank


def vision_summary(term: Term) -> list[dict]:
    """Each vision of the term with its pledges' count, counts per stage and money: one
    query grouped by vision and stage, summed per vision here (exact integers)."""
    fields = ("number", "title", "subtitle", "title_en", "subtitle_en")
    rows = (
        PublishedTotal.objects.filter(term=term, grain=TotalGrain.VISION)
        .values("vision", *(f"vision__{field}" for field in fields), "stage")
        .annotate(n=Sum("pledge_count"), **MONEY_SUMS)
        .order_by("vision__number")
    )
    visions: dict[int, dict] = {}
    for row in rows:
        entry = visions.setdefault(
            row["vision"],
            {
                "vision": Vision(pk=row["vision"], **{f: row[f"vision__{f}"] for f in fields}),
                "count": 0,
                "by_stage": [],
                **{key: None for key in MONEY_SUMS},
            },
        )
        entry["count"] += row["n"]
        entry["by_stage"].append((row["stage"], row["n"]))
        for key in MONEY_SUMS:
            if row[key] is not None:
                entry[key] = (entry[key] or 0) + row[key]
    labels = {stage: str(stage.label) for stage in Stage}  # translated once, not per vision
    return [
        {**_with_rate(entry), "stages": _stage_counts(entry.pop("by_stage"), labels)}
        for entry in visions.values()
    ]


def department_summary(department: Department, term: Term) -> dict:
    """A department's pledges in the term (as published): count, money totals and counts
    per stage from one aggregate query, and its contacts (the officials the published
    cards name, with their phones as published: ``department_contacts``)."""
    rows = PublishedTotal.objects.filter(
        term=term, grain=TotalGrain.DEPARTMENT, department=department
    )
    per_stage = {
        f"stage_{stage.value}": Sum("pledge_count", filter=Q(stage=stage.value)) for stage in Stage
    }
    totals = rows.aggregate(count=Coalesce(Sum("pledge_count"), 0), **MONEY_SUMS, **per_stage)
    stages = [(stage, totals.pop(f"stage_{stage.value}") or 0) for stage in Stage]
    return {
        "totals": _with_rate(totals),
        "stages": stages,
        "contacts": department_contacts(department, term),
    }


def work_plan_items(department: Department) -> QuerySet[WorkPlanItem]:
    """The department's work-plan items, each with the pledges it serves (and their
    terms: a pledge's link names its term)."""
    return department.work_plan_items.prefetch_related(
        Prefetch("pledges", queryset=Pledge.objects.select_related("term"))
    )


def department_contacts(department: Department, term: Term) -> list[Official]:
    """The department's officials the term's published cards name, with names and phones as
    published, in the page's order: written at publication (``PublishedContact``; a new
    phone saved since is a draft until a card naming it is published). One query."""
    rows = PublishedContact.objects.filter(term=term, department=department).order_by("position")
    return [row.as_official() for row in rows]


def milestone_status(pledges: list[Pledge], today, rows: dict[str, list]) -> dict[int, dict]:
    """For each pledge, its one-line status (``status_for``) from its dated milestones as
    published (``page_rows``)."""
    milestones: dict[int, list[Milestone]] = {}
    for row in rows["milestones"]:
        if row.parent_id is None and row.start is not None:
            milestones.setdefault(row.pledge_id, []).append(row)
    return {p.pk: status_for(p, milestones.get(p.pk, []), today) for p in pledges}


def status_for(pledge: Pledge, milestones, today) -> dict:
    """The status line of a pledge, read at its data's as-of date (or today, if earlier): a
    milestone dated after the card's as-of date is still a plan, whatever today is."""
    when = min(today, pledge.as_of) if pledge.as_of else today
    return status_of(milestones, when) | {"as_of": when}


def status_of(milestones, today) -> dict:
    """The latest milestone that has started by ``today`` and the earliest one after it."""
    dated = sorted((m for m in milestones if m.start and not m.parent_id), key=lambda m: m.start)
    past = [m for m in dated if m.start <= today]
    upcoming = [m for m in dated if m.start > today]
    return {"last": past[-1] if past else None, "next": upcoming[0] if upcoming else None}


# As of a past day: what the portal showed then, rebuilt from the change history -----------

SEOUL = ZoneInfo("Asia/Seoul")


class BadQuery(ValueError):
    """A query-string value the open data refuses (400), with a Korean / English message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


AS_OF_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def as_of_moment(text: str | None, term: Term) -> datetime | None:
    """``?as_of=YYYY-MM-DD`` as the last moment of that day in Seoul; None when absent.

    Refused: not a date, a day before the term began, a day after today (Seoul).
    """
    if text is None or text == "":
        return None
    try:  # exactly YYYY-MM-DD in ASCII digits: no spaces around it, no week dates
        day = date.fromisoformat(text) if AS_OF_TEXT.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise BadQuery(
            "as_of",
            f"as_of는 YYYY-MM-DD 형식의 날짜여야 합니다: {text!r}. / "
            f"as_of must be a date written YYYY-MM-DD: {text!r}.",
        )
    if day < term.start:
        raise BadQuery(
            "as_of",
            f"as_of {day}는 {term.name} 임기 시작일({term.start}) 이전입니다. / "
            f"as_of {day} is before the term {term.name} began ({term.start}).",
        )
    today = datetime.now(SEOUL).date()
    if day > today:
        raise BadQuery(
            "as_of",
            f"as_of {day}는 미래입니다 (오늘 {today}). / as_of {day} is in the future "
            f"(today is {today} in Seoul).",
        )
    return datetime.combine(day, time.max, tzinfo=SEOUL)


def term_number_asked(number_text: str | None) -> int | None:
    """``?term=N`` checked without a query: None when absent, a 400 when not a number."""
    if number_text is None or number_text == "":
        return None
    number = Term.parse_number(number_text)
    if number is None:
        raise BadQuery(
            "term",
            f"term은 임기 번호여야 합니다(예: 8): {number_text!r}. / "
            f"term must be the number of a term (e.g. 8): {number_text!r}.",
        )
    return number


def term_asked(number_text: str | None) -> Term:
    """The term of ``?term=N`` for the open data: a value that is not a known term is refused."""
    if number_text is None or number_text == "":
        return term_shown(None)
    number = Term.parse_number(number_text)
    term = Term.objects.filter(number=number).first() if number is not None else None
    if term is None:
        raise BadQuery(
            "term",
            f"term은 임기 번호여야 합니다(예: 8): {number_text!r}. / "
            f"term must be the number of a known term (e.g. 8): {number_text!r}.",
        )
    return term


def _standing_moment(pledge_ref, when: datetime) -> Subquery:
    """The moment of the pledge's (``pledge_ref``, an outer reference) publication standing
    at ``when``: its latest at or before it (NULL before its first)."""
    return Subquery(
        Publication.objects.filter(pledge_id=pledge_ref, published_at__lte=when)
        .order_by("-published_at")
        .values("published_at")[:1]
    )


def published_rows_at(term: Term, when: datetime) -> QuerySet:
    """The term's pledges as published at ``when``: for each pledge the change-history row
    of its publication standing then (a draft saved before ``when`` but published after is
    not shown). Filter it with the list's filters, then read it with ``pledges_as_of``."""
    return as_published(Pledge.history.filter(term=term), _standing_moment(OuterRef("id"), when))


class PledgesAsOf(Sequence):
    """The term's pledges as published at ``when`` (``published_rows_at``, filtered with
    the list's filters), in the asked order (``code``, ``rate``: highest execution rate
    first, ``updated``: newest first), read a slice at a time.

    The order and the count come from narrow rows of every match (id, code, publication
    moment, 기준일); whole pledges, with their term, vision, department and
    money totals (from their figures at that moment), only for the slice read: a page of
    the API, or a chunk of a download. At 50,000 pledges a page no longer rebuilds the
    whole term (about a minute, a query pair per publication moment). Sorting by rate
    still reads every match's total cells, 2,000 pledges per query pair."""

    chunk = 500

    def __init__(self, term: Term, when: datetime, rows: QuerySet | None = None, sort="code"):
        self.term, self.when = term, when
        rows = rows if rows is not None else published_rows_at(term, when)
        self.rows = rows.filter(term=term)
        # "updated" is the latest publication, as on the live list (``PublishedPledge``'s
        # ``updated_at``): here the one standing at ``when``.
        keys = list(self.rows.order_by().values_list("id", "code", "standing", "as_of"))
        if sort == "rate":
            rates = _execution_rates_as_of([key[0] for key in keys], when)
            keys.sort(key=lambda k: (rates[k[0]] is None, -(rates[k[0]] or 0), code_sort_key(k[1])))
        elif sort == "updated":
            keys.sort(key=lambda k: (-k[2].timestamp(), code_sort_key(k[1])))
        else:
            keys.sort(key=lambda k: code_sort_key(k[1]))
        self.ids = [key[0] for key in keys]
        # the newest 기준일 of the matches (the list's ``as_of``)
        self.latest_as_of = max((key[3] for key in keys if key[3]), default=None)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self.ids[index])
        return self._read([self.ids[index]])[0]

    def __iter__(self):
        for start in range(0, len(self.ids), self.chunk):
            yield from self._read(self.ids[start : start + self.chunk])

    def _read(self, ids: list[int]) -> list[Pledge]:
        if not ids:
            return []
        found = {pledge.pk: pledge for pledge in _pledges_of(self.rows.filter(id__in=ids))}
        return _completed_as_of([found[pk] for pk in ids if pk in found], self.term, self.when)


def _pledges_of(rows: QuerySet) -> list[Pledge]:
    """The pledges of ``published_rows_at`` rows, each with ``published_at`` (the moment of
    its publication standing then)."""
    pledges = []
    for row in rows:
        pledge = _instance(row)
        pledge.published_at = row.standing
        pledges.append(pledge)
    return pledges


def _completed_as_of(pledges: list[Pledge], term: Term, when: datetime) -> list[Pledge]:
    """Historical pledges with their term, vision, department and money totals as
    published at ``when`` attached."""
    _attach(pledges, term)
    cells = _total_cells_as_of([p.pk for p in pledges], when)
    for pledge in pledges:
        # The same read model the live list uses (budgets.finance.stored_totals), from the
        # figures as they were published: every rate keeps its one definition.
        finance = Finance(cells.get(pledge.pk, {}))
        for name, value in stored_totals(finance, pledge.as_of).items():
            setattr(pledge, name, value)
    return pledges


def pledges_as_of(term: Term, when: datetime, queryset=None) -> list[Pledge]:
    """The term's pledges as published at ``when``, in code order, all read at once (for a
    few: one pledge's file); a long list is read a slice at a time (``PledgesAsOf``)."""
    rows = queryset if queryset is not None else published_rows_at(term, when)
    pledges = _pledges_of(rows.filter(term=term))
    pledges.sort(key=lambda p: code_sort_key(p.code))
    return _completed_as_of(pledges, term, when)


def _attach(pledges: list[Pledge], term: Term) -> None:
    """Historical instances carry ids only: attach term, vision and department objects."""
    departments = Department.objects.in_bulk({p.department_id for p in pledges})
    visions = Vision.objects.in_bulk({p.vision_id for p in pledges})
    for pledge in pledges:
        pledge.term = term
        pledge.sort_key = code_sort_key(pledge.code)  # not in the history: derived
        pledge.vision = visions[pledge.vision_id]
        pledge.department = departments[pledge.department_id]


def _execution_rates_as_of(ids: list[int], when: datetime) -> dict:
    """{pledge id: execution rate} of these pledges as published at ``when``."""
    cells = _total_cells_as_of(ids, when)
    return {pk: Finance(cells.get(pk, {})).execution_rate for pk in ids}


def _total_cells_as_of(ids: list[int], when: datetime) -> dict[int, dict]:
    """{pledge id: {cell: amount}}: each table's total row as published at ``when`` (each
    pledge's sub-projects and figures at its own publication's moment standing then),
    summed over the pledge's sub-projects (as ``budgets.services.pledge_totals_refresh``
    reads them). Two queries per 2,000 pledges, whatever their publication moments."""
    cells: dict[int, dict] = {}
    # a figure's pledge: through its sub-project's history (a sub-project deleted since
    # still counts where it stood then)
    pledge_of_project = Subquery(
        Project.history.filter(id=OuterRef(OuterRef("project_id")))
        .order_by()
        .values("pledge_id")[:1]
    )
    for start in range(0, len(ids), 2000):
        projects = dict(
            as_published(
                Project.history.filter(pledge_id__in=ids[start : start + 2000]),
                _standing_moment(OuterRef("pledge_id"), when),
            )
            .order_by()
            .values_list("id", "pledge_id")
        )
        if not projects:
            continue
        rows = as_published(
            BudgetFigure.history.filter(source=FundingSource.TOTAL),
            _standing_moment(pledge_of_project, when),
            project_id__in=list(projects),  # a figure never moves to another sub-project
        )
        for project_id, kind, period, amount in rows.order_by().values_list(
            "project_id", "kind", "period", "amount"
        ):
            pledge_cells = cells.setdefault(projects[project_id], {})
            cell = (kind, FundingSource.TOTAL, period)
            pledge_cells[cell] = pledge_cells.get(cell, 0) + amount
    return cells


def pledge_card_as_of(pledge_id: int, term: Term, when: datetime) -> Pledge:
    """One pledge card as it stood at ``when``: the pledge, its sub-projects (on
    ``card_projects``), plans, milestones, officials (names and phones as they were),
    work-plan items, material and progress, its vision and department, each from its
    history. Two queries (``pledges.history.rows_as_of``), whatever the card holds."""
    card = rows_as_of(
        when,
        [
            ("pledge", Pledge, {"id": pledge_id}),
            *[
                (relation, Pledge._meta.get_field(relation).related_model, {"pledge_id": pledge_id})
                for relation in CARD_ROWS
            ],
        ],
    )
    if not card["pledge"]:
        raise Http404(f"no pledge {pledge_id} on {when:%Y-%m-%d}")
    (pledge,) = card["pledge"]
    items = {link.item_id for link in card["workplanlink"]}
    people = rows_as_of(
        when,
        [
            ("vision", Vision, {"id": pledge.vision_id}),
            ("department", Department, {"id": pledge.department_id}),
            ("officials", Official, {"id__in": [o.official_id for o in card["pledgeofficial"]]}),
            ("items", WorkPlanItem, {"id__in": items}),
            (
                "item_departments",
                Department,
                {"id__in": HistoryValues(WorkPlanItem, "department_id", {"id__in": items})},
            ),
        ],
    )
    live_where_no_history(
        people,
        {
            "vision": (Vision, {pledge.vision_id}),
            "department": (Department, {pledge.department_id}),
            "officials": (Official, {o.official_id for o in card["pledgeofficial"]}),
            "items": (WorkPlanItem, items),
        },
    )
    pledge.term = term
    pledge.vision = next(iter(people["vision"]), None)
    departments = {d.pk: d for d in people["item_departments"] + people["department"]}
    missing = {i.department_id for i in people["items"]} | {
        o.department_id for o in people["officials"]
    }
    missing -= set(departments)
    if missing:  # rows written without history (bulk loads): their live state stands
        departments.update(Department.objects.in_bulk(missing))
    pledge.department = departments.get(pledge.department_id)
    pledge.sort_key = code_sort_key(pledge.code)

    def ordered(rows: list, *names: str) -> list:
        rows.sort(key=lambda row: tuple(getattr(row, name) for name in names))
        for row in rows:
            if getattr(row, "project_id", None) is not None:
                row.project = projects.get(row.project_id) or row.project
            row.pledge = pledge
        return rows

    pledge.card_projects = sorted(card["projects"], key=lambda p: (p.position, p.pk))
    projects = {p.pk: p for p in pledge.card_projects}
    for project in pledge.card_projects:
        project.pledge = pledge
    milestones = ordered(card["milestones"], "position")
    by_id = {m.pk: m for m in milestones}
    for milestone in milestones:
        if milestone.parent_id is not None:
            milestone.parent = by_id.get(milestone.parent_id) or milestone.parent
    officials = ordered(card["pledgeofficial"], "position")
    people_by_id = {o.pk: o for o in people["officials"]}
    officials = [link for link in officials if link.official_id in people_by_id]
    for link in officials:
        link.official = people_by_id[link.official_id]
        link.official.department = departments.get(link.official.department_id)
    items = sorted(
        people["items"],
        key=lambda i: (i.year, getattr(departments.get(i.department_id), "name", ""), i.number),
    )
    for item in items:
        item.department = departments.get(item.department_id)
    plans = ordered(card["year_plans"], "period")
    plans.sort(key=lambda plan: (plan.project.position if plan.project_id else 0,))
    _prefetched(pledge, "year_plans", plans)
    _prefetched(pledge, "milestones", milestones)
    _prefetched(pledge, "pledgeofficial_set", officials)
    _prefetched(pledge, "work_plan_items", items)
    _prefetched(pledge, "materials", ordered(card["materials"], "position"))
    _prefetched(pledge, "progress", ordered(card["progress"], "indicator", "period", "category"))
    return pledge


# The card's rows kept in history, by the pledge's relation name.
CARD_ROWS = (
    "projects",
    "milestones",
    "pledgeofficial",
    "workplanlink",
    "year_plans",
    "materials",
    "progress",
)


def _prefetched(instance, name: str, rows: list) -> None:
    """Hand ``rows`` to ``instance.<name>.all()`` as if prefetched."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
