from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public site: pages, open data, feed and page cache, above every other app."""

    name = "portal"
    verbose_name = _("Public site")
