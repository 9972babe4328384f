from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge


class PledgeUpdatesFeed(Feed):
    """Atom feed of pledge updates, newest first."""

    feed_type = Atom1Feed
    title = _("Paju City pledge implementation: updates")
    subtitle = _("Pledges of the current term, most recently updated first.")
    link = "/pledges/"

    def items(self):
        return Pledge.objects.public().filter(term__is_current=True).order_by("-updated_at")[:50]

    def item_title(self, item: Pledge) -> str:
        inferred = f" ({_('inferred')})" if item.is_inferred("stage") else ""
        return f"[{item.code}] {item.title} — {item.get_stage_display()}{inferred}"

    def item_description(self, item: Pledge) -> str:
        text = f"{item.department} · {item.target_year or ''} {item.target}"
        if item.is_inferred("stage"):
            text += " · " + _(
                "Stage inferred from the card’s text: its check mark did not survive."
            )
        return text

    def item_updateddate(self, item: Pledge):
        return item.updated_at

    def item_pubdate(self, item: Pledge):
        return item.created_at
