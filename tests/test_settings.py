"""The settings module refuses to start in production without a secret key."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "paju_pledges.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_debug_off_without_a_secret_key_fails_with_a_clear_message():
    result = _start({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "is required when DJANGO_DEBUG is off" in result.stderr


def test_debug_off_with_a_secret_key_starts():
    result = _start({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_database_url_switches_to_postgresql():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE']); "
            "print(settings.DATABASES['default']['OPTIONS']['options'])",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "paju_pledges.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://u:p@localhost:5432/paju",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split("\n")[:2] == ["django.db.backends.postgresql", "-c jit=off"]


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit():
    """Short web queries must not pay JIT compilation (26 ms on a 5 ms query)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite has no JIT
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
