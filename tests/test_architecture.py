"""The apps depend one way: portal → publications → budgets → pledges → departments → core,
never back. core (the guarded admin, locking, record_save, the audit log) imports none of
our apps."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which of our apps each app may import (besides itself).
ALLOWED = {
    "core": set(),
    "departments": {"core"},
    "pledges": {"departments", "core"},
    "budgets": {"pledges", "departments", "core"},
    "publications": {"budgets", "pledges", "departments", "core"},
    "portal": {"publications", "budgets", "pledges", "departments", "core"},
}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_app_imports_only_the_apps_below_it(app):
    upward = {
        str(path.relative_to(ROOT)): sorted(_imported_apps(path) - ALLOWED[app] - {app})
        for path in sorted((ROOT / app).rglob("*.py"))
    }
    assert {path: apps for path, apps in upward.items() if apps} == {}
