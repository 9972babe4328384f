"""Every model of our apps has its permission rows per role, declared in portal/roles.py."""

import pytest
from django.contrib.auth.models import Group, Permission

from core.roles import AUDITOR_GROUP, STAFF_GROUP
from portal.roles import ROLE_APPS, STAFF_PERMISSIONS, role_models, roles_sync

pytestmark = pytest.mark.django_db


def _held(role: str) -> set[str]:
    return set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )


def test_every_concrete_model_of_our_apps_is_declared_for_department_staff():
    declared = {(app, model) for app, models in STAFF_PERMISSIONS.items() for model in models}
    concrete = {
        (m._meta.app_label, m._meta.model_name)
        for m in role_models()
        if not m.__name__.startswith("Historical")
    }
    assert concrete == declared


def test_the_auditor_views_every_model_of_our_apps_history_included_and_nothing_else():
    expected = {(m._meta.app_label, f"view_{m._meta.model_name}") for m in role_models()}
    assert ("pledges", "view_historicalpledge") in expected
    assert ("budgets", "view_budgetfigure") in expected
    assert _held(AUDITOR_GROUP) == expected


def test_department_staff_hold_todays_matrix_without_deletes_of_pledges_or_figures():
    held = _held(STAFF_GROUP)
    assert {c for app, c in held if app == "pledges" and c.endswith("_pledge")} == {
        "view_pledge",
        "change_pledge",
    }
    assert {c for app, c in held if app == "budgets"} == {
        "view_budgetfigure",
        "add_budgetfigure",
        "change_budgetfigure",
    }
    assert {c for app, c in held if app == "departments"} == {
        "view_department",
        "view_official",
        "add_official",
        "change_official",
        "view_workplanitem",
        "view_bureau",
    }
    assert ("pledges", "delete_milestone") in held
    assert not {c for _app, c in held if c.startswith("delete_") and c[7:] in {"pledge", "project"}}
    assert not {c for _app, c in held if "historical" in c or "publicversion" in c}
    assert {app for app, _c in held} == set(ROLE_APPS)


def test_roles_sync_is_idempotent_and_repairs_a_tampered_group():
    before = {role: _held(role) for role in (STAFF_GROUP, AUDITOR_GROUP)}
    auditor = Group.objects.get(name=AUDITOR_GROUP)
    auditor.permissions.add(Permission.objects.get(codename="change_pledge"))
    Group.objects.get(name=STAFF_GROUP).permissions.clear()
    roles_sync()
    roles_sync()
    assert {role: _held(role) for role in (STAFF_GROUP, AUDITOR_GROUP)} == before


def test_roles_sync_gives_a_model_without_rows_its_permissions():
    Permission.objects.filter(codename__endswith="_workplanlink").delete()
    assert ("pledges", "view_workplanlink") not in _held(AUDITOR_GROUP)
    roles_sync()
    assert ("pledges", "view_workplanlink") in _held(AUDITOR_GROUP)
    assert ("pledges", "view_workplanlink") in _held(STAFF_GROUP)
