"""Writes every app's services build on: one record saved or deleted the way every door
does, and the idempotent upsert every seed loader uses."""

from decimal import Decimal
from typing import Any

from django.db import models, transaction

from .locking import version_check

SEED_REASON = "load_initial_data: 시드 자료 적재 / seed data load"

Counts = dict[str, int]  # "created", "updated", "unchanged", "deleted" -> how many


@transaction.atomic
def record_save(
    *,
    obj: models.Model,
    user=None,
    reason: str = "",
    expected_version: str | None = None,
) -> models.Model:
    """Save one record the way every door does: version check, ``full_clean()``, history.

    The admin's forms, inlines and deletes of every model call this (or a service built
    on it), so the rules a model declares hold whichever door a change comes in by.
    ``user`` and ``reason`` go into the change history.
    """
    version_check(obj=obj, expected=expected_version)
    obj.full_clean()
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.save()
    return obj


@transaction.atomic
def record_delete(*, obj: models.Model, user=None, reason: str = "") -> None:
    """Delete one record with user and reason in its history."""
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.delete()


def record_upsert(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    reason: str = SEED_REASON,
) -> tuple[models.Model, str]:
    """Create or update one row; save only when a value differs, so a rerun writes nothing.

    Returns the row and "created", "updated" or "unchanged". Every save is validated with
    ``full_clean()`` and carries ``reason`` into the change history.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj, status = model(**lookup, **values), "created"
    else:
        changed = {k: v for k, v in values.items() if _field_value(obj, k) != _comparable(v)}
        if not changed:
            return obj, "unchanged"
        for key, value in changed.items():
            setattr(obj, key, value)
        status = "updated"
    obj.full_clean()
    obj._change_reason = reason
    obj.save()
    return obj, status


def tally(counts: Counts, status: str) -> None:
    """Count one row's outcome of ``record_upsert`` (or "deleted")."""
    counts[status] = counts.get(status, 0) + 1


def stale_delete(queryset: models.QuerySet, *, keep: list[int], counts: Counts) -> None:
    """Delete the rows of ``queryset`` not in ``keep``, one by one so history records them."""
    for obj in queryset.exclude(pk__in=keep):
        obj._change_reason = SEED_REASON
        obj.delete()
        tally(counts, "deleted")


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _field_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname)
    value = getattr(obj, name)
    if isinstance(value, Decimal):
        return value.normalize()
    return value
