from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets")

    def ready(self) -> None:
        from pledges.services import pledge_money_changed

        from .services import pledge_totals_refresh

        def refresh(sender, *, pledge_ids, **kwargs) -> None:
            pledge_totals_refresh(pledge_ids=pledge_ids)

        pledge_money_changed.connect(
            refresh, dispatch_uid="budgets.pledge_totals_refresh", weak=False
        )
