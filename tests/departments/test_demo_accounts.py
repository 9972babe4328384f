"""`make run PORT=… HOST=…`: the demo-account message names the address the server uses."""

import io
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_demo_account_message_names_the_host_and_port_asked_for(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_accounts", "--host", "0.0.0.0", "--port", "8001", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "Demo accounts (http://0.0.0.0:8001/admin/), passwords shown once:"
    )


def test_demo_account_message_defaults_to_loopback_8000(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert "(http://127.0.0.1:8000/admin/)" in out.getvalue()


def test_make_run_passes_port_and_host_to_the_server_and_the_message():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "create_demo_accounts --host 0.0.0.0 --port 8001" in dry_run
    assert "runserver 0.0.0.0:8001" in dry_run
