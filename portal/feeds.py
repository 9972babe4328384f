from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from pledges.models import Term
from publications.changes import line_text
from publications.models import Publication

from .selectors import term_shown


class PledgeUpdatesFeed(Feed):
    """Atom feed of publications, newest first: one entry per pledge published, with the
    same lines as the pledge page's "변경 이력"."""

    feed_type = Atom1Feed
    subtitle = _(
        "Publications of a term's pledges (the current term unless ?term=N), newest first."
    )

    def get_object(self, request, *args, **kwargs) -> Term:
        return term_shown(request.GET.get("term"))  # a finished term keeps its feed

    def title(self, term: Term) -> str:
        return f"{_('Paju City pledge implementation: updates')} · {term.name}"

    def link(self, term: Term) -> str:
        return f"{reverse('portal:list')}?term={term.number}"

    def items(self, term: Term):
        return (
            Publication.objects.filter(pledge__term=term)
            .select_related("pledge__published__department", "pledge__term")
            .order_by("-published_at", "pledge__sort_key")[:50]
        )

    def item_title(self, item: Publication) -> str:
        pledge = item.pledge.published
        inferred = f" ({_('inferred')})" if pledge.stage_inference else ""
        return (
            f"[{pledge.code}] {pledge.title} — {pledge.get_stage_display()}{inferred} · "
            f"{item.get_kind_display()}"
        )

    def item_link(self, item: Publication) -> str:
        day = timezone.localtime(item.published_at).date()
        url = reverse("portal:detail", kwargs={"code": item.pledge.code})
        return f"{url}?term={item.pledge.term.number}&as_of={day:%Y-%m-%d}"

    def item_guid(self, item: Publication) -> str:
        return f"publication-{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item: Publication) -> str:
        pledge = item.pledge.published
        lines = [line_text(line) for line in item.changes]
        head = f"{pledge.department}"
        if item.note:
            head += f" · {item.note}"
        if pledge.stage_inference:
            head += " · " + _(
                "Stage inferred from the card’s text: its check mark did not survive."
            )
        # Atom says the summary is HTML: escaped here, staff text stays text in a reader.
        return "<br>".join(escape(line) for line in [head, *lines])

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_pubdate(self, item: Publication):
        return item.published_at
