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
        return f"[{item.code}] {item.title} — {item.get_stage_display()}"

    def item_description(self, item: Pledge) -> str:
        return f"{item.department} · {item.target_year or ''} {item.target}"

    def item_updateddate(self, item: Pledge):
        return item.updated_at

    def item_pubdate(self, item: Pledge):
        return item.created_at
