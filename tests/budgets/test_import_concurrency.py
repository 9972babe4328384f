"""A long import never makes another request fail with "database is locked" (SQLite).

Two real connections to a SQLite file, configured with the project's ``SQLITE_OPTIONS``:
one holds the write transaction an import's confirm holds, the others do what a login
and a page do meanwhile (write a session row, read).
"""

import sqlite3
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

HOLD_SECONDS = 1.0


@pytest.fixture
def probe_database(tmp_path, django_db_blocker):
    """SQLite files reachable as connection aliases "probe_…", with the given options.

    Not the test database: these connections are real, shared by threads, and committed.
    """
    added = []
    django_db_blocker.unblock()

    def configure(options):
        alias = f"probe_{uuid.uuid4().hex[:8]}"
        connections.settings[alias] = {
            **connections["default"].settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / f"{alias}.sqlite3"),
            "OPTIONS": dict(options),
            "CONN_MAX_AGE": 0,
            "TEST": {},
        }
        added.append(alias)
        with transaction.atomic(using=alias):
            connections[alias].cursor().execute(
                "CREATE TABLE session (key TEXT PRIMARY KEY, data TEXT)"
            )
        return alias

    yield configure
    for alias in added:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
    django_db_blocker.restore()


def import_holding_the_write_lock(alias, locked, failures):
    """What the confirm step does: one atomic block of writes that takes a while."""
    try:
        with transaction.atomic(using=alias):
            connections[alias].cursor().execute("INSERT INTO session VALUES ('import', 'x')")
            locked.set()
            time.sleep(HOLD_SECONDS)
    except Exception as error:  # reported to the main thread
        failures.append(error)
    finally:
        connections[alias].close()


def during_an_import(alias):
    locked, failures = threading.Event(), []
    worker = threading.Thread(target=import_holding_the_write_lock, args=(alias, locked, failures))
    worker.start()
    assert locked.wait(5)
    return worker, failures


def test_the_project_uses_wal_immediate_transactions_and_a_busy_timeout(probe_database):
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 10
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert settings.DATABASES["default"]["OPTIONS"] == settings.SQLITE_OPTIONS
    alias = probe_database(settings.SQLITE_OPTIONS)
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == settings.SQLITE_OPTIONS["timeout"] * 1000


def test_a_login_and_a_page_during_a_long_import_wait_instead_of_failing(probe_database):
    alias = probe_database(settings.SQLITE_OPTIONS)
    worker, failures = during_an_import(alias)
    try:
        started = time.monotonic()
        with connections[alias].cursor() as cursor:  # a page: reads at once (WAL)
            cursor.execute("SELECT count(*) FROM session")
            assert cursor.fetchone()[0] == 0  # the import's uncommitted row is not seen
        assert time.monotonic() - started < HOLD_SECONDS / 2
        with transaction.atomic(using=alias):  # a login: writes its session row
            connections[alias].cursor().execute("INSERT INTO session VALUES ('login', 'y')")
        assert time.monotonic() - started >= HOLD_SECONDS * 0.8  # it waited for the import
    finally:
        worker.join()
        connections[alias].close()
    assert failures == []
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT key FROM session ORDER BY key")
        assert [row[0] for row in cursor.fetchall()] == ["import", "login"]


def test_without_the_busy_timeout_the_same_login_fails(probe_database):
    """The control: SQLite's defaults give the 500 the issue saw."""
    alias = probe_database({"timeout": 0})
    worker, failures = during_an_import(alias)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            with transaction.atomic(using=alias):
                connections[alias].cursor().execute("INSERT INTO session VALUES ('login', 'y')")
    finally:
        worker.join()
        connections[alias].close()
    assert failures == []
    assert sqlite3.sqlite_version_info >= (3, 7, 0)
