"""Writes of publication rounds: open and close a round, publish, return, seed.

Publishing a pledge writes its snapshot (``publications.snapshots``): its card as the
public will see it, read from the live tables after the pledge is locked, with the
columns lists and search read and the difference from its previous snapshot. Staff's
edits after it are drafts: the difference between the live card and that snapshot.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.cache import public_version_bump
from pledges.models import Pledge, Term
from pledges.models.choices import DatePrecision

from .changes import card_diff
from .models import (
    PledgeReview,
    Publication,
    PublicationKind,
    PublicationRound,
    ReviewStatus,
)
from .snapshots import card_from, card_payloads, month_end, summary_columns

SEED_NOTE = "2026. 1. 현재 공표 자료"
BATCH = 500
SEOUL = ZoneInfo("Asia/Seoul")


def _ids_in_order(pledges: Iterable[Pledge] | Iterable[int]) -> list[int]:
    return sorted({p if isinstance(p, int) else p.pk for p in pledges})


def standing_publications(pledge_ids: list[int]) -> dict[int, Publication]:
    """{pledge id: its standing (latest) publication}; pledges never published are absent."""
    rows = Publication.objects.filter(pledge_id__in=pledge_ids, superseded_at__isnull=True)
    rows = rows.defer("changes", "search_text")  # the card is what a draft is compared with
    return {publication.pledge_id: publication for publication in rows}


def _terms(pledge_ids: list[int]) -> dict[int, Term]:
    terms = {t.pk: t for t in Term.objects.all()}
    rows = Pledge.objects.filter(pk__in=pledge_ids).values_list("pk", "term_id")
    return {pk: terms[term_id] for pk, term_id in rows}


def drafts_of(
    pledge_ids: list[int], standing: dict[int, Publication] | None = None
) -> dict[int, tuple[dict, list[dict]]]:
    """{pledge id: (its live card's payload, the lines it changes)} of the pledges whose
    live card differs from their standing publication (``standing``, read when not given),
    or that were never published (no lines then). A save that changes nothing makes no
    draft."""
    standing = standing if standing is not None else standing_publications(pledge_ids)
    payloads = card_payloads(pledge_ids)
    found = {}
    for pk, payload in payloads.items():
        old = standing.get(pk)
        lines = card_diff(old.card if old else None, payload)
        if old is None or lines or old.card != payload:
            found[pk] = (payload, lines)
    return found


def _snapshots(
    ids: list[int], *, moment: datetime, precision: str = "", by=None, note: str, round, kind=None
) -> list[Publication]:
    """Publish these (locked) pledges' live cards at ``moment``: one snapshot each where
    the card differs from its standing publication; the standing one is superseded."""
    terms = _terms(ids)
    standing = standing_publications(ids)
    created = []
    for pk, (payload, lines) in drafts_of(ids, standing).items():
        old = standing.get(pk)
        if old is not None and old.published_at >= moment:
            continue  # published already at this moment or later (the seed reloaded)
        card = card_from(payload, terms[pk])
        created.append(
            Publication(
                pledge_id=pk,
                round=round,
                published_at=moment,
                published_precision=precision,
                published_by=by,
                kind=kind or (PublicationKind.REGULAR if old else PublicationKind.SEED),
                note=note,
                changes=lines,
                card=payload,
                term=terms[pk],
                **summary_columns(card),
            )
        )
    superseded = [standing[p.pledge_id].pk for p in created if p.pledge_id in standing]
    Publication.objects.filter(pk__in=superseded).update(superseded_at=moment)
    for publication in created:
        publication.full_clean(
            # the relations exist (locked rows); the card was made by card_payloads
            exclude=["pledge", "term", "vision", "department", "round", "published_by", "card"],
            validate_unique=False,  # the constraints hold in the database
            validate_constraints=False,
        )
    created = Publication.objects.bulk_create(created, batch_size=BATCH)
    _links(created)
    return created


def _links(publications: list[Publication]) -> None:
    """The officials and work-plan items each snapshot names, as relations lists filter by."""
    officials, items = Publication.officials.through, Publication.work_plan_items.through
    officials.objects.bulk_create(
        [
            officials(publication_id=p.pk, official_id=link["official_id"])
            for p in publications
            for link in p.card["officials"]
        ],
        batch_size=BATCH,
        ignore_conflicts=True,  # an official named twice on a card
    )
    items.objects.bulk_create(
        [
            items(publication_id=p.pk, workplanitem_id=link["item_id"])
            for p in publications
            for link in p.card["work_plan_links"]
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _locked(ids: list[int]) -> list[int]:
    """Lock the pledges (in id order, so two batches never deadlock): a staff save of a
    card waits for the publication, and the snapshot is read after every save before it."""
    return list(
        Pledge.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def seed_moment(pledge_ids: list[int]) -> datetime:
    """When the city published the loaded cards: the end (Korean time) of the month their
    figures are dated ("2026. 1." → 2026-01-31 23:59:59), or now if that is later."""
    as_of = max(Pledge.objects.filter(pk__in=pledge_ids).values_list("as_of", flat=True))
    moment = datetime.combine(month_end(as_of), time(23, 59, 59), tzinfo=SEOUL)
    return min(moment, timezone.now())


@transaction.atomic
def publication_seed(*, pledges: Iterable[Pledge] | Iterable[int]) -> list[Publication]:
    """The loaded cards are the city's own publication ("2026. 1. 현재 공표 자료"), by no
    one, dated by the month their figures are as of (shown as that month).

    Pledges that already have a publication are left alone, so loading twice adds none.
    """
    ids = _ids_in_order(pledges)
    published = set(
        Publication.objects.filter(pledge_id__in=ids).values_list("pledge_id", flat=True)
    )
    ids = _locked([pk for pk in ids if pk not in published])
    if not ids:
        return []
    moment = seed_moment(ids)
    created: list[Publication] = []
    for start in range(0, len(ids), BATCH):
        created += _snapshots(
            ids[start : start + BATCH],
            moment=moment,
            precision=DatePrecision.MONTH,
            note=SEED_NOTE,
            round=None,
            kind=PublicationKind.SEED,
        )
    if created:
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
    """Publish the live cards of these pledges, now: one snapshot per changed pledge.

    The pledges are locked first, then read: the snapshot holds what this transaction read
    after every save of these cards committed before it, and a save after it waits. A
    pledge with nothing changed since its standing publication is skipped, so two reviewers
    publishing the same pledge at once yield one publication. The public data version moves
    once. In a round, the pledges' reviews become "published".
    """
    ids = _ids_in_order(pledges)
    if round is not None and round.closed_at is not None:
        raise ValidationError(_("This round is closed."))
    created: list[Publication] = []
    moment = None
    for start in range(0, len(ids), BATCH):
        locked = _locked(ids[start : start + BATCH])
        moment = moment or timezone.now()  # taken after the first lock
        created += _snapshots(locked, moment=moment, by=by, note=note, round=round)
    if created:
        public_version_bump()
    if round is not None:
        PledgeReview.objects.filter(round=round, pledge_id__in=ids).update(
            status=ReviewStatus.PUBLISHED, updated_at=moment or timezone.now()
        )
    return created


@transaction.atomic
def publication_return(
    *, pledge: Pledge, round: PublicationRound, by, comment: str
) -> PledgeReview:
    """Return a pledge's draft to its department with a comment; the public state stays."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the draft is returned.")})
    if round.closed_at is not None:
        raise ValidationError(_("This round is closed."))
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
