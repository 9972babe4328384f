from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public site: pages, open data, feed and page cache, above every other app.

    It also owns the roles: after every ``migrate`` their permissions are synced for every
    model of the apps below (``portal.roles``).
    """

    name = "portal"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, sender=self, dispatch_uid="portal.roles")
