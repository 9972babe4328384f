"""A real portal server for browser tests: its own SQLite file, seeded, production settings.

Skipped with a reason when Debian's Chromium is not installed (CI installs it).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no browser at {CHROMIUM}: install it with `apt-get install -y chromium`"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("no browser")
    root = Path(__file__).resolve().parents[2]
    database = tmp_path_factory.mktemp("browser") / "portal.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "browser-tests-only"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    manage = [sys.executable, str(root / "manage.py")]
    create_admin = (
        "from django.contrib.auth import get_user_model;"
        "get_user_model().objects.create_superuser('browser', password='browser-pass-123')"
    )
    # a reviewer (공약 총괄) and a department staff of 민원여권과, for the publication flow
    create_roles = (
        "from tests.factories import make_user;"
        "from core.roles import REVIEWER_GROUP, STAFF_GROUP;"
        "[u.set_password('browser-pass-123') or u.save() for u in ("
        "make_user('browser-reviewer', group=REVIEWER_GROUP),"
        "make_user('browser-staff', group=STAFF_GROUP, departments=('민원여권과',)))]"
    )
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_initial_data", "-v0"],
        ["shell", "-v0", "-c", create_admin],
        ["shell", "-v0", "-c", create_roles],
    ):
        subprocess.run(manage + command, env=env, cwd=root, check=True)
    port = _free_port()
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("the portal server did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module: Playwright's sync API leaves its event loop marked
    as running in the main thread while it is open, which makes Django refuse new
    database connections (SynchronousOnlyOperation) in the tests that follow."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, portal_url):
    """A page that records every request to another host and every console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=portal_url)
    page = context.new_page()
    page.foreign_requests = []
    page.console_errors = []
    page.on(
        "request",
        lambda r: (
            page.foreign_requests.append(r.url)
            if not r.url.startswith((portal_url, "data:", "blob:"))
            else None
        ),
    )
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.csp_violations = []
    page.on(
        "console",
        lambda m: page.csp_violations.append(m.text) if "Security Policy" in m.text else None,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    context.close()
