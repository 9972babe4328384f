"""Every admin model × every role × every URL its admin exposes, GET and POST.

The matrix is generated from ``admin.site._registry``: a model registered without an
entry in ``ROLE_ACTIONS`` fails ``test_every_admin_model_has_a_row_in_the_matrix``. What a
role may do is the README's role matrix:

- anonymous: every admin URL sends to the login page (302), nothing is written;
- 부서 담당자 (department staff): ``STAFF`` actions on their own department's records;
  on another department's record, what they may do on their own answers 404, as if
  the record were absent (what they may do on no record stays 403);
- 감사 (auditor): view (list, change page read-only, history) of the portal's models; 403
  on every POST; nothing of users, groups or login records;
- 공약 총괄 (reviewer): what the auditor may, plus opening and closing publication rounds
  and deciding on (publishing or returning) a pledge's review; no change, add or delete
  of any card's record (figures, stages, milestones, officials): 403 on those POSTs;
- administrator: everything the admin offers.

History revert is switched off for everyone (a correction is a new change through the
change form): a POST to a history detail is 403 for every role that may see the record.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from core.admin_guard import GuardedAdmin
from core.locking import record_version
from core.roles import STAFF_GROUP
from departments.models import Department, Official, WorkPlanItem
from publications.models import PledgeReview, Publication, PublicationRound
from tests.factories import auditor, department_staff, make_user, reviewer

pytestmark = pytest.mark.django_db

ALL = {"view", "add", "change", "delete"}
PORTAL_APPS = {"departments", "pledges", "budgets", "publications"}

# model label → (department staff's actions on their own department's record, scoped?)
STAFF = {
    "pledges.pledge": ({"view", "change"}, True),
    "pledges.project": ({"view", "add", "change"}, True),
    "budgets.budgetfigure": ({"view", "add", "change"}, True),
    "departments.official": ({"view", "add", "change"}, True),
    "departments.workplanitem": ({"view"}, False),
    "departments.department": ({"view"}, False),
    "departments.bureau": ({"view"}, False),
    "pledges.term": ({"view"}, False),
    "pledges.vision": ({"view"}, False),
    "publications.publicationround": ({"view"}, False),
    "publications.pledgereview": ({"view"}, True),
    "publications.publication": ({"view"}, False),
    "auth.user": (set(), False),
    "auth.group": (set(), False),
    "axes.accessattempt": (set(), False),
    "axes.accesslog": (set(), False),
    "axes.accessfailurelog": (set(), False),
}
# What the admin offers at all, for an administrator (axes' login records are not added).
ADMINISTRATOR = {label: ALL for label in STAFF} | {
    "axes.accessattempt": ALL - {"add"},
    "axes.accesslog": ALL - {"add"},
    "axes.accessfailurelog": ALL - {"add"},
    # rounds are closed, never deleted; reviews are made by round_open, publications by
    # publication_publish: no add or delete for anyone; a publication is never changed.
    "publications.publicationround": ALL - {"delete"},
    "publications.pledgereview": {"view", "change"},
    "publications.publication": {"view"},
}
# The reviewer: view like the auditor, plus rounds and decisions; nothing on the cards.
REVIEWER = {
    "publications.publicationround": {"view", "add", "change"},
    "publications.pledgereview": {"view", "change"},
}
ROLES = ["anonymous", "staff_own", "staff_other", "auditor", "reviewer", "administrator"]


def role_actions(role: str, label: str) -> tuple[set[str], bool]:
    """(actions on the 민원여권과 record, whether the record is outside the role's scope)."""
    if role == "administrator":
        return ADMINISTRATOR[label], False
    if role == "auditor":
        return ({"view"} if label.split(".")[0] in PORTAL_APPS else set()), False
    if role == "reviewer":
        portal = label.split(".")[0] in PORTAL_APPS
        return REVIEWER.get(label, {"view"} if portal else set()), False
    actions, scoped = STAFF[label]
    return actions, scoped and role == "staff_other"


def record_of(label: str):
    """A record of 민원여권과 (the own department of ``staff_own``) or a shared one."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from budgets.models import BudgetFigure
    from pledges.models import Pledge, Project

    civil = Department.objects.get(name="민원여권과")
    return {
        "publications.publicationround": open_round,
        "publications.pledgereview": lambda: PledgeReview.objects.get(
            round=open_round(), pledge__code="12-1"
        ),
        "publications.publication": lambda: Publication.objects.get(pledge__code="12-1"),
        "pledges.pledge": lambda: Pledge.objects.get(code="12-1"),
        "pledges.project": lambda: Project.objects.filter(pledge__code="12-1").first(),
        "budgets.budgetfigure": lambda: BudgetFigure.objects.filter(
            project__pledge__code="12-1"
        ).first(),
        "departments.official": lambda: Official.objects.filter(department=civil).first(),
        "departments.workplanitem": lambda: WorkPlanItem.objects.filter(department=civil).first(),
        "departments.department": lambda: civil,
        "auth.user": lambda: make_user("someone"),
        "auth.group": lambda: Group.objects.get(name=STAFF_GROUP),
        "axes.accessattempt": lambda: AccessAttempt.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
        ),
        "axes.accesslog": lambda: AccessLog.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="t"
        ),
        "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="t"
        ),
    }.get(label, lambda: admin.site._registry[_model(label)].model.objects.first())()


def open_round():
    """The open round of the current term (opened by the reviewer's service)."""
    from pledges.models import Term
    from publications.services import round_open

    found = PublicationRound.objects.filter(closed_at__isnull=True).first()
    if found is not None:
        return found
    return round_open(
        term=Term.objects.get(is_current=True),
        name="2026년 상반기 점검",
        due_on=date(2026, 6, 30),
        by=None,
    )


def _model(label):
    return next(m for m in admin.site._registry if m._meta.label_lower == label)


def login(client, role):
    if role == "anonymous":
        return None
    user = {
        "staff_own": lambda: department_staff("own", departments=("민원여권과",)),
        "staff_other": lambda: department_staff("other", departments=("공공건축과",)),
        "auditor": auditor,
        "reviewer": reviewer,
        "administrator": lambda: make_user("root", superuser=True),
    }[role]()
    client.force_login(user)
    return user


def test_every_admin_model_has_a_row_in_the_matrix():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == set(STAFF)


def test_every_portal_admin_is_guarded():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in PORTAL_APPS:
            assert isinstance(model_admin, GuardedAdmin), model


def _expect(response, status, *, role):
    if role == "anonymous":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    else:
        assert response.status_code == status, (response.status_code, status)


@pytest.mark.parametrize("label", sorted(STAFF))
@pytest.mark.parametrize("role", ROLES)
def test_admin_routes_allow_and_refuse_as_the_role_matrix_says(client, role, label):
    model = _model(label)
    model_admin = admin.site._registry[model]
    obj = record_of(label)
    user = login(client, role)
    actions, outside = role_actions(role, label)
    model_level = role_actions(role, label)[0]  # list, add, import: not about one record
    version = record_version(obj)
    info = (model._meta.app_label, model._meta.model_name)

    def url(name, *args):
        return reverse(f"admin:{info[0]}_{info[1]}_{name}", args=args)

    def on_record(action, allowed_status=200):
        if action not in actions:
            return 403  # not the role's to do on any record
        return 404 if outside else allowed_status

    # list
    _expect(client.get(url("changelist")), 200 if "view" in model_level else 403, role=role)
    # an action POSTed to the list (not confirmed): 403 for a role that may neither
    # change nor delete; else the confirmation page (may delete) or the list again (the
    # action is not offered), nothing deleted either way (checked below).
    response = client.post(
        url("changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]}
    )
    if response.status_code == 302 and role != "anonymous" and {"change", "delete"} & model_level:
        # the admin offers other actions than delete: "no action selected", the list again
        assert "delete" not in actions and response["Location"] == url("changelist")
    else:
        _expect(response, 200 if {"change", "delete"} & model_level else 403, role=role)
    if response.status_code == 200:
        confirming = "deletable_objects" in response.context
        assert confirming is ("delete" in actions and not outside)
    # add
    add_status = 200 if "add" in model_level else 403
    _expect(client.get(url("add")), add_status, role=role)
    _expect(client.post(url("add"), {}), add_status, role=role)  # empty: form errors
    # change page (read-only for a view-only role) and its POST
    _expect(client.get(url("change", obj.pk)), on_record("view"), role=role)
    response = client.post(url("change", obj.pk), {})
    if isinstance(model_admin, GuardedAdmin) or role != "administrator":
        _expect(response, on_record("change"), role=role)  # allowed: the stale/empty form
    else:
        assert response.status_code in (200, 302)
    # delete
    _expect(client.get(url("delete", obj.pk)), on_record("delete"), role=role)
    if role != "administrator":
        _expect(client.post(url("delete", obj.pk), {"post": "yes"}), on_record("delete"), role=role)
    # history list and detail; revert POST refused for everyone
    if isinstance(model_admin, SimpleHistoryAdmin):
        _expect(client.get(url("history", obj.pk)), on_record("view"), role=role)
        # the history list is a page to read: a POST is refused, whoever sends it
        _expect(client.post(url("history", obj.pk), {}), 404 if outside else 403, role=role)
        if model_admin.has_change_history():
            record = obj.history.order_by("history_id").first()
            detail = url("simple_history", obj.pk, record.history_id)
            _expect(client.get(detail), on_record("view"), role=role)
            _expect(client.post(detail, {}), 404 if outside else 403, role=role)
        else:  # the history page is the admin log; there is no past version to show
            detail = url("simple_history", obj.pk, 1)
            _expect(client.get(detail), 404, role=role)
            _expect(client.post(detail, {}), 404, role=role)
    # import and export
    if isinstance(model_admin, ImportExportMixin):
        import_status = 200 if "change" in model_level else 403
        _expect(client.get(url("import")), import_status, role=role)
        _expect(client.post(url("import"), {}), import_status, role=role)
        _expect(client.get(url("export")), 200 if "view" in model_level else 403, role=role)
    # nothing above changed the record (the administrator's delete is tested below)
    obj.refresh_from_db()
    assert record_version(obj) == version
    if role == "administrator" and "delete" in actions:
        # a published pledge takes its publications with it, and a department, term or
        # vision they name would too; nobody deletes the public record: the page lists
        # them and the POST is refused
        lacking = client.get(url("delete", obj.pk)).context["perms_lacking"]
        response = client.post(url("delete", obj.pk), {"post": "yes"})
        gone = not model.objects.filter(pk=obj.pk).exists()
        if lacking:
            # its money protects it as well (cleared first through the money service):
            # the page lists the figures again, and nothing is deleted
            assert response.status_code == 200 and response.context["protected"]
            assert not gone and lacking == {str(Publication._meta.verbose_name)}
            # a pledge, or what its published snapshots name (department, term, vision)
            assert label in {
                "pledges.pledge",
                "departments.department",
                "pledges.term",
                "pledges.vision",
            }
        elif gone:
            assert response.status_code == 302
        else:  # protected by records that point at it: the page lists them
            assert response.status_code == 200 and response.context["protected"]
    # the actions offered need permissions the role has
    if user is not None:
        request = RequestFactory().get("/admin/")
        request.user = user
        for name, (func, _name, _desc) in model_admin.get_actions(request).items():
            needed = set(getattr(func, "allowed_permissions", ())) & ALL
            assert needed <= model_level, (name, needed)


def _autocomplete_fields():
    """(app_label, model_name, field_name, target label) of every autocomplete in the admin."""
    found = []
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/")
        for owner in [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]:
            for name in owner.get_autocomplete_fields(request):
                field = owner.model._meta.get_field(name)
                found.append(
                    (
                        owner.model._meta.app_label,
                        owner.model._meta.model_name,
                        name,
                        field.related_model._meta.label_lower,
                    )
                )
    return found


def test_the_admin_has_autocompletes_to_test():
    assert {f[2] for f in _autocomplete_fields()} == {"official", "item"}


@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_answers_as_the_role_matrix_says(client, role):
    login(client, role)
    for app_label, model_name, field_name, target in _autocomplete_fields():
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        )
        may_view = "view" in role_actions(role, target)[0]
        _expect(response, 200 if may_view else 403, role=role)
        if response.status_code == 200 and role.startswith("staff") and target.endswith("official"):
            own = "민원여권과" if role == "staff_own" else "공공건축과"
            names = {r["text"] for r in response.json()["results"]}
            assert names and all(own in name for name in names)


@pytest.mark.parametrize("role", ROLES)
def test_money_grid_and_findings_answer_as_the_role_matrix_says(client, role):
    from pledges.models import Project

    project = Project.objects.filter(pledge__code="12-1").first()
    login(client, role)
    actions, outside = role_actions(role, "budgets.budgetfigure")
    grid = reverse("admin:budgets_budgetfigure_grid", args=[project.pk])
    findings = reverse("admin:budgets_budgetfigure_findings", args=[project.pledge_id])
    viewable = 404 if outside else 200
    _expect(client.get(grid), viewable, role=role)
    _expect(client.get(findings), viewable, role=role)
    _expect(client.post(findings, {}), 404 if outside else 403, role=role)  # a page to read
    version = record_version(project)
    response = client.post(grid, {"cell__executed__total__total": "1"})
    _expect(response, 404 if outside else (200 if "change" in actions else 403), role=role)
    project.refresh_from_db()
    assert record_version(project) == version
