"""Two reviewers publishing the same draft at the same moment yield one publication.

Two real processes (two app workers) on one database, released together: the publish
service locks the pledges (``select_for_update`` on PostgreSQL; on SQLite the write
transaction is taken at BEGIN, ``transaction_mode=IMMEDIATE``), so the second finds the
pledge already published with nothing changed since and skips it. The database is the
suite's kind: a file on SQLite, a database of its own on the PostgreSQL server when the
suite runs there (CI's PostgreSQL pass).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from django.contrib.auth import get_user_model
from budgets.services import project_figures_update
from pledges.models import Project
from tests.factories import department_staff, reviewer
staff = department_staff("minwon", departments=("민원여권과",))
reviewer("reviewer-1"); reviewer("reviewer-2")
project = Project.objects.get(pledge__code="12-1")
project_figures_update(project=project, cells={("executed", "total", "2025"): 950},
                       reason="2025 결산 반영", user=staff)
"""

PUBLISH = """
import os, time
from pathlib import Path
from django.contrib.auth import get_user_model
from django.db import connection
from pledges.models import Pledge
from publications.services import publication_publish
who = get_user_model().objects.get(username=os.environ["REVIEWER"])
pledge = Pledge.objects.get(code="12-1")
connection.close()  # reconnect after the barrier: nothing read before it is reused
Path(os.environ["READY"]).touch()
while not Path(os.environ["GO"]).exists():
    time.sleep(0.002)
made = publication_publish(pledges=[pledge], by=who, note=os.environ["REVIEWER"])
print(len(made))
"""


@pytest.fixture
def database_url(tmp_path):
    """A fresh database of the suite's kind for the workers, dropped afterwards."""
    default = settings.DATABASES["default"]
    if "postgresql" not in default["ENGINE"]:
        yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"
        return
    import psycopg2

    name = f"paju_concurrent_{uuid.uuid4().hex[:8]}"
    server = {
        "host": default["HOST"] or "127.0.0.1",
        "port": default["PORT"] or 5432,
        "user": default["USER"],
        "password": default["PASSWORD"],
    }
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            f"postgres://{server['user']}:{server['password']}@{server['host']}:"
            f"{server['port']}/{name}"
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "concurrency-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def _manage(env, *args: str) -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_two_reviewers_publishing_the_same_draft_at_once_yield_one_publication(
    tmp_path, database_url
):
    env = _env(database_url)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_initial_data", "-v0")
    _manage(env, "shell", "-v0", "-c", SETUP)
    go = tmp_path / "go"
    workers = []
    for name in ("reviewer-1", "reviewer-2"):
        ready = tmp_path / f"{name}.ready"
        worker_env = {**env, "REVIEWER": name, "READY": str(ready), "GO": str(go)}
        workers.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c", PUBLISH],
                    env=worker_env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in workers):
        assert time.monotonic() < deadline, "the workers did not start"
        assert all(p.poll() is None for _, p in workers), [p.stderr.read() for _, p in workers]
        time.sleep(0.01)
    go.touch()  # both publish now
    results = []
    for _, process in workers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(out.strip())
    assert sorted(results) == ["0", "1"]
    counts = _manage(
        env,
        "shell",
        "-v0",
        "-c",
        "import json; from publications.models import Publication;"
        "rows = Publication.objects.filter(pledge__code='12-1').order_by('published_at');"
        "print(json.dumps([[p.kind, p.note, [[c['old'], c['new']] for c in p.changes]]"
        " for p in rows], ensure_ascii=False))",
    )
    seed, published = json.loads(counts)
    assert seed == ["seed", "2026. 1. 현재 공표 자료", []]
    assert published[0] == "regular" and published[1] in ("reviewer-1", "reviewer-2")
    assert published[2] == [[900, 950]]


SLOW_SAVE = """
import os, time
from pathlib import Path
from django.db import transaction
from departments.models import Official
from departments.services import official_save
official = Official.objects.filter(pledgeofficial__pledge__code="12-1", role="officer").first()
with transaction.atomic():
    official.phone = "031-940-9999"
    official_save(official=official, reason="연락처 변경")
    Path(os.environ["SAVED"]).touch()  # written, not committed: the reviewer publishes now
    time.sleep(3)
print(official.pk)
"""

PUBLISH_AFTER_SAVE = """
import os, time
from pathlib import Path
from django.contrib.auth import get_user_model
from pledges.models import Pledge
from publications.services import publication_publish
who = get_user_model().objects.get(username="reviewer-1")
pledge = Pledge.objects.get(code="12-1")
while not Path(os.environ["SAVED"]).exists():
    time.sleep(0.002)
print(len(publication_publish(pledges=[pledge], by=who)))
"""

READ_BACK = """
import json
from publications.changes import card_diff
from publications.models import Publication
rows = list(Publication.objects.filter(code="12-1").order_by("published_at"))
standing = rows[-1]
phones = [link["official"]["phone"] for link in standing.card["officials"]]
print(json.dumps({
    "phones": phones,
    "lines": [[c["kind"], c["old"], c["new"]] for c in standing.changes],
    "diff_matches": standing.changes == card_diff(rows[-2].card, standing.card),
}, ensure_ascii=False))
"""


def test_a_staff_save_committing_during_a_publication_is_never_published_unlisted(
    tmp_path, database_url
):
    """The official's phone is saved in a transaction that commits 3 s later; the reviewer
    publishes 12-1's figure draft meanwhile. Whatever the order the database gives them,
    the public card shows the new phone only if the publication lists that change, and
    the publication's lines are exactly the difference of its snapshot from the last."""
    env = _env(database_url)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_initial_data", "-v0")
    _manage(env, "shell", "-v0", "-c", SETUP)
    saved = tmp_path / "saved"
    worker_env = {**env, "SAVED": str(saved)}
    staff = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c", SLOW_SAVE],
        env=worker_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    publisher = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c", PUBLISH_AFTER_SAVE],
        env=worker_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for process in (staff, publisher):
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    found = json.loads(_manage(env, "shell", "-v0", "-c", READ_BACK))
    assert found["diff_matches"]
    assert [900, 950] in [line[1:] for line in found["lines"]]  # the reviewed figure
    phone_listed = any("031-940-9999" in str(line[2]) for line in found["lines"])
    assert ("031-940-9999" in found["phones"]) == phone_listed
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        # the publication locked the pledge and read before the save committed: a draft
        assert "031-940-9999" not in found["phones"]
