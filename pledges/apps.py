from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .cache import bump_on_write

        # Cache invalidation only: any write to the portal's data moves the public version.
        post_save.connect(bump_on_write, dispatch_uid="pledges.cache.save")
        post_delete.connect(bump_on_write, dispatch_uid="pledges.cache.delete")
        m2m_changed.connect(bump_on_write, dispatch_uid="pledges.cache.m2m")
