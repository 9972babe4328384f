"""What changed, when, for which pledge: the publications as a machine reads them, the same
entries for the open-data list (``/api/publications/``) and the Atom feeds.

``publications_listed`` is the one read of publications; every door goes through it.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from pledges.dates import korean_time
from pledges.models import Term
from publications.changes import line_text
from publications.models import Publication


def publications_listed(
    *, term: Term, code: str | None = None, since: datetime | None = None
) -> QuerySet[Publication]:
    """The term's publications (of one pledge with ``code``), from ``since`` on (inclusive),
    newest first, then as people read codes; the order is total (the id breaks ties)."""
    rows = Publication.objects.filter(term=term).select_related("term", "round").columns()
    if code is not None:
        rows = rows.filter(code=code)
    if since is not None:
        rows = rows.filter(published_at__gte=since)
    return rows.order_by("-published_at", "sort_key", "-pk")


def publication_tag(publication: Publication) -> str:
    """A permanent id (RFC 4151 ``tag:`` URI): the same in the feed and the open data,
    whatever address the site is served from."""
    return f"tag:{settings.TAG_AUTHORITY}:publication/{publication.pk}"


def change_entry(line: dict) -> dict:
    """One changed line: ``field`` (the card's label), ``old``/``new`` (numbers for
    amounts, else text; null for none), ``unit`` of amounts, and the line as the page
    prints it."""
    return {
        "kind": line["kind"],
        "field": line["label"],
        "old": line.get("old"),
        "new": line.get("new"),
        "unit": line.get("unit"),
        "date": line.get("date"),
        "reason": line.get("reason") or "",
        "text": line_text(line),
    }


def publication_entry(publication: Publication, site: str) -> dict:
    """One publication for the open data: ``site`` is the scheme and host of the pages."""
    term = publication.term
    with translation.override("ko"):  # the Korean page's address, whatever the request's
        page = reverse("portal:detail", kwargs={"code": publication.code})
    round_ = publication.round
    return {
        "id": publication_tag(publication),
        "pledge": {
            "code": publication.code,
            "title": publication.title,  # as this publication published it
            "term": {"number": term.number, "name": term.name},
            "url": f"{site}{page}?term={term.number}",
        },
        "published_at": korean_time(publication.published_at).isoformat(),
        "round": {"id": round_.pk, "name": round_.name} if round_ else None,
        "kind": publication.kind,
        "kind_name": publication.get_kind_display(),
        "note": publication.note,
        "changes": [change_entry(line) for line in publication.changes],
    }
