import os

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from budgets.finance import Finance
from budgets.models import BudgetFigure
from pledges.models import Pledge

# CI explores the same examples on every run (a red CI must be reproducible); local runs
# draw new ones each time.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the seed data of both source documents."""
    with django_db_blocker.unblock():
        call_command("load_initial_data", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Tests roll the database back, so the data version can repeat: start each cache empty."""
    from django.core.cache import cache

    cache.clear()


def finance_of(code: str, project: str | None = None) -> Finance:
    """The money of a pledge (rolled up) or of one of its sub-projects."""
    figures = BudgetFigure.objects.filter(project__pledge__code=code)
    if project:
        figures = figures.filter(project__name=project)
    return Finance.from_figures(figures)


@pytest.fixture
def pledge_12_1() -> Pledge:
    return Pledge.objects.get(code="12-1")


def pytest_addoption(parser):
    parser.addoption(
        "--multiserver",
        action="store_true",
        help="run only the tests that start two gunicorn servers on PostgreSQL and Redis",
    )


def pytest_collection_modifyitems(config, items):
    """Multi-server tests need PostgreSQL and Redis: run them alone, with --multiserver."""
    wanted = config.getoption("--multiserver")
    keep = [
        item for item in items if (item.get_closest_marker("multiserver") is not None) == wanted
    ]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"
