"""The pledge's stored money totals follow its money, in the service that changes it.

Money leaves only through ``project_figures_update``, which refreshes the totals itself;
a sub-project that still has money cannot be deleted, so no delete elsewhere can leave
the totals stale (no signal to another app is needed)."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from budgets.services import project_figures_update
from pledges.models import Pledge, Project
from pledges.services import card_row_delete
from tests.factories import PledgeFactory, ProjectFactory, make_user, money_cells

pytestmark = pytest.mark.django_db


def _pledge_with_two_sub_projects():
    pledge = PledgeFactory(code="99-1")
    ProjectFactory(pledge=pledge, name="가", position=1, figures=money_cells(1))
    second = ProjectFactory(pledge=pledge, name="나", position=2, figures=money_cells(2))
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001 + 1002
    return pledge, second


def test_clearing_a_sub_projects_money_refreshes_the_totals_in_the_same_call():
    pledge, second = _pledge_with_two_sub_projects()
    project_figures_update(
        project=second,
        cells=dict.fromkeys(money_cells(2)),
        reason="사업 취소",
        allow_unpublish=True,
    )
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001


def test_a_sub_project_with_money_cannot_be_deleted_so_the_totals_stay_true():
    pledge, second = _pledge_with_two_sub_projects()
    with pytest.raises(ProtectedError):
        card_row_delete(obj=second, reason="삭제")
    assert Project.objects.filter(pk=second.pk).exists()
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001 + 1002


def test_a_sub_project_deleted_after_its_money_was_cleared_leaves_the_totals_true():
    pledge, second = _pledge_with_two_sub_projects()
    project_figures_update(
        project=second, cells=dict.fromkeys(money_cells(2)), reason="취소", allow_unpublish=True
    )
    card_row_delete(obj=second, reason="삭제")
    assert not Project.objects.filter(pk=second.pk).exists()
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001


def test_the_admin_lists_the_money_that_protects_a_sub_project_and_deletes_nothing(client):
    pledge, second = _pledge_with_two_sub_projects()
    client.force_login(make_user("root", superuser=True))
    url = reverse("admin:pledges_project_delete", args=[second.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200 and response.context["protected"]
    assert Project.objects.filter(pk=second.pk).exists()
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001 + 1002
