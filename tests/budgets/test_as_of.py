"""Figures can be read as they stood at any past moment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from budgets.finance import Finance, figures_as_of
from budgets.services import project_figures_update
from pledges.models import Project

pytestmark = pytest.mark.django_db


def test_figures_read_as_of_before_a_change_show_the_old_values():
    project = Project.objects.get(pledge__code="12-1")
    before = timezone.now()
    project_figures_update(
        project=project,
        cells={
            ("executed", "total", "2025"): 950,
            ("executed", "total", "2026"): 100,
            ("investment", "total", "prior"): None,  # nothing there: stays unpublished
        },
        reason="test",
    )
    now = Finance.from_figures(figures_as_of().filter(project=project))
    then = Finance.from_figures(figures_as_of(before).filter(project=project))
    assert now.get("executed", period="2025") == 950 and now.get("executed", period="2026") == 100
    assert then.get("executed", period="2025") == 900
    assert then.get("executed", period="2026") is None


def test_a_figure_deleted_later_is_back_when_read_as_of_before():
    project = Project.objects.get(pledge__code="12-3")
    before = timezone.now()
    project_figures_update(
        project=project,
        cells={("executed", "total", "2023"): None},
        reason="정정",
        allow_unpublish=True,
    )
    assert not figures_as_of().filter(project=project, kind="executed", period="2023").exists()
    old = figures_as_of(before).filter(project=project, kind="executed", period="2023")
    assert [f.amount for f in old] == [60]


def test_nothing_exists_before_the_seed_was_loaded():
    assert not figures_as_of(timezone.now() - timedelta(days=3650)).exists()
