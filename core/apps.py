from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app's admin and services share: the guarded admin, locking, the audit log.

    It has no models; it is installed so that the audit log is connected once, at start-up.
    """

    name = "core"

    def ready(self) -> None:
        from . import audit_log

        audit_log.connect()  # structured log lines only; no data is changed
