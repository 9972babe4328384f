from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from pledges.dates import korean_time
from pledges.models import StageProvenance, Term
from publications.changes import line_text
from publications.models import Publication

from .changelog import publication_tag, publications_listed
from .selectors import term_shown
from .summaries import pledge_summary


class PledgeUpdatesFeed(Feed):
    """Atom feed of publications, newest first: one entry per pledge published, with the
    same lines as the pledge page's "변경 이력"."""

    feed_type = Atom1Feed
    author_name = _("Paju City")  # RFC 4287 §4.1.1: the feed's author, every entry's
    subtitle = _(
        "Publications of a term's pledges (the current term unless ?term=N), newest first."
    )

    def get_object(self, request, *args, **kwargs) -> Term:
        return term_shown(request.GET.get("term"))  # a finished term keeps its feed

    def title(self, term: Term) -> str:
        return f"{_('Paju City pledge implementation: updates')} · {term.name}"

    def link(self, term: Term) -> str:
        return f"{reverse('portal:list')}?term={term.number}"

    def feed_url(self, term: Term) -> str:
        """The feed's own address (rel="self") names its term: without it a reader would
        follow the next term's feed once this one ends."""
        return f"{reverse('portal:feed')}?term={term.number}"

    def feed_guid(self, term: Term) -> str:
        return f"tag:{settings.TAG_AUTHORITY}:feed/term/{term.number}"

    def items(self, term: Term):
        return publications_listed(term=term)[:50]

    def item_title(self, item: Publication) -> str:
        inferred = f" ({_('inferred')})" if item.stage_inferred else ""
        return (
            f"[{item.code}] {item.title} — {item.get_stage_display()}{inferred} · "
            f"{item.get_kind_display()}"
        )

    def item_link(self, item: Publication) -> str:
        day = timezone.localtime(item.published_at).date()
        url = reverse("portal:detail", kwargs={"code": item.code})
        return f"{url}?term={item.term.number}&as_of={day:%Y-%m-%d}"

    def item_guid(self, item: Publication) -> str:
        return publication_tag(item)  # an absolute IRI (RFC 4287 §4.2.6), as in the API

    item_guid_is_permalink = False

    def item_description(self, item: Publication) -> str:
        lines = [line_text(line) for line in item.changes]
        head = pledge_summary(item, department=item.department_name)  # the page's sentence
        if item.note:
            head += f" · {item.note}"
        if item.stage_inferred:
            head += " · " + _(
                "Stage inferred from the card’s text: its check mark did not survive."
            )
        elif item.stage_provenance == StageProvenance.STAFF:
            head += " · " + _("Stage set by the department: %(reason)s") % {
                "reason": item.stage_basis
            }
        # Atom says the summary is HTML: escaped here, staff text stays text in a reader.
        return "<br>".join(escape(line) for line in [head, *lines])

    def item_updateddate(self, item: Publication):
        return korean_time(item.published_at)

    def item_pubdate(self, item: Publication):
        return korean_time(item.published_at)


class PledgeFeed(PledgeUpdatesFeed):
    """One pledge's publications (Atom), linked from its page: follow one promise."""

    def get_object(self, request, code: str, *args, **kwargs) -> Publication:
        """The pledge's standing publication (what its page shows)."""
        term = term_shown(request.GET.get("term"))
        return get_object_or_404(
            Publication.objects.standing(term).select_related("term"), code=code
        )

    def title(self, pledge: Publication) -> str:
        return f"{pledge.code} {pledge.title} · {_('updates')} · {pledge.term.name}"

    def subtitle(self, pledge: Publication) -> str:
        return _("Publications of this pledge, newest first.")

    def link(self, pledge: Publication) -> str:
        url = reverse("portal:detail", kwargs={"code": pledge.code})
        return f"{url}?term={pledge.term.number}"

    def feed_url(self, pledge: Publication) -> str:
        """rel="self" names the term: 민선9기's 12-8 is not 민선8기's."""
        url = reverse("portal:pledge_feed", kwargs={"code": pledge.code})
        return f"{url}?term={pledge.term.number}"

    def feed_guid(self, pledge: Publication) -> str:
        return f"tag:{settings.TAG_AUTHORITY}:feed/term/{pledge.term.number}/pledge/{pledge.code}"

    def items(self, pledge: Publication):
        return publications_listed(term=pledge.term, code=pledge.code)[:50]
