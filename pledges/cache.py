"""The public data version: the counter that keys the public site's cached pages.

The public site shows each pledge card as it was last *published* (``publications``):
staff's edits of a card are drafts and leave the version alone; publishing moves it, once
per call (``publications.services.publication_publish``). Writes to what the public pages
read live (departments, officials' names and phones, terms, visions) still move it from
``post_save``/``post_delete`` (wired in ``PledgesConfig.ready``). It lives here, below the
public site, so every app's write services can call it without importing upward.
"""

from datetime import datetime

from django.db.models import F
from django.db.models.functions import Now

from .models import PublicVersion

TRACKED_APPS = {"departments", "pledges", "budgets"}

# A pledge card's own tables: their writes are drafts, published by ``publications``.
DRAFT_MODELS = {
    "pledges.pledge",
    "pledges.project",
    "pledges.yearplan",
    "pledges.milestone",
    "pledges.pledgeofficial",
    "pledges.workplanlink",
    "pledges.relatedmaterial",
    "pledges.progresscount",
    "pledges.pledgeadjustment",
    "pledges.sourcenote",
    "budgets.budgetfigure",
}


def public_version() -> int:
    return PublicVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def public_version_stamp() -> tuple[int, datetime | None]:
    """The version and when it last moved, in one query (open data's ETag, Last-Modified)."""
    row = PublicVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    return row or (0, None)


def public_version_bump() -> None:
    if not PublicVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=Now()):
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": Now()})


def bump_on_write(sender, **kwargs) -> None:
    """Signal receiver: a write to a tracked model that is not a draft moves the version."""
    meta = sender._meta
    if (
        meta.app_label in TRACKED_APPS
        and meta.label_lower not in DRAFT_MODELS
        and sender is not PublicVersion
        and not meta.object_name.startswith("Historical")
    ):
        public_version_bump()
