"""The public data version that keys cached pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicVersion(models.Model):
    """A counter every write to the portal's data moves; cached public pages are keyed by it.

    One row. Read with one cheap query per request, so every app server sees a write at
    once, whatever cache backend each uses.
    """

    number = models.BigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(
        _("changed at"),
        null=True,
        blank=True,
        help_text=_("When the version last moved: the open data's Last-Modified."),
    )

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data version")

    def __str__(self) -> str:
        return str(self.number)
