"""Writes for departments, and the idempotent upsert every seed loader uses."""

from decimal import Decimal
from typing import Any

from django.db import models, transaction

from .locking import version_check
from .models import Bureau, Department, Official, WorkPlanItem

SEED_REASON = "load_initial_data: 시드 자료 적재 / seed data load"


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


Counts = dict[str, int]  # "created", "updated", "unchanged", "deleted" -> how many


def tally(counts: Counts, status: str) -> None:
    """Count one row's outcome of ``record_upsert`` (or "deleted")."""
    counts[status] = counts.get(status, 0) + 1


def stale_delete(queryset: models.QuerySet, *, keep: list[int], counts: Counts) -> None:
    """Delete the rows of ``queryset`` not in ``keep``, one by one so history records them."""
    for obj in queryset.exclude(pk__in=keep):
        obj._change_reason = SEED_REASON
        obj.delete()
        tally(counts, "deleted")


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


@transaction.atomic
def official_save(
    *, official: Official, user=None, reason: str = "", expected_version: str | None = None
) -> Official:
    """Create or change an official (name, role, phone of a department)."""
    record_save(obj=official, user=user, reason=reason, expected_version=expected_version)
    return official


@transaction.atomic
def department_save(
    *, department: Department, user=None, reason: str = "", expected_version: str | None = None
) -> Department:
    """Create or change a department (its names, bureau, phone, staff)."""
    record_save(obj=department, user=user, reason=reason, expected_version=expected_version)
    return department


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


def _decimal(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value).normalize()


@transaction.atomic
def departments_seed(*, data: dict[str, Any]) -> Counts:
    """Load bureaus, departments and work-plan items from ``fixtures/departments.toml``."""
    counts: Counts = {}
    for row in data.get("bureaus", []):
        values = {"name_en": row.get("name_en", "")}
        tally(counts, record_upsert(Bureau, lookup={"name": row["name"]}, values=values)[1])
    for row in data.get("departments", []):
        bureau = Bureau.objects.get(name=row["bureau"]) if row.get("bureau") else None
        values = {
            "bureau": bureau,
            "phone": row.get("phone", ""),
            "name_en": row.get("name_en", ""),
        }
        tally(counts, record_upsert(Department, lookup={"name": row["name"]}, values=values)[1])
    for row in data.get("work_plan", []):
        department = Department.objects.get(name=row["department"])
        values = {
            "title": row["title"],
            "summary": row.get("summary", ""),
            "period": row.get("period", ""),
            "budget_amount": _decimal(row.get("budget_amount")),
            "budget_unit": row.get("budget_unit", ""),
            "budget_text": row.get("budget_text", ""),
            "source_note": row.get("source_note", ""),
        }
        lookup = {"department": department, "year": row["year"], "number": row["number"]}
        tally(counts, record_upsert(WorkPlanItem, lookup=lookup, values=values)[1])
    return counts


def official_upsert(*, department: Department, role: str, name: str, phone: str) -> Official:
    """The department's official with this role, name and phone, created when new."""
    lookup = {"department": department, "role": role, "name": name, "phone": phone}
    return record_upsert(Official, lookup=lookup, values={})[0]
