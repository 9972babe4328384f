"""Production hardening: deploy checks, headers, CSP, login throttling, CSRF, errors, logs."""

import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "pledges.example.kr",
    "DATABASE_URL": "postgres://paju:secret@db.internal:5432/paju",
}


def test_deploy_checks_pass_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **PRODUCTION_ENV},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/pledges/12-1/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_security_headers(client):
    response = client.get("/pledges/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_secure_and_http_only(client):
    make_user("officer1", superuser=True)
    page = client.get("/admin/login/", secure=True)
    assert page.cookies["csrftoken"]["secure"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "officer1", "password": "pw-for-tests-only"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]


def test_repeated_bad_passwords_lock_the_login_with_a_clear_message(client):
    make_user("officer2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "officer2", "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": "officer2", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 429
    assert "로그인이 잠시 잠겼습니다" in response.content.decode()
    assert "locked for 15 minutes" in response.content.decode()


def test_failed_logins_and_admin_writes_are_logged(client, caplog):
    make_user("officer3", superuser=True)
    with caplog.at_level(logging.INFO, logger="paju.audit"):
        client.post("/admin/login/", {"username": "officer3", "password": "wrong"})
        client.force_login(make_user("root", superuser=True))
        client.post("/admin/departments/bureau/add/", {"name": "기획조정실"})
    messages = [r.getMessage() for r in caplog.records if r.name == "paju.audit"]
    assert any("event=login_failed" in m and "officer3" in m for m in messages)
    assert any("event=admin_write action=add" in m and "기획조정실" in m for m in messages)


def test_csrf_is_enforced_on_admin_forms():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403
    client.force_login(make_user("root", superuser=True))
    response = client.post("/admin/departments/bureau/add/", {"name": "위조"})
    assert response.status_code == 403


def test_oversized_posts_are_refused(client):
    body = "a=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_server_errors_show_a_friendly_page_without_details(client, monkeypatch):
    from portal import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(selectors, "pledge_card", broken)
    client.raise_request_exception = False
    response = client.get("/pledges/12-1/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "일시적인 오류" in html and "Something went wrong" in html
    assert "secret internal detail" not in html and "Traceback" not in html


def test_health_endpoint_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
