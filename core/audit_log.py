"""Structured log lines for admin writes and failed logins (logger "paju.audit")."""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_login_failed

logger = logging.getLogger("paju.audit")

ACTIONS = {1: "add", 2: "change", 3: "delete"}


def log_admin_write(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if created:
        logger.info(
            "event=admin_write action=%s user=%s model=%s object_id=%s object=%r",
            ACTIONS.get(instance.action_flag, instance.action_flag),
            instance.user_id,
            instance.content_type.model if instance.content_type_id else "",
            instance.object_id,
            instance.object_repr,
        )


def log_failed_login(sender, credentials: dict, request=None, **kwargs) -> None:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    logger.warning("event=login_failed username=%r ip=%s", credentials.get("username", ""), address)


def connect() -> None:
    from django.db.models.signals import post_save

    post_save.connect(log_admin_write, sender=LogEntry, dispatch_uid="paju.audit.admin_write")
    user_login_failed.connect(log_failed_login, dispatch_uid="paju.audit.login_failed")
