from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("Departments")

    def ready(self) -> None:
        from . import audit_log

        audit_log.connect()  # structured log lines only; no data is changed
