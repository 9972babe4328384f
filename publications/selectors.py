"""Reads of publications: drafts against the published state, round progress, history."""

from django.db.models import Count, F, Q, QuerySet

from pledges.models import Pledge

from .models import PledgeReview, PublicationRound, ReviewStatus
from .services import drafts_of


def pledge_draft_changes(pledge: Pledge | int) -> list[dict]:
    """The live card (the draft) against its standing publication, as ``Publication.changes``
    lines ([] when nothing changed, or when it was never published: no diff then)."""
    pk = pledge if isinstance(pledge, int) else pledge.pk
    return drafts_of([pk]).get(pk, (None, []))[1]


def pledges_with_drafts(pledges: QuerySet[Pledge] | None = None) -> list[Pledge]:
    """The pledges (of ``pledges``, default all) whose live card differs from their last
    publication, each with ``draft_changes`` (its lines) attached, in code order."""
    queryset = pledges if pledges is not None else Pledge.objects.all()
    ids = list(queryset.values_list("pk", flat=True))
    found = []
    for start in range(0, len(ids), 500):
        drafts = {
            pk: lines for pk, (_card, lines) in drafts_of(ids[start : start + 500]).items() if lines
        }
        for pledge in Pledge.objects.select_related("term", "department").filter(pk__in=drafts):
            pledge.draft_changes = drafts[pledge.pk]
            found.append(pledge)
    return sorted(found, key=lambda p: (p.term_id, p.sort_key))


def round_progress(round: PublicationRound) -> list[dict]:
    """Per department: how many of its pledges are in each status of the round."""
    counts = {status: Count("id", filter=Q(status=status)) for status in ReviewStatus.values}
    return list(
        PledgeReview.objects.filter(round=round)
        .values(department=F("pledge__department__name"))
        .annotate(total=Count("id"), **counts)
        .order_by("department")
    )
