"""The pledge's stored money totals follow a sub-project's deletion (the pledges app
announces it with ``pledge_money_changed``; budgets refreshes the totals)."""

import pytest

from pledges.models import Pledge
from pledges.services import card_row_delete
from tests.factories import PledgeFactory, ProjectFactory, money_cells

pytestmark = pytest.mark.django_db


def test_deleting_a_sub_project_refreshes_the_pledges_money_totals():
    pledge = PledgeFactory(code="99-1")
    ProjectFactory(pledge=pledge, name="가", position=1, figures=money_cells(1))
    second = ProjectFactory(pledge=pledge, name="나", position=2, figures=money_cells(2))
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001 + 1002
    card_row_delete(obj=second, reason="삭제")
    assert Pledge.objects.get(pk=pledge.pk).current_total == 1001
