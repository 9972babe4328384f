"""Reads of the public site, all from the published record (``publications.Publication``).

A pledge's public state is its standing publication: the latest, or as of a day the latest
published by the end of that day (``Publication.objects.standing``). Lists, counts and
totals read the publications' columns; a card is read back from its snapshot
(``Publication.card_read``). Terms are read live; nothing else of a pledge is.
"""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from budgets.finance import execution_rate
from departments.models import Department, Official, Role, WorkPlanItem
from pledges.forms import PledgeFilterForm
from pledges.models import (
    AdjustmentKind,
    BudgetType,
    Pledge,
    Stage,
    StageProvenance,
    Term,
    Vision,
)
from pledges.particles import josa
from publications.models import Publication

from .filters import PledgeFilter

INFERRED = StageProvenance.INFERRED
MONEY_SUMS = {
    "current_total": Sum("current_total"),
    "secured_total": Sum("secured_total"),
    "executed_total": Sum("executed_total"),
    "prior_invested": Sum("prior_invested"),
    "executed_cumulative": Sum("executed_cumulative"),
}


# Terms and days ------------------------------------------------------------------------


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


def card_term(term_text: str | None) -> Term:
    """The term of a pledge card's URL: ``?term=N`` (404 when unknown), else the current."""
    number = Term.parse_number(term_text)
    lookup = {"number": number} if number is not None else {"is_current": True}
    return get_object_or_404(Term, **lookup)


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
            f"as_of {josa(day, '은/는')} {term.name} 임기 시작일({term.start}) 이전입니다. / "
            f"as_of {day} is before the term {term.name} began ({term.start}).",
        )
    today = datetime.now(SEOUL).date()
    if day > today:
        raise BadQuery(
            "as_of",
            f"as_of {josa(day, '은/는')} 미래입니다 (오늘 {today}). / as_of {day} is in the future "
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


# Lists -------------------------------------------------------------------------------------


def standing(term: Term, when: datetime | None = None) -> QuerySet[Publication]:
    """The term's pledges as published (at ``when``: as the portal showed them then)."""
    return Publication.objects.standing(term, when)


def published_pledge(publication: Publication) -> Pledge:
    """The pledge a publication holds, read back from its snapshot, with ``card`` (its rows
    and money, each read back when first asked for), the published totals and
    ``published_at``/``updated_at`` set."""
    card = publication.card_read()
    pledge = card.pledge
    pledge.card = card
    pledge.publication = publication
    pledge.published_at = pledge.updated_at = publication.published_at
    for name in MONEY_SUMS:
        setattr(pledge, name, getattr(publication, name))
    pledge.execution_rate = publication.execution_rate
    pledge.execution_rate_in_term = publication.execution_rate_in_term
    return pledge


def published_pledges(publications) -> list[Pledge]:
    """``published_pledge`` of each publication, in order (a page of a list)."""
    return [published_pledge(publication) for publication in publications]


def _with_rate(row: dict) -> dict:
    """The cumulative execution rate of summed pledges (the same rule as one pledge's)."""
    return {
        **row,
        "execution_rate": execution_rate(row["executed_cumulative"], row["current_total"]),
    }


def home_summary(term: Term) -> dict:
    """Counts per stage (and how many of them inferred), money overall and per department,
    the latest publications: aggregates over the term's standing publications."""
    rows = standing(term)
    per_stage = {
        f"{kind}_{stage.value}": Count("pk", filter=Q(stage=stage.value) & extra)
        for stage in Stage
        for kind, extra in (("stage", Q()), ("inferred", Q(stage_provenance=INFERRED)))
    }
    stats = rows.aggregate(
        count=Count("pk"),
        as_of=Max("as_of"),
        updated=Max("published_at"),
        **MONEY_SUMS,
        **per_stage,
    )
    by_stage = {stage.value: stats.pop(f"stage_{stage.value}") or 0 for stage in Stage}
    inferred = {stage.value: stats.pop(f"inferred_{stage.value}") or 0 for stage in Stage}
    departments = [
        _with_rate(row)
        for row in rows.values(name=F("department_name"), name_en=F("department__name_en"))
        .annotate(pledges=Count("pk"), **MONEY_SUMS)
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


def inferred_stages(term: Term) -> QuerySet[Publication]:
    """The term's standing publications whose stage is inferred (추정), in card order."""
    return (
        standing(term)
        .filter(stage_provenance=INFERRED)
        .defer("card", "search_text")
        .order_by("sort_key")
    )


def recent_publications(term: Term, limit: int = 5) -> list[Pledge]:
    """The term's latest publications, newest first (a batch's pledges in card order)."""
    rows = standing(term).select_related("term").order_by("-published_at", "sort_key")[:limit]
    return published_pledges(rows)


def pledges_filtered(
    query: QueryDict, term: Term
) -> tuple[PledgeFilterForm, QuerySet[Publication]]:
    """The list's filter form bound to the query string, and the standing publications it
    selects, in its order (``published_pledges`` reads a page of them)."""
    data = query.copy()
    data["term"] = term.number  # the term shown, also when the URL names none
    names = standing(term).order_by("department_name").values_list("department_name", flat=True)
    filters = PledgeFilter(
        data, standing(term).select_related("term"), term=term, departments=names.distinct()
    )
    return filters.form, filters.qs  # an unreadable value is ignored, not refused


def vision_summary(term: Term) -> list[dict]:
    """Each vision of the term with its pledges' count, counts per stage and money: one
    query grouped by vision and stage, summed per vision here (exact integers)."""
    fields = ("number", "title", "subtitle", "title_en", "subtitle_en")
    rows = (
        standing(term)
        .values("vision", *(f"vision__{field}" for field in fields), "stage")
        .annotate(
            n=Count("pk"), guessed=Count("pk", filter=Q(stage_provenance=INFERRED)), **MONEY_SUMS
        )
        .order_by("vision__number", "stage")
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
        entry["by_stage"].append((row["stage"], row["n"], row["guessed"]))
        for key in MONEY_SUMS:
            if row[key] is not None:
                entry[key] = (entry[key] or 0) + row[key]
    labels = {stage: str(stage.label) for stage in Stage}  # translated once, not per vision
    return [
        {**_with_rate(entry), "stages": _stage_counts(entry.pop("by_stage"), labels)}
        for entry in visions.values()
    ]


def _stage_counts(rows, labels: dict) -> list[tuple[str, str, str, int]]:
    """(stage value, label, count, how many of them are inferred) of every stage in order,
    as a page prints them (the labels translated once per page, ``labels``: {stage: text};
    ``rows``: (stage, count, inferred) in any order)."""
    counts: dict[str, int] = {}
    inferred: dict[str, int] = {}
    for stage, n, guessed in rows:
        counts[stage] = counts.get(stage, 0) + n
        inferred[stage] = inferred.get(stage, 0) + guessed
    return [
        (stage.value, labels[stage], str(counts.get(stage.value, 0)), inferred.get(stage.value, 0))
        for stage in Stage
    ]


# Search matches and status lines of a page of results ----------------------------------------


SNIPPET_RADIUS = 40


def _snippet(text: str, needle: str) -> str | None:
    """The words around the first match, trimmed with … where cut; None when absent."""
    at = text.casefold().find(needle.casefold())
    if at < 0:
        return None
    start, end = max(at - SNIPPET_RADIUS, 0), min(at + len(needle) + SNIPPET_RADIUS, len(text))
    piece = " ".join(text[start:end].split())
    return f"{'…' if start else ''}{piece}{'…' if end < len(text) else ''}"


def search_matches(pledges: list[Pledge], text: str) -> dict[int, dict]:
    """For each pledge of a result page (``published_pledge``), where the search text was
    found and the words around it ({"where": label, "text": snippet}), in the order the
    search ranks fields: the whole phrase, else its first word."""
    words = (text or "").split()
    if not words:
        return {}
    phrase = " ".join(words)
    result = {}
    for pledge in pledges:
        card = pledge.card
        candidates = [
            (_("Title"), pledge.title),
            (_("Title"), pledge.title_en),
            (_("Target"), pledge.target),
            (_("Target"), pledge.target_en),
            (_("Objective"), pledge.objective),
            (_("Overview"), pledge.overview),
            (_("Problems and measures"), pledge.problems),
            (_("Plan per year"), pledge.plan_note),
            *((_("Sub-project"), text) for p in card.projects for text in (p.name, p.overview)),
            *((_("Plan per year"), plan.text) for plan in card.year_plans),
            *((_("Milestone"), m.text) for m in card.milestones),
            *(
                (
                    _("Accountable official"),
                    f"{link.official.get_role_display()} {link.official.name}",
                )
                for link in card.officials
            ),
            (_("Department"), pledge.department.name),
            (_("Department"), pledge.department.name_en),
            *((_("Work-plan item"), item.title) for item in card.work_plan_items),
        ]
        for needle in dict.fromkeys([phrase, words[0]]):
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


def adjustment_kinds(pledges: list[Pledge]) -> dict[int, list[str]]:
    """For each pledge of a page (``published_pledge``), the kinds of its 공약 조정 as
    published, in the reader's language: the list marks the card "조정: 변경"."""
    kinds: dict[int, list[str]] = {}
    for pledge in pledges:
        for row in pledge.card.adjustments:
            label = str(AdjustmentKind(row.kind).label)
            if label not in kinds.setdefault(pledge.pk, []):
                kinds[pledge.pk].append(label)
    return kinds


def milestone_status(pledges: list[Pledge], today) -> dict[int, dict]:
    """For each pledge (``published_pledge``), its one-line status from its milestones."""
    return {p.pk: status_for(p, p.card.milestones, today) for p in pledges}


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


# One pledge ------------------------------------------------------------------------------


class NotYetPublished(Http404):
    """A day before the pledge's first publication: a 404 that says so."""

    def __init__(self, when: datetime, first: Publication):
        day = when.astimezone(SEOUL).date()
        first_day = first.published_at.astimezone(SEOUL)
        shown = (
            f"{first_day:%Y. %-m.}"
            if first.published_precision == "month"
            else (f"{first_day:%Y. %-m. %-d.}")
        )
        super().__init__(
            _(
                "Nothing of this pledge had been published yet on %(day)s: its first "
                "publication is of %(first)s."
            )
            % {"day": f"{day:%Y. %-m. %-d.}", "first": shown}
        )


def pledge_card(
    code: str, term: Term | None = None, when: datetime | None = None, term_text: str | None = None
) -> Pledge:
    """One pledge card as published (at ``when``: the publication standing then), with
    ``published_history`` (its publications, newest first). 404 when the term (``term``,
    else ``?term=`` text, else the current) has no such pledge, or none published by then."""
    term = term or card_term(term_text)
    publications = list(
        Publication.objects.filter(term=term, code=code)
        .defer("card", "search_text")
        .select_related("term")
        .order_by("-published_at", "-pk")
    )
    if not publications:
        raise Http404(_("No such pledge has been published."))
    shown = next((p for p in publications if when is None or p.published_at <= when), None)
    if shown is None:
        raise NotYetPublished(when, publications[-1])
    shown.card = Publication.objects.values_list("card", flat=True).get(pk=shown.pk)
    pledge = published_pledge(shown)
    pledge.published_history = [p for p in publications if p.published_at <= shown.published_at]
    return pledge


# Departments -------------------------------------------------------------------------------


def departments_with_counts(term: Term) -> list[Department]:
    """Every department with its published pledges in the term and its work-plan items,
    named as its standing cards name it (a rename is public once a card is published)."""
    published = standing(term).filter(department=OuterRef("pk")).order_by()
    departments = Department.objects.select_related("bureau").annotate(
        pledge_count=Coalesce(
            Subquery(published.values("department").annotate(n=Count("pk")).values("n")), 0
        ),
        published_name=Subquery(published.values("department_name")[:1]),
        item_count=Count("work_plan_items", distinct=True),
    )
    found = list(departments)
    for department in found:
        department.name = department.published_name or department.name
    return sorted(found, key=lambda d: d.name)


def department_shown(name: str, term: Term) -> Department:
    """The department a page names: as the term's standing cards publish its name (its
    published links keep working through a rename until it is published), else by its
    own name (a department with no card)."""
    published = standing(term).filter(department_name=name).values("department")[:1]
    department = (
        Department.objects.select_related("bureau")
        .filter(Q(pk__in=published) | Q(name=name))
        .order_by(Case(When(pk__in=published, then=0), default=1))
        .first()
    )
    if department is None:
        raise Http404(_("There is no such department."))
    department.name = name
    return department


def department_pledges(department: Department, term: Term) -> QuerySet[Publication]:
    """A department's standing publications in card order."""
    return standing(term).filter(department=department).select_related("term").order_by("sort_key")


def department_summary(department: Department, term: Term) -> dict:
    """A department's pledges in the term as published: count, money totals and counts per
    stage in one aggregate, and its contacts (``department_contacts``)."""
    per_stage = {
        f"stage_{stage.value}": Count("pk", filter=Q(stage=stage.value)) for stage in Stage
    }
    totals = (
        standing(term)
        .filter(department=department)
        .aggregate(count=Count("pk"), **MONEY_SUMS, **per_stage)
    )
    stages = [(stage, totals.pop(f"stage_{stage.value}") or 0) for stage in Stage]
    # No money summed: say "해당 없음" where every pledge is non-budget (asked only then)
    totals["non_budget_only"] = (
        totals["count"] > 0
        and totals["current_total"] is None
        and not standing(term)
        .filter(department=department)
        .exclude(budget_type=BudgetType.NON_BUDGET)
        .exists()
    )
    return {
        "totals": _with_rate(totals),
        "stages": stages,
        "contacts": department_contacts(department, term),
        "work_plan_bureaus": SimpleLazyObject(work_plan_bureaus),  # read only where needed
    }


def work_plan_bureaus() -> list[str]:
    """The bureaus whose work plans the portal holds (행정안전국): a department outside them
    has no work-plan items because the source does not cover it, not because none exist."""
    names = WorkPlanItem.objects.values_list("department__bureau__name", flat=True)
    return sorted({name for name in names.distinct() if name})


def department_contacts(department: Department, term: Term) -> list[Official]:
    """The department's officials named on the term's standing cards, with names and phones
    as the latest card naming each published them, in role order."""
    named = Publication.officials.through.objects.filter(
        Q(publication__department=department) | Q(official__department=department),
        publication__in=standing(term),
    )
    latest: dict[int, int] = {}  # official -> the latest publication naming them
    for official, pk in named.order_by(
        "official", "-publication__published_at", "-publication"
    ).values_list("official", "publication"):
        latest.setdefault(official, pk)
    found: dict[int, Official] = {}
    cards = Publication.objects.filter(pk__in=set(latest.values()))
    for pk, links in cards.values_list("pk", "card__officials"):  # that key of each card only
        for link in links:
            official = Official(**link["official"])  # as published: their department then
            if latest.get(official.pk) == pk and official.department_id == department.pk:
                found.setdefault(official.pk, official)
    roles = list(Role.values)
    return sorted(found.values(), key=lambda o: (roles.index(o.role), o.name))


def work_plan_items(department: Department, term: Term) -> list[WorkPlanItem]:
    """The department's work-plan items, each with ``served``: the term's standing
    publications whose cards link it."""
    items = list(department.work_plan_items.all())
    links = standing(term).filter(work_plan_items__in=items).values_list("work_plan_items", "pk")
    serving: dict[int, list[int]] = {}
    for item_id, pk in links:
        serving.setdefault(item_id, []).append(pk)
    publications = (
        Publication.objects.select_related("term")
        .defer("card", "search_text")
        .in_bulk([pk for pks in serving.values() for pk in pks])
    )
    for item in items:
        item.served = sorted(
            (publications[pk] for pk in serving.get(item.pk, [])), key=lambda p: p.sort_key
        )
    return items
