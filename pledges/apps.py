from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from departments.services import department_text_changed

        from .cache import bump_on_write
        from .history import history_manager_classes_cached
        from .services import pledge_search_refresh_for_departments

        history_manager_classes_cached()
        # Cache invalidation only: any write to the portal's data moves the public version.
        post_save.connect(bump_on_write, dispatch_uid="pledges.cache.save")
        post_delete.connect(bump_on_write, dispatch_uid="pledges.cache.delete")
        m2m_changed.connect(bump_on_write, dispatch_uid="pledges.cache.m2m")

        def search_refresh(sender, *, department_ids, **kwargs) -> None:
            pledge_search_refresh_for_departments(department_ids=department_ids)

        # weak=False: the receiver is a local function, nothing else holds it.
        department_text_changed.connect(
            search_refresh, dispatch_uid="pledges.search_refresh", weak=False
        )
