"""The factories make what production makes: sort keys, stored totals, history."""

from decimal import Decimal

import pytest

from pledges.models import Pledge
from tests.factories import FACTORY_REASON, PledgeFactory, ProjectFactory, make_pledges

pytestmark = pytest.mark.django_db


def test_a_factory_pledge_has_the_sort_key_save_derives():
    pledge = PledgeFactory(code="99-10")
    assert pledge.sort_key != "" and pledge.sort_key == Pledge.objects.get(code="99-10").sort_key
    assert PledgeFactory(code="99-9").sort_key < pledge.sort_key  # 9 before 10, not as text


def test_figures_refresh_the_pledges_stored_totals():
    (pledge,) = make_pledges(1)
    pledge.refresh_from_db()
    assert (pledge.current_total, pledge.secured_total, pledge.executed_total) == (1001, 900, 500)
    assert pledge.execution_rate == Decimal("50.0")  # 500 / 1,001 = 49.95 → 50.0


def test_factory_rows_are_in_the_change_history_with_a_reason():
    project = ProjectFactory(figures={("cost_current", "total", "total"): 7})
    record = project.figures.get().history.get()
    assert record.history_type == "+" and record.history_change_reason == FACTORY_REASON


def test_a_factory_refuses_what_production_refuses():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ProjectFactory(figures={("executed", "total", "2031"): 5})  # outside the term
