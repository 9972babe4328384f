"""The public data version: the counter that keys the public site's cached pages.

Every write to the portal's data moves the version (``public_version_bump``), so the next
request misses the page cache (``portal.cache``) and renders fresh figures. Writes through
the ORM (admin forms, inlines, imports, commands) bump it from ``post_save``/``post_delete``
(wired in ``PledgesConfig.ready``); code that writes in bulk calls ``public_version_bump()``
itself. It lives here, below the public site, so the write services of ``pledges`` and
``budgets`` can call it without importing upward.
"""

from datetime import datetime

from django.db.models import F
from django.db.models.functions import Now

from .models import PublicVersion

TRACKED_APPS = {"departments", "pledges", "budgets"}


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
    """Signal receiver: a write to a tracked model moves the public version."""
    meta = sender._meta
    if (
        meta.app_label in TRACKED_APPS
        and sender is not PublicVersion
        and not meta.object_name.startswith("Historical")
    ):
        public_version_bump()
