"""One write path: the same rules, lock and scope whichever door a change comes in by."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from budgets.models import BudgetFigure
from budgets.services import project_figures_update
from core.admin_guard import GuardedAdmin
from core.locking import STALE_MESSAGE
from departments.models import Department, Official
from departments.scoping import SCOPED_CHOICES
from pledges.models import Milestone, Pledge, Project
from tests.admin_forms import change_form_data
from tests.budgets.test_import_export import dry_run, xlsx_file
from tests.factories import department_staff, make_user

pytestmark = pytest.mark.django_db

SECURED_ERROR = "총사업비 현재계획"
NEGATIVE_ERROR = "금액은 0 이상이어야 합니다"


# -- forged ids on every foreign key --------------------------------------------------------


def _forms_with_foreign_keys():
    """(owner admin or inline, field name, target label) for every scoped FK in the admin."""
    found = []
    for model, model_admin in admin.site._registry.items():
        for owner in [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]:
            for field in owner.model._meta.get_fields():
                if field.many_to_one and field.concrete and field.editable:
                    target = field.related_model._meta.label_lower
                    if target in SCOPED_CHOICES:
                        found.append((owner, field, target))
    return found


def test_every_scoped_foreign_key_offers_and_accepts_only_the_users_departments():
    staff = department_staff("civil", departments=("민원여권과",))
    request = RequestFactory().get("/admin/")
    request.user = staff
    other = Department.objects.get(name="공공건축과")
    forged = {
        "departments.department": other,
        "departments.official": Official.objects.filter(department=other).first(),
        "pledges.pledge": Pledge.objects.get(code="12-7"),
        "pledges.project": Project.objects.filter(pledge__code="12-7").first(),
        "pledges.milestone": Milestone.objects.filter(pledge__code="12-7").first(),
    }
    checked = set()
    for owner, field, target in _forms_with_foreign_keys():
        inline = isinstance(owner, InlineModelAdmin)
        may_add = (
            owner.has_add_permission(request, None) if inline else owner.has_add_permission(request)
        )
        if not (may_add or owner.has_change_permission(request)):
            continue  # read-only for staff: no form of theirs posts this field
        formfield = owner.formfield_for_foreignkey(field, request)
        if formfield is None:
            continue
        choices = formfield.queryset
        assert not choices.filter(pk=forged[target].pk).exists(), (owner, field.name)
        with pytest.raises(ValidationError):  # the forged id, posted: refused on the server
            formfield.clean(forged[target].pk)
        checked.add(f"{owner.model._meta.model_name}.{field.name}")
    assert {
        "pledge.department",
        "project.pledge",
        "budgetfigure.project",
        "official.department",
        "milestone.project",
        "milestone.parent",
        "yearplan.project",
        "relatedmaterial.project",
        "pledgeofficial.official",
    } <= checked


def _inline_prefix(page, model):
    return next(
        f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is model
    )


def test_staff_cannot_nest_their_milestone_under_another_departments(client):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    pledge = Pledge.objects.get(code="12-1")
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefix = _inline_prefix(page, Milestone)
    foreign = Milestone.objects.filter(pledge__code="12-7").first()
    data[f"{prefix}-0-parent"] = str(foreign.pk)
    data["change_reason"] = "forged"
    response = client.post(url, data)
    assert response.status_code == 200
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Milestone
    )
    assert formset.forms[0].errors.as_data()["parent"][0].code == "invalid_choice"
    assert pledge.milestones.get(position=1).parent_id is None


def test_a_milestone_cannot_hang_under_another_pledge_of_the_same_department(client):
    client.force_login(make_user("root", superuser=True))
    pledge = Pledge.objects.get(code="12-1")
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefix = _inline_prefix(page, Milestone)
    elsewhere = Milestone.objects.exclude(pledge=pledge).first()
    data[f"{prefix}-0-parent"] = str(elsewhere.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "같은 공약의 항목만 고를 수 있습니다" in response.content.decode()
    assert pledge.milestones.get(position=1).parent_id is None


def test_staff_cannot_move_a_sub_project_to_another_departments_pledge(client):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    project = Project.objects.filter(pledge__code="12-1").first()
    url = reverse("admin:pledges_project_change", args=[project.pk])
    data = change_form_data(client.get(url))
    data["pledge"] = str(Pledge.objects.get(code="12-7").pk)
    response = client.post(url, data)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.pledge.code == "12-1"


# -- the same invalid figure through every door ----------------------------------------------


@pytest.fixture
def building(client):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    return client


@pytest.fixture
def project_12_7():
    return Project.objects.get(pledge__code="12-7")


def _figures(project):
    return sorted(BudgetFigure.objects.filter(project=project).values_list("pk", "amount"))


@pytest.mark.parametrize(
    ("cell", "amount", "message"),
    [
        (("secured", "total", "total"), "18001", SECURED_ERROR),
        (("executed", "total", "2025"), "-5", NEGATIVE_ERROR),
        (("executed", "total", "2025"), "12.5", "백만원 단위의 정수여야 합니다"),
    ],
    ids=["secured-above-current", "negative", "fractional"],
)
def test_the_same_invalid_figure_is_refused_alike_by_every_door(
    building, project_12_7, cell, amount, message, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    before = _figures(project_12_7)
    # 1. the grid
    grid = reverse("admin:budgets_budgetfigure_grid", args=[project_12_7.pk])
    data = change_form_data(building.get(grid))
    data["cell__" + "__".join(cell)] = amount
    response = building.post(grid, data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["cell__" + "__".join(cell)])
    # 2. the single-figure form
    figure = BudgetFigure.objects.get(
        project=project_12_7, kind=cell[0], source=cell[1], period=cell[2]
    )
    single = reverse("admin:budgets_budgetfigure_change", args=[figure.pk])
    data = change_form_data(building.get(single))
    data["amount"] = amount
    response = building.post(single, data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["amount"])
    # 3. the history revert: switched off, a POST is refused whatever it holds
    record = figure.history.order_by("history_id").first()
    revert = reverse("admin:budgets_budgetfigure_simple_history", args=[figure.pk, record.pk])
    assert building.post(revert, {"amount": amount}).status_code == 403
    # 4. the import's dry run (the confirm runs the same service): refused, no token
    table = {"secured": "확보금액", "executed": "집행금액"}[cell[0]]
    period = "계" if cell[2] == "total" else cell[2]
    upload = xlsx_file([["12-7", "본사업", table, "계", period, amount, ""]])
    response = dry_run(building, upload)
    assert response.status_code == 200 and "confirm_form" not in response.context
    # A fraction never reaches the service: the import's reader refuses the cell itself,
    # in its own words ("정수", a whole number).
    assert (message if amount != "12.5" else "정수") in response.content.decode()
    # 5. the service a command calls
    from decimal import Decimal

    with pytest.raises(ValidationError) as refused:
        project_figures_update(project=project_12_7, cells={cell: Decimal(amount)})
    assert message in str(refused.value)
    assert _figures(project_12_7) == before


# -- two sessions on every edit form ---------------------------------------------------------

# A text field each admin's change form edits, to change in two sessions.
EDITED_FIELD = {
    "pledges.pledge": "title",
    "pledges.project": "name",
    "pledges.term": "name",
    "pledges.vision": "title",
    "departments.bureau": "name",
    "departments.department": "phone",
    "departments.official": "phone",
    "departments.workplanitem": "title",
    "budgetfigure": None,  # its own test below: its version is its sub-project's
    "publications.publicationround": "name",
    # a decision, not a text: tests/publications/test_admin_workflow.py
    # (test_two_reviewers_publishing_the_same_draft_yield_one_publication)
    "publications.pledgereview": None,
    "publications.publication": None,  # read-only for everyone: no edit form
}


def test_every_guarded_admin_has_a_two_session_test():
    guarded = {
        m._meta.label_lower
        for m, a in admin.site._registry.items()
        if isinstance(a, GuardedAdmin) and m._meta.label_lower != "budgets.budgetfigure"
    }
    assert guarded == set(EDITED_FIELD) - {"budgetfigure"}


@pytest.mark.parametrize("label", sorted(label for label, field in EDITED_FIELD.items() if field))
def test_a_later_save_of_a_stale_change_form_is_refused(client, label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    if label == "publications.publicationround":  # none in the seed: open one
        from publications.services import round_open

        term = Pledge.objects.get(code="12-1").term
        round_open(term=term, name="2026년 상반기 점검", due_on=date(2026, 6, 30), by=None)
    obj = model.objects.order_by("pk").first()
    field = EDITED_FIELD[label]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    client.force_login(make_user("first", superuser=True))
    first = change_form_data(client.get(url))
    client.force_login(make_user("second", superuser=True))
    second = change_form_data(client.get(url))
    second[field] = f"{second[field]}2"
    response = client.post(url, second)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(
        model._default_manager.model._meta.apps.get_model("auth.User").objects.get(username="first")
    )
    first[field] = f"{first[field]}1"
    response = client.post(url, first)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == second[field]


def test_a_single_figure_saved_makes_an_open_grid_stale_and_back(building, project_12_7):
    figure = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2025")
    grid = reverse("admin:budgets_budgetfigure_grid", args=[project_12_7.pk])
    single = reverse("admin:budgets_budgetfigure_change", args=[figure.pk])
    grid_data = change_form_data(building.get(grid))
    single_data = change_form_data(building.get(single))
    single_data["amount"] = "9460"
    assert building.post(single, single_data).status_code == 302
    grid_data["cell__executed__total__2026"] = "300"  # another cell: the old 2025 goes back
    response = building.post(grid, grid_data)
    assert response.status_code == 200
    assert "이 화면을 연 뒤에 이 기록을 바꿨습니다" in response.content.decode()
    figure.refresh_from_db()
    assert figure.amount == 9460
    assert not BudgetFigure.objects.filter(
        project=project_12_7, period="2026", kind="executed"
    ).exists()
    # and the other way round: a grid save makes an open single form stale
    single_data = change_form_data(building.get(single))
    grid_data = change_form_data(building.get(grid))
    grid_data["cell__executed__total__2025"] = "9461"
    assert building.post(grid, grid_data).status_code == 302
    single_data["amount"] = "1"
    response = building.post(single, single_data)
    assert response.status_code == 200
    assert "이 화면을 연 뒤에 이 기록을 바꿨습니다" in response.content.decode()
    figure.refresh_from_db()
    assert figure.amount == 9461


def test_a_stale_pledge_form_does_not_overwrite_a_milestone_edited_meanwhile(client):
    pledge = Pledge.objects.get(code="12-1")
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    client.force_login(department_staff("first", departments=("민원여권과",)))
    first_page = client.get(url)
    first = change_form_data(first_page)
    client.force_login(department_staff("second", departments=("민원여권과",)))
    second_page = client.get(url)
    second = change_form_data(second_page)
    prefix = _inline_prefix(second_page, Milestone)
    second[f"{prefix}-0-text"] = "두 번째 사용자의 수정"
    assert client.post(url, second).status_code == 302
    client.force_login(department_staff("first2", departments=("민원여권과",)))
    first[f"{prefix}-0-text"] = "첫 번째 사용자의 수정"
    response = client.post(url, first)
    assert response.status_code == 200
    assert pledge.milestones.get(position=1).text == "두 번째 사용자의 수정"


def test_department_membership_changes_only_by_administrators(client):
    staff = department_staff("gonggong", departments=("공공건축과",))
    civil = Department.objects.get(name="민원여권과")
    client.force_login(staff)
    url = reverse("admin:departments_department_change", args=[civil.pk])
    assert client.get(url).status_code == 200  # read-only
    assert client.post(url, {"name": civil.name, "staff": [staff.pk]}).status_code == 403
    record = civil.history.order_by("history_id").first()
    revert = reverse("admin:departments_department_simple_history", args=[civil.pk, record.pk])
    assert client.post(revert, {"name": civil.name, "staff": [staff.pk]}).status_code == 403
    assert not civil.staff.filter(pk=staff.pk).exists()


def test_a_past_version_is_shown_read_only_without_a_revert_button(client):
    client.force_login(make_user("root", superuser=True))
    pledge = Pledge.objects.get(code="12-1")
    record = pledge.history.order_by("history_id").first()
    url = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, record.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert pledge.title in html
    assert 'name="title"' not in html and '<input type="submit"' not in html


# -- one write path: the import's notes, a sub-project's row on its pledge's page ---------


def test_an_imported_note_goes_through_the_service_with_user_reason_and_version(
    building, project_12_7, settings, tmp_path
):
    from tests.budgets.test_import_export import confirm

    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    figure = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2025")
    version = project_12_7.updated_at
    upload = xlsx_file([["12-7", "본사업", "집행금액", "계", "2025", figure.amount, "잠정치"]])
    response = confirm(building, dry_run(building, upload))
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.note == "잠정치"
    record = figure.history.latest()
    assert record.note == "잠정치" and record.amount == figure.amount
    assert record.history_user.username == "building"
    assert record.history_change_reason == "엑셀 가져오기 / import: figures.xlsx"
    project_12_7.refresh_from_db()
    assert project_12_7.updated_at > version  # an open grid is now stale
    assert project_12_7.history.latest().history_user.username == "building"


def _project_row(page, project):
    prefix = _inline_prefix(page, Project)
    formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Project
    )
    index = next(i for i, form in enumerate(formset.forms) if form.instance.pk == project.pk)
    return f"{prefix}-{index}"


def test_a_sub_project_renamed_on_a_stale_pledge_page_is_refused(building, project_12_7):
    pledge_url = reverse("admin:pledges_pledge_change", args=[project_12_7.pledge_id])
    project_url = reverse("admin:pledges_project_change", args=[project_12_7.pk])
    stale_page = building.get(pledge_url)
    stale = change_form_data(stale_page)
    row = _project_row(stale_page, project_12_7)
    # someone renames the sub-project on its own page meanwhile
    own = change_form_data(building.get(project_url))
    own["name"] = "본사업(변경)"
    assert building.post(project_url, own).status_code == 302
    # the pledge page opened before writes the sub-project's old name back: refused
    stale[f"{row}-name"] = "본사업(두 번째)"
    response = building.post(pledge_url, stale)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    project_12_7.refresh_from_db()
    assert project_12_7.name == "본사업(변경)"


def test_a_stale_sub_project_row_left_alone_neither_blocks_nor_overwrites(building, project_12_7):
    pledge_url = reverse("admin:pledges_pledge_change", args=[project_12_7.pledge_id])
    grid = reverse("admin:budgets_budgetfigure_grid", args=[project_12_7.pk])
    stale = change_form_data(building.get(pledge_url))
    grid_data = change_form_data(building.get(grid))
    grid_data["cell__executed__total__2025"] = "9462"
    assert building.post(grid, grid_data).status_code == 302  # moves the sub-project's version
    stale["target"] = "목표 문구 수정"
    response = building.post(pledge_url, stale)
    assert response.status_code == 302
    assert Pledge.objects.get(pk=project_12_7.pledge_id).target == "목표 문구 수정"
    assert (
        BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2025").amount
        == 9462
    )


@pytest.mark.parametrize(
    "values",
    [
        {"amount": -1},
        {"amount": 2**63},
        {"period": "2031"},
        {"period": "soon"},
        {"kind": "cost_current", "source": "city", "period": "total"},
        {"kind": "nonsense"},
        {"source": "nonsense"},
        {"note": "가" * 301},
        {"kind": "executed", "period": "prior"},
    ],
    ids=lambda v: "-".join(f"{k}={str(x)[:8]}" for k, x in v.items()),
)
def test_figure_check_refuses_what_full_clean_refuses_without_a_query(
    project_12_7, values, django_assert_num_queries
):
    from budgets.services import figure_check

    project = Project.objects.select_related("pledge__term").get(pk=project_12_7.pk)
    fields = {"kind": "executed", "source": "total", "period": "2025", "amount": 1, **values}
    figure = BudgetFigure(project=project, **fields)
    with pytest.raises(ValidationError) as full:
        figure.full_clean(exclude={"project"})
    with django_assert_num_queries(0), pytest.raises(ValidationError) as checked:
        figure_check(figure)
    assert sorted(checked.value.messages) == sorted(full.value.messages)


def test_an_import_writes_without_a_query_per_cell(project_12_7, django_assert_max_num_queries):
    from budgets.services import figures_import

    figures = list(BudgetFigure.objects.filter(project__pledge__code="12-7"))
    amounts: dict = {}
    for figure in figures:
        amounts.setdefault(figure.project_id, {})[(figure.kind, figure.source, figure.period)] = (
            figure.amount
        )  # unchanged: the secured ≤ current rule still holds
    cell = ("executed", "total", "2025")
    amounts[project_12_7.pk][cell] += 1
    amounts[project_12_7.pk][("executed", "total", "2026")] = 7
    assert len(figures) > 20
    user = make_user("importer")
    with django_assert_max_num_queries(20):
        changes = figures_import(amounts=amounts, notes={}, reason="test", user=user)
    assert len(changes) == 2
    created = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2026")
    assert created.amount == 7
    assert created.history.get().history_user == user
    assert Pledge.objects.get(code="12-7").executed_total is not None


def test_forged_many_to_many_ids_posted_with_a_pledge_are_ignored(client):
    """The card's officials and work-plan items change only through their own rows."""
    pledge = Pledge.objects.get(code="12-1")
    officials = set(pledge.officials.values_list("pk", flat=True))
    items = set(pledge.work_plan_items.values_list("pk", flat=True))
    foreign = Official.objects.filter(department__name="공공건축과").first()
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    data = change_form_data(client.get(url))
    data["officials"] = [str(foreign.pk)]
    data["work_plan_items"] = [str(pk) for pk in range(1, 30)]
    assert client.post(url, data).status_code == 302
    assert set(pledge.officials.values_list("pk", flat=True)) == officials
    assert set(pledge.work_plan_items.values_list("pk", flat=True)) == items
    assert not pledge.officials.filter(department__name="공공건축과").exists()
