"""Each role × each admin model × view/add/change/delete, on its own and another department."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from budgets.models import BudgetFigure
from departments.models import Department, Official, WorkPlanItem
from pledges.models import Pledge, Project, Term, Vision
from tests.factories import auditor, department_staff, make_user, reviewer

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "add", "change", "delete")


def own_and_other(model):
    """A record of 민원여권과 (staff's own) and one of 공공건축과 (another department)."""
    if model is Pledge:
        return Pledge.objects.get(code="12-1"), Pledge.objects.get(code="12-7")
    if model is Project:
        return Project.objects.get(pledge__code="12-1"), Project.objects.get(pledge__code="12-7")
    if model is BudgetFigure:
        return (
            BudgetFigure.objects.filter(project__pledge__code="12-1").first(),
            BudgetFigure.objects.filter(project__pledge__code="12-7").first(),
        )
    if model is Official:
        return (
            Official.objects.filter(department__name="민원여권과").first(),
            Official.objects.filter(department__name="공공건축과").first(),
        )
    if model is WorkPlanItem:
        return (
            WorkPlanItem.objects.filter(department__name="민원여권과").first(),
            WorkPlanItem.objects.filter(department__name="자치협력과").first(),
        )
    if model is Department:
        return Department.objects.get(name="민원여권과"), Department.objects.get(name="공공건축과")
    return model.objects.first(), model.objects.first()


# role → model → (actions on own record, actions on another department's record)
STAFF = {
    Pledge: ({"view", "change"}, set()),
    Project: ({"view", "add", "change"}, set()),
    BudgetFigure: ({"view", "add", "change"}, set()),
    Official: ({"view", "add", "change"}, set()),
    WorkPlanItem: ({"view"}, {"view"}),
    Department: ({"view"}, {"view"}),
    Term: ({"view"}, {"view"}),
    Vision: ({"view"}, {"view"}),
}
MODELS = list(STAFF)


def _user(role):
    if role == "admin":
        return make_user("root", superuser=True)
    if role == "auditor":
        return auditor()
    if role == "reviewer":
        return reviewer()
    return department_staff()


def _allowed(model_admin, request, action, obj):
    if action == "add":
        return model_admin.has_add_permission(request)
    return getattr(model_admin, f"has_{action}_permission")(request, obj)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["admin", "auditor", "reviewer", "staff"])
def test_role_matrix(role, model):
    request = RequestFactory().get("/admin/")
    request.user = _user(role)
    model_admin = admin.site._registry[model]
    own, other = own_and_other(model)
    for action in ACTIONS:
        if role == "admin":
            expected_own = expected_other = True
        elif role in ("auditor", "reviewer"):  # the reviewer publishes; it edits no card
            expected_own = expected_other = action == "view"
        else:
            expected_own = action in STAFF[model][0]
            expected_other = action in STAFF[model][1] or (
                action == "add" and action in STAFF[model][0]
            )
        assert _allowed(model_admin, request, action, own) is expected_own, (role, action, "own")
        assert _allowed(model_admin, request, action, other) is expected_other, (
            role,
            action,
            "other",
        )


@pytest.mark.parametrize("role", ["admin", "auditor", "reviewer", "staff"])
def test_changelists_show_only_what_the_role_may_see(client, role):
    client.force_login(_user(role))
    response = client.get("/admin/budgets/budgetfigure/")
    codes = {f.project.pledge.code for f in response.context["cl"].result_list}
    expected = {"12-1"} if role == "staff" else {"12-1", "12-3", "12-7", "12-8", "12-9"}
    assert codes <= expected and "12-1" in codes
    if role != "staff":
        assert codes == expected or response.context["cl"].result_count > len(
            response.context["cl"].result_list
        )


def test_autocomplete_offers_only_own_departments_officials(client):
    client.force_login(department_staff())
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "pledges",
            "model_name": "pledgeofficial",
            "field_name": "official",
            "term": "",
        },
    )
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert names and all("민원여권과" in name for name in names)


def test_delete_action_is_not_offered_to_staff_for_figures(client):
    client.force_login(department_staff())
    response = client.get("/admin/budgets/budgetfigure/")
    action_form = response.context["action_form"]
    actions = [n for n, _label in action_form.fields["action"].choices] if action_form else []
    assert "delete_selected" not in actions
    figure = BudgetFigure.objects.filter(project__pledge__code="12-7").first()
    response = client.post(
        "/admin/budgets/budgetfigure/",
        {"action": "delete_selected", "_selected_action": [figure.pk], "post": "yes"},
    )
    assert BudgetFigure.objects.filter(pk=figure.pk).exists()


def test_terms_visions_and_users_are_for_administrators_only(client):
    client.force_login(department_staff())
    assert client.get("/admin/auth/user/").status_code == 403
    term = Term.objects.get()
    response = client.post(f"/admin/pledges/term/{term.pk}/change/", {"name": "x"})
    assert response.status_code == 403
