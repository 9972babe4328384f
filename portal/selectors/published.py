"""What is public: each pledge's standing publication, and a pledge read back from it.

A pledge's public state is its standing publication: the latest, or as of a day the latest
published by the end of that day (``Publication.objects.standing``). Lists, counts and
totals read the publications' columns; a card is read back from its snapshot
(``Publication.card_read``), each part when first asked for.
"""

from datetime import datetime

from django.db.models import QuerySet, Sum

from budgets.finance import STORED_TOTALS, execution_rate
from pledges.models import Pledge, StageProvenance, Term
from publications.models import Publication

INFERRED = StageProvenance.INFERRED
MONEY_SUMS = {
    "current_total": Sum("current_total"),
    "secured_total": Sum("secured_total"),
    "executed_total": Sum("executed_total"),
    "prior_invested": Sum("prior_invested"),
    "executed_cumulative": Sum("executed_cumulative"),
}


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
    for name in STORED_TOTALS:
        setattr(pledge, name, getattr(publication, name))
    return pledge


def published_pledges(publications) -> list[Pledge]:
    """``published_pledge`` of each publication, in order (a page of a list)."""
    return [published_pledge(publication) for publication in publications]


def with_rate(row: dict) -> dict:
    """The cumulative execution rate of summed pledges (the same rule as one pledge's)."""
    return {
        **row,
        "execution_rate": execution_rate(row["executed_cumulative"], row["current_total"]),
    }


def listed(term: Term, when: datetime | None = None) -> QuerySet[Publication]:
    """The standing publications as the open data's list reads them: their columns and
    their vision; no card, no change list."""
    return (
        standing(term, when)
        .columns()
        .defer("changes")
        .select_related("vision")  # not an annotation: the page's count needs no join
    )
