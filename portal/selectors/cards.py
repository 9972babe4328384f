"""One pledge card as published, now or as of a day, with its publications."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _

from pledges.models import Pledge, Term
from publications.models import Publication

from .published import published_pledge
from .terms import SEOUL


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


def pledge_card(code: str, term: Term, when: datetime | None = None) -> Pledge:
    """One pledge card as published (at ``when``: the publication standing then), with
    ``published_history`` (its publications, newest first). 404 when the term has no such
    pledge, or none published by then."""
    publications = list(
        Publication.objects.filter(term=term, code=code)
        .columns()
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
