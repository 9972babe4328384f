import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
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


class SeedCopy:
    """A copy of ``fixtures/`` in a temporary folder, to edit and load."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def edit(self, path: str, old: str, new: str, count: int = -1) -> "SeedCopy":
        """Replace ``old`` by ``new`` in one fixture file; ``old`` must be there."""
        file = self.folder / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}"
        file.write_text(text.replace(old, new, count), encoding="utf-8")
        return self

    def load(self) -> None:
        call_command("load_initial_data", fixtures=str(self.folder), verbosity=0)


@pytest.fixture
def seed_copy(tmp_path, settings) -> SeedCopy:
    """An edited copy of the seed fixtures: ``seed_copy.edit(...).load()``."""
    shutil.copytree(settings.BASE_DIR / "fixtures", tmp_path / "fixtures")
    return SeedCopy(tmp_path / "fixtures")


@pytest.fixture(scope="class")
def hundreds_of_pledges(django_db_setup, django_db_blocker) -> None:
    """210 more pledges ("99-1"…), made once for a test class through the factories and
    published.

    They go through the services and ``save()`` as production writes (about 17 s), so a
    class of tests shares them; the outer transaction is rolled back after the class.
    """
    from pledges.models import Pledge
    from publications.services import publication_seed
    from tests.factories import make_pledges

    with django_db_blocker.unblock(), transaction.atomic():
        make_pledges(210)
        # Published like the seed, so the public pages list them.
        publication_seed(pledges=Pledge.objects.values_list("pk", flat=True))
        yield
        transaction.set_rollback(True)


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
