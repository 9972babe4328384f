"""Department staff update a sub-project's figures in a grid laid out like the card."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from budgets.models import BudgetFigure
from pledges.models import Project
from tests.admin_forms import change_form_data
from tests.factories import department_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_12_7():
    return Project.objects.get(pledge__code="12-7")


@pytest.fixture
def building_staff(client):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    return client


def _url(project):
    return reverse("admin:budgets_budgetfigure_grid", args=[project.pk])


def test_grid_shows_every_printed_cell_with_its_value(building_staff, project_12_7):
    response = building_staff.get(_url(project_12_7))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["cell__executed__total__2025"].value() == 9459
    assert form["cell__investment__special_grant__2025"].value() == 800
    assert form["cell__executed__total__2026"].value() is None  # printed "-"
    html = response.content.decode()
    assert "연도별 투자계획" in html and "특조비" in html


def test_staff_saves_this_quarters_execution_and_history_records_it(building_staff, project_12_7):
    page = building_staff.get(_url(project_12_7))
    data = change_form_data(page)
    data["cell__executed__total__2026"] = "1200"
    data["cell__executed__total__total"] = "15775"
    data["change_reason"] = "2026년 1분기 집행실적"
    response = building_staff.post(_url(project_12_7), data)
    assert response.status_code == 302, response.context["form"].errors
    figure = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2026")
    assert figure.amount == 1200
    record = figure.history.latest()
    assert record.history_user.username == "building"
    assert record.history_change_reason == "2026년 1분기 집행실적"
    total = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="total")
    assert total.history.latest().prev_record.amount == 14575


def test_negative_and_fractional_amounts_are_refused_and_nothing_is_written(
    building_staff, project_12_7
):
    data = change_form_data(building_staff.get(_url(project_12_7)))
    data["cell__executed__total__2026"] = "-5"
    data["cell__executed__total__2025"] = "12.5"
    data["cell__executed__total__total"] = "1"
    response = building_staff.post(_url(project_12_7), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "cell__executed__total__2026" in errors and "cell__executed__total__2025" in errors
    assert (
        BudgetFigure.objects.get(project=project_12_7, kind="executed", period="total").amount
        == 14575
    )


def test_secured_above_current_total_is_refused(building_staff, project_12_7):
    data = change_form_data(building_staff.get(_url(project_12_7)))
    data["cell__secured__total__total"] = "18001"
    response = building_staff.post(_url(project_12_7), data)
    assert response.status_code == 200
    message = str(response.context["form"].errors["cell__secured__total__total"])
    assert "총사업비 현재계획" in message and "보다 큽니다" in message


def test_staff_cannot_blank_a_published_figure(building_staff, project_12_7):
    data = change_form_data(building_staff.get(_url(project_12_7)))
    data["cell__executed__total__2025"] = ""
    response = building_staff.post(_url(project_12_7), data)
    assert response.status_code == 200
    assert "지울 수 없습니다" in str(response.context["form"].errors)
    assert BudgetFigure.objects.filter(
        project=project_12_7, period="2025", kind="executed"
    ).exists()


def test_implausible_figures_save_with_a_warning(building_staff, project_12_7):
    data = change_form_data(building_staff.get(_url(project_12_7)))
    data["cell__executed__total__2024"] = "5000"  # plan 4,240; total no longer adds up
    response = building_staff.post(_url(project_12_7), data)
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("2024" in w and "above its plan" in w for w in warnings)
    assert any("집행금액" in w and "add up" in w for w in warnings)


def test_a_later_save_of_a_stale_form_is_refused(client, project_12_7):
    first = department_staff("first", departments=("공공건축과",))
    second = department_staff("second", departments=("공공건축과",))
    client.force_login(first)
    first_data = change_form_data(client.get(_url(project_12_7)))
    client.force_login(second)
    second_data = change_form_data(client.get(_url(project_12_7)))
    second_data["cell__executed__total__2026"] = "300"
    assert client.post(_url(project_12_7), second_data).status_code == 302
    client.force_login(first)
    first_data["cell__executed__total__2026"] = "999"
    response = client.post(_url(project_12_7), first_data)
    assert response.status_code == 200
    assert "이 화면을 연 뒤에 이 기록을 바꿨습니다" in response.content.decode()
    figure = BudgetFigure.objects.get(project=project_12_7, kind="executed", period="2026")
    assert figure.amount == 300


def test_staff_of_another_department_cannot_open_or_post_the_grid(client, project_12_7):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    response = client.get(_url(project_12_7))
    assert response.status_code == 404  # outside the user's departments: not found
    response = client.post(_url(project_12_7), {"cell__executed__total__2026": "1"})
    assert response.status_code == 404  # outside the user's departments: not found
    assert not BudgetFigure.objects.filter(
        project=project_12_7, kind="executed", period="2026"
    ).exists()


def test_stored_pledge_totals_follow_every_write_of_figures(building_staff, project_12_7):
    from pledges.models import Pledge

    data = change_form_data(building_staff.get(_url(project_12_7)))
    data["cell__executed__total__total"] = "15000"
    assert building_staff.post(_url(project_12_7), data).status_code == 302
    pledge = Pledge.objects.get(code="12-7")
    # cumulative: (기투자 335 + 15,000) / 18,000
    assert (pledge.executed_cumulative, str(pledge.execution_rate)) == (15335, "85.2")
    figure = BudgetFigure.objects.get(project=project_12_7, kind="cost_current")
    url = f"/admin/budgets/budgetfigure/{figure.pk}/change/"
    page = building_staff.get(url)
    form = change_form_data(page)
    form["amount"] = "20000"
    assert building_staff.post(url, form).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.current_total, str(pledge.execution_rate)) == (20000, "76.7")
