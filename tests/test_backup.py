"""make backup / make restore round-trip the database, history included."""

import json
import os
import subprocess
import sys

from django.conf import settings

COMPARE = """
import json
from budgets.models import BudgetFigure
from pledges.models import Pledge
print(json.dumps({
    "figures": sorted(BudgetFigure.objects.values_list("pk", "project_id", "kind", "source",
                                                       "period", "amount")),
    "figure_history": sorted(BudgetFigure.history.values_list("history_id", "id", "amount",
                                                              "history_type")),
    "pledges": sorted(Pledge.objects.values_list("pk", "code", "stage", "executed_total")),
    "pledge_history": Pledge.history.count(),
}, default=str))
"""


def _run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def test_backup_restores_into_an_empty_database_with_every_figure_and_history(tmp_path):
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    source = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}"}
    target = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}"}
    _run(["migrate", "--noinput", "-v0"], source)
    _run(["load_initial_data", "-v0"], source)
    _run(
        [
            "shell",
            "-c",
            (
                "from budgets.services import project_figures_update;"
                "from pledges.models import Project;"
                "project_figures_update(project=Project.objects.get(pledge__code='12-1'),"
                "cells={('executed','total','2026'): 10}, reason='backup test')"
            ),
        ],
        source,
    )
    backup = tmp_path / "backup.json.gz"
    _run(
        [
            "dumpdata",
            "--natural-foreign",
            "--exclude",
            "contenttypes",
            "--exclude",
            "auth.permission",
            "--exclude",
            "sessions",
            "--exclude",
            "axes",
            "--output",
            str(backup),
        ],
        source,
    )
    _run(["migrate", "--noinput", "-v0"], target)
    _run(["loaddata", str(backup)], target)
    before = _run(["shell", "-v0", "-c", COMPARE], source).stdout
    after = _run(["shell", "-v0", "-c", COMPARE], target).stdout
    assert before == after
    restored = json.loads(after)
    assert any(row[2:] == ["executed", "total", "2026", 10] for row in restored["figures"])
    # One "+" per seeded pledge (the totals refresh writes no history); one "+" per figure.
    assert restored["pledge_history"] == 6
    assert len(restored["figures"]) > 0
    assert [row[3] for row in restored["figure_history"]] == ["+"] * len(restored["figures"])
