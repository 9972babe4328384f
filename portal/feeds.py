from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
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
        """The term's publications, newest first, each read from its own snapshot."""
        return (
            Publication.objects.filter(term=term)
            .select_related("term")
            .defer("card", "search_text")
            .order_by("-published_at", "sort_key")[:50]
        )

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
        return f"publication-{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item: Publication) -> str:
        lines = [line_text(line) for line in item.changes]
        head = item.department_name
        if item.note:
            head += f" · {item.note}"
        if item.stage_inferred:
            head += " · " + _(
                "Stage inferred from the card’s text: its check mark did not survive."
            )
        return "\n".join([head, *lines])

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_pubdate(self, item: Publication):
        return item.published_at
