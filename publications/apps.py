from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    """Publication rounds: staff edits are drafts until a reviewer publishes them.

    Above the money app, below the public site: portal → publications → budgets →
    pledges → departments.
    """

    name = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        from departments.services import department_text_changed
        from pledges.services import search_texts_changed

        from .services import published_search_texts_copy, search_texts_for_departments

        def copy(sender, *, pledge_ids, **kwargs) -> None:
            published_search_texts_copy(pledge_ids=pledge_ids)

        # weak=False: the receiver is a local function, nothing else holds it.
        search_texts_changed.connect(copy, dispatch_uid="publications.search_copy", weak=False)

        def names_changed(sender, *, department_ids, **kwargs) -> None:
            search_texts_for_departments(department_ids=department_ids)

        # A department's new name is public at once; the rest of a card only when published.
        department_text_changed.connect(
            names_changed, dispatch_uid="publications.search_names", weak=False
        )
