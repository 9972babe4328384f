"""Writes for departments: their names, officials and work-plan items, and their seed."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from core.services import Counts, record_save, record_upsert, tally

from .models import Bureau, Department, Official, WorkPlanItem


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
