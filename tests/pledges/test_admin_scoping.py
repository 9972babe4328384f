"""Department staff reach only their departments' records in the admin."""

import pytest
from django.urls import reverse

from budgets.models import BudgetFigure
from pledges.models import Pledge
from tests.factories import auditor, department_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(department_staff())  # 민원여권과: owns 12-1 only
    return client


def test_department_staff_see_only_their_departments_pledges(staff_client):
    response = staff_client.get(reverse("admin:pledges_pledge_changelist"))
    assert response.status_code == 200
    assert [p.code for p in response.context["cl"].result_list] == ["12-1"]


def test_department_staff_cannot_open_another_departments_pledge(staff_client):
    other = Pledge.objects.get(code="12-7")
    response = staff_client.get(reverse("admin:pledges_pledge_change", args=[other.pk]))
    assert response.status_code == 404  # outside the user's departments: not found


def test_department_staff_cannot_change_another_departments_figure_by_forged_post(staff_client):
    figure = BudgetFigure.objects.filter(project__pledge__code="12-7").first()
    url = reverse("admin:budgets_budgetfigure_change", args=[figure.pk])
    response = staff_client.post(
        url,
        {
            "project": figure.project_id,
            "kind": figure.kind,
            "source": figure.source,
            "period": figure.period,
            "amount": 1,
        },
    )
    assert response.status_code == 404  # outside the user's departments: not found
    figure.refresh_from_db()
    assert figure.amount != 1


def test_department_staff_can_open_their_own_pledge(staff_client):
    own = Pledge.objects.get(code="12-1")
    response = staff_client.get(reverse("admin:pledges_pledge_change", args=[own.pk]))
    assert response.status_code == 200


def test_auditor_sees_everything_and_can_change_nothing(client):
    client.force_login(auditor())
    response = client.get(reverse("admin:pledges_pledge_changelist"))
    assert len(response.context["cl"].result_list) == 6
    pledge = Pledge.objects.get(code="12-7")
    response = client.post(
        reverse("admin:pledges_pledge_change", args=[pledge.pk]), {"title": "changed"}
    )
    assert response.status_code == 403
    pledge.refresh_from_db()
    assert pledge.title == "운정3동 행정복지센터 조기 착공 추진"
