"""Writes of publication rounds: open and close a round, publish, return, seed.

Publishing pledge P at time t publishes the live state of P at t: the public site shows P
as its change history stood at its latest publication. Staff's edits after it are drafts.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Official, Role
from pledges.cache import public_version_bump
from pledges.history import as_published, live_where_no_history
from pledges.models import Pledge, PledgeOfficial, StageProvenance, Term
from pledges.services import (
    pledge_search_refresh,
    pledge_search_texts_as_of,
    pledges_naming_departments,
)

from .changes import _lookups, diff_lines, stage_reasons, touched_states
from .models import (
    TOTAL_MONEY,
    PledgeReview,
    Publication,
    PublicationKind,
    PublicationRound,
    PublishedContact,
    PublishedPledge,
    PublishedTotal,
    ReviewStatus,
    TotalGrain,
)

SEED_NOTE = "2026. 1. 현재 공표 자료"
BATCH = 500

# The pledge fields the published summary copies (PublishedPledge), by the same names.
SUMMARY_FIELDS = [
    "term_id",
    "vision_id",
    "department_id",
    "code",
    "sort_key",
    "title",
    "title_en",
    "budget_type",
    "stage",
    "stage_inference",
    "stage_since",
    "stage_provenance",
    "stage_reason",
    "as_of",
    "as_of_precision",
    "current_total",
    "secured_total",
    "executed_total",
    "prior_invested",
    "executed_cumulative",
    "execution_rate",
    "execution_rate_in_term",
    "search_text",
]


def published_search_texts_copy(*, pledge_ids: Iterable[int]) -> None:
    """Copy the pledges' stored search text into their published summaries (the text
    changed outside a publication: ``pledges.services.search_texts_changed``)."""
    ids = sorted(set(pledge_ids))
    text = Pledge.objects.filter(pk=OuterRef("pledge_id")).values("search_text")[:1]
    for start in range(0, len(ids), BATCH):
        PublishedPledge.objects.filter(pledge_id__in=ids[start : start + BATCH]).update(
            search_text=Subquery(text)
        )


def search_texts_for_departments(*, department_ids: Iterable[int]) -> None:
    """A department renamed or an official moved (public at once): the search texts of the
    pledges whose cards show these departments' names are made again with today's names.
    A published pledge's from its card as published (its latest publication's moment, read
    from the change history: a later draft stays out of the public search), written to
    the pledge and to its summary; a pledge never published from its live card (it is
    nowhere public)."""
    departments = list(department_ids)
    ids = sorted(  # live links, and the published department (a draft may have moved it)
        {
            *pledges_naming_departments(departments),
            *PublishedPledge.objects.filter(department__in=departments).values_list(
                "pledge_id", flat=True
            ),
        }
    )
    published = dict(
        PublishedPledge.objects.filter(pledge_id__in=ids).values_list("pledge_id", "published_at")
    )
    pledge_search_refresh(pledge_ids=[pk for pk in ids if pk not in published], announce=False)
    texts = pledge_search_texts_as_of(published)
    stored = dict(Pledge.objects.filter(pk__in=texts).values_list("pk", "search_text"))
    stale = [pk for pk, text in texts.items() if stored.get(pk) != text]
    Pledge.objects.bulk_update(
        [Pledge(pk=pk, search_text=texts[pk]) for pk in stale], ["search_text"], batch_size=BATCH
    )
    published_search_texts_copy(pledge_ids=stale)


def _ids_in_order(pledges: Iterable[Pledge] | Iterable[int]) -> list[int]:
    return sorted({p if isinstance(p, int) else p.pk for p in pledges})


def published_summaries_refresh(*, publications: list[Publication]) -> None:
    """Write the published summary of each publication's pledge from its live row.

    Called by the publishing services only, in the same transaction as the publication,
    so the live row *is* the published moment's state.
    """
    by_pledge = {publication.pledge_id: publication for publication in publications}
    ids = sorted(by_pledge)
    # The public search reads the published text: rebuilt here, never at a staff save, and
    # copied into the summaries below.
    pledge_search_refresh(pledge_ids=ids, announce=False)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = Pledge.objects.filter(pk__in=batch).values("id", *SUMMARY_FIELDS)
        # The history row that is live now, i.e. the published one, per pledge.
        history = dict(
            Pledge.history.filter(id__in=batch)
            .values("id")
            .annotate(last=Max("history_id"))
            .values_list("id", "last")
        )
        summaries = [
            PublishedPledge(
                pledge_id=row["id"],
                history_id=history[row["id"]],
                publication=by_pledge[row["id"]],
                published_at=by_pledge[row["id"]].published_at,
                **{name: row[name] for name in SUMMARY_FIELDS},
            )
            for row in rows
        ]
        PublishedPledge.objects.filter(pledge_id__in=batch).delete()
        PublishedPledge.objects.bulk_create(summaries, batch_size=BATCH)
    published_totals_refresh(
        term_ids=set(Pledge.objects.filter(pk__in=ids).values_list("term_id", flat=True))
    )
    published_contacts_refresh(pledge_ids=ids)


def published_contacts_refresh(*, pledge_ids: Iterable[int] | None = None) -> None:
    """Rewrite the published contacts (``PublishedContact``) of the departments whose
    officials these pledges' cards name or named (all departments when ``pledge_ids`` is
    None), for the pledges' terms: what each department's page lists. Called with the
    summaries, in the publishing transaction."""
    links = PledgeOfficial.history.all()
    pledges = Pledge.objects.all()
    if pledge_ids is not None:
        ids = list(pledge_ids)
        links, pledges = links.filter(pledge_id__in=ids), pledges.filter(pk__in=ids)
    officials = links.values("official_id")
    departments = set(
        Official.history.filter(id__in=officials).values_list("department_id", flat=True)
    ) | set(Official.objects.filter(pk__in=officials).values_list("department_id", flat=True))
    for term_id in sorted(set(pledges.values_list("term_id", flat=True))):
        for department_id in sorted(departments - {None}):
            PublishedContact.objects.filter(term_id=term_id, department_id=department_id).delete()
            PublishedContact.objects.bulk_create(
                PublishedContact(
                    term_id=term_id,
                    department_id=department_id,
                    official_id=official.pk,
                    role=official.role,
                    name=official.name,
                    phone=official.phone,
                    position=position,
                )
                for position, official in enumerate(_contacts(department_id, term_id))
            )


def _contacts(department_id: int, term_id: int) -> list[Official]:
    """The department's officials the term's published cards name, with names and phones
    as published: a pledge's officials' links as they stood at its latest publication,
    each official as it stood at the latest publication of a card naming it. Two queries."""
    published_at = Subquery(
        PublishedPledge.objects.filter(pledge_id=OuterRef("pledge_id"))
        .order_by()  # one row by its key: no sort (the model's ordering joins the term)
        .values("published_at")[:1]
    )
    links = as_published(
        PledgeOfficial.history.filter(
            official_id__in=Official.history.filter(department_id=department_id).values("id"),
            pledge__term_id=term_id,
        ),
        published_at,
    )
    # each official's latest moment, grouped by the database (one row an official)
    moments: dict[int, datetime] = dict(
        links.order_by()
        .values("official_id")
        .annotate(latest=Max("standing"))
        .values_list("official_id", "latest")
    )
    if not moments:
        return []
    moment = Case(
        *(When(id=pk, then=Value(when)) for pk, when in moments.items()),
        output_field=DateTimeField(),
    )
    rows = as_published(Official.history.filter(id__in=moments), moment).order_by("history_id")
    names = {f.attname for f in Official._meta.concrete_fields}
    # one per official: of two rows written at the same moment, the later written one
    standing = {row.id: row for row in rows}
    officials = [
        Official(**{name: getattr(row, name) for name in names})
        for row in standing.values()
        if row.department_id == department_id
    ]
    found = {"officials": officials}
    live_where_no_history(found, {"officials": (Official, set(moments))})
    officials = [o for o in found["officials"] if o.department_id == department_id]
    return sorted(officials, key=lambda o: (Role.values.index(o.role), o.name, o.phone))


def published_totals_refresh(
    *, term_ids: Iterable[int], summary_model=PublishedPledge, total_model=PublishedTotal
) -> None:
    """Rebuild the terms' published totals from their published summaries: one grouped
    query per grain and term. Called with the summaries, in the publishing transaction
    (and by the migration that creates the totals, with its historical models)."""
    sums = {name: Sum(name) for name in TOTAL_MONEY}
    for term_id in sorted(term_ids):
        total_model.objects.filter(term_id=term_id).delete()
        summaries = summary_model.objects.filter(term_id=term_id).order_by()
        by_vision = (
            summaries.annotate(
                inferred=ExpressionWrapper(_inferred(summary_model), output_field=BooleanField())
            )
            .values("vision", "stage", "inferred")
            .annotate(n=Count("pk"), newest_as_of=Max("as_of"), newest=Max("published_at"), **sums)
        )
        by_department = summaries.values("department", "stage").annotate(
            n=Count("pk"), newest_as_of=Max("as_of"), newest=Max("published_at"), **sums
        )
        total_model.objects.bulk_create(
            [
                total_model(
                    term_id=term_id,
                    grain=TotalGrain.VISION,
                    vision_id=row["vision"],
                    stage=row["stage"],
                    inferred=row["inferred"],
                    **_total_values(row),
                )
                for row in by_vision
            ]
            + [
                total_model(
                    term_id=term_id,
                    grain=TotalGrain.DEPARTMENT,
                    department_id=row["department"],
                    stage=row["stage"],
                    **_total_values(row),
                )
                for row in by_department
            ],
            batch_size=BATCH,
        )


def _inferred(summary_model) -> Q:
    """A summary whose stage is a guess: by its provenance; migration 0004's historical
    summaries predate the field (0014), where a stage reason meant the same."""
    names = {f.name for f in summary_model._meta.get_fields()}
    if "stage_provenance" in names:
        return Q(stage_provenance=StageProvenance.INFERRED)
    return ~Q(stage_inference="")


def _total_values(row: dict) -> dict:
    return {
        "pledge_count": row["n"],
        "as_of": row["newest_as_of"],
        "published_at": row["newest"],
        **{name: row[name] for name in TOTAL_MONEY},
    }


@transaction.atomic
def publication_seed(*, pledges: Iterable[Pledge] | Iterable[int]) -> list[Publication]:
    """The loaded cards are the first publication ("2026. 1. 현재 공표 자료"), by no one.

    Pledges that already have a publication are left alone, so loading twice adds none.
    """
    ids = _ids_in_order(pledges)
    published = set(
        Publication.objects.filter(pledge_id__in=ids).values_list("pledge_id", flat=True)
    )
    moment = timezone.now()
    created = Publication.objects.bulk_create(
        [
            Publication(
                pledge_id=pk,
                published_at=moment,
                kind=PublicationKind.SEED,
                note=SEED_NOTE,
                changes=[],
            )
            for pk in ids
            if pk not in published
        ],
        batch_size=BATCH,
    )
    if created:
        published_summaries_refresh(publications=created)
        public_version_bump()
    return created


@transaction.atomic
def publication_publish(
    *,
    pledges: Iterable[Pledge] | Iterable[int],
    by,
    note: str = "",
    round: PublicationRound | None = None,
) -> list[Publication]:
    """Publish the live state of these pledges, now: one publication per changed pledge.

    The pledges are locked (in id order, so two batches never deadlock); a pledge with
    nothing changed since its last publication is skipped, so two reviewers publishing the
    same pledge at once yield one publication. Each publication records what changed
    (``changes``); the published summaries are rebuilt and the public data version moves
    once. In a round, the pledges' reviews become "published".
    """
    ids = _ids_in_order(pledges)
    if round is not None and round.closed_at is not None:
        raise ValidationError(_("닫힌 점검 회차에는 공표할 수 없습니다. / This round is closed."))
    moment = timezone.now()
    created: list[Publication] = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        locked = list(
            Pledge.objects.select_for_update()
            .filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        created += _publish_batch(locked, moment=moment, by=by, note=note, round=round)
    if created:
        published_summaries_refresh(publications=created)
        public_version_bump()
    if round is not None:
        PledgeReview.objects.filter(round=round, pledge_id__in=ids).update(
            status=ReviewStatus.PUBLISHED, updated_at=moment
        )
    return created


def last_publications(pledge_ids: list[int]) -> dict[int, Publication]:
    """{pledge id: its latest publication} (pledges never published are absent)."""
    latest: dict[int, Publication] = {}
    for publication in Publication.objects.filter(pledge_id__in=pledge_ids).order_by(
        "pledge_id", "published_at"
    ):
        latest[publication.pledge_id] = publication
    return latest


def _publish_batch(ids: list[int], *, moment, by, note: str, round) -> list[Publication]:
    latest = last_publications(ids)
    moments = {pk: latest[pk].published_at for pk in ids if pk in latest}
    drafts = draft_lines(moments)
    publications = []
    for pk in ids:
        if pk in latest and pk not in drafts:
            continue  # nothing changed since its last publication
        publications.append(
            Publication(
                pledge_id=pk,
                round=round,
                published_at=moment,
                published_by=by,
                kind=PublicationKind.REGULAR if pk in latest else PublicationKind.SEED,
                note=note,
                changes=drafts.get(pk, []),
            )
        )
    return Publication.objects.bulk_create(publications, batch_size=BATCH)


def draft_lines(moments: dict) -> dict[int, list[dict]]:
    """{pledge id: the lines its draft changes} of the pledges ({id: last publication's
    moment}) whose live card differs from the published one; the others are absent."""
    if not moments:
        return {}
    pairs = touched_states(moments)
    staged = [
        pk for pk, (old, new) in pairs.items() if old.fields.get("stage") != new.fields.get("stage")
    ]
    reasons = stage_reasons({pk: moments[pk] for pk in staged}) if staged else {}
    lookups = _lookups([state for pair in pairs.values() for state in pair])
    found = {}
    for pk, (old, new) in pairs.items():
        lines = diff_lines(old, new, stage_reason=reasons.get(pk, ""), lookups=lookups)
        if lines:
            found[pk] = lines
    return found


@transaction.atomic
def publication_return(
    *, pledge: Pledge, round: PublicationRound, by, comment: str
) -> PledgeReview:
    """Return a pledge's draft to its department with a comment; the public state stays."""
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": _("반려 사유를 적어 주세요. / Say why the draft is returned.")}
        )
    if round.closed_at is not None:
        raise ValidationError(_("닫힌 점검 회차입니다. / This round is closed."))
    review, _created = PledgeReview.objects.select_for_update().get_or_create(
        pledge=pledge, round=round
    )
    review.status = ReviewStatus.RETURNED
    review.comment = comment.strip()
    review.returned_by = by
    review.returned_at = timezone.now()
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def round_open(*, term: Term, name: str, due_on: date, by) -> PublicationRound:
    """Open a round of the term: every pledge of the term needs an update in it."""
    publication_round = PublicationRound(term=term, name=name, due_on=due_on, opened_by=by)
    publication_round.full_clean()
    publication_round.save()
    PledgeReview.objects.bulk_create(
        [
            PledgeReview(pledge_id=pk, round=publication_round)
            for pk in Pledge.objects.filter(term=term).values_list("pk", flat=True)
        ],
        batch_size=2000,
    )
    return publication_round


@transaction.atomic
def round_close(*, round: PublicationRound, by=None) -> PublicationRound:
    """Close a round; what was not published stays a draft for the next one."""
    round.closed_at = timezone.now()
    round.save(update_fields=["closed_at"])
    return round


@transaction.atomic
def review_mark_draft(*, pledge: Pledge, round: PublicationRound) -> PledgeReview:
    """The department says its update is ready for review (검토 대기)."""
    review, _created = PledgeReview.objects.get_or_create(pledge=pledge, round=round)
    review.status = ReviewStatus.DRAFT
    review.save(update_fields=["status", "updated_at"])
    return review
