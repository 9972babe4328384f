from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    """Publication rounds: staff edits are drafts until a reviewer publishes them.

    Above the money app, below the public site: portal → publications → budgets →
    pledges → departments.
    """

    name = "publications"
    verbose_name = _("Publications")
