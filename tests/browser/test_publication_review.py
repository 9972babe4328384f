"""The publication round in a real browser: the reviewer opens a round, the department
sees what to update and edits a figure, the reviewer reads the draft against the
published state and publishes it; citizens see it only then. Screenshots at 1366 px."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PASSWORD = "browser-pass-123"


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.fixture
def wide(browser, portal_url):
    """Pages 1366 px wide (the admin's usual screen), each with its own login."""
    contexts = []

    def open_page():
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, base_url=portal_url, locale="ko-KR"
        )
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on(
            "console",
            lambda m: page.csp_violations.append(m.text) if "Security Policy" in m.text else None,
        )
        page.foreign_requests = []
        page.on(
            "request",
            lambda r: (
                page.foreign_requests.append(r.url)
                if not r.url.startswith((portal_url, "data:", "blob:"))
                else None
            ),
        )
        return page

    ARTIFACTS.mkdir(exist_ok=True)
    yield open_page
    for context in contexts:
        context.close()


def public_executed_2025(page) -> int:
    """What the server answers an anonymous client now (not the browser's HTTP cache)."""
    card = page.request.get("/api/pledges/12-1/").json()
    return next(
        c["amount"]
        for c in card["figures"]
        if (c["table"], c["source"], c["period"]) == ("executed", "total", "2025")
    )


def test_reviewer_opens_a_round_staff_update_reviewer_publishes(wide):
    reviewer, staff, citizen = wide(), wide(), wide()

    # the reviewer opens the round
    log_in(reviewer, "browser-reviewer")
    reviewer.goto("/admin/publications/publicationround/add/")
    reviewer.select_option("#id_term", index=1)
    reviewer.fill("#id_name", "2026년 상반기 점검")
    reviewer.fill("#id_due_on", "2026-06-30")
    reviewer.click("input[name=_save]")
    reviewer.wait_for_url("**/admin/publications/publicationround/")

    # the department sees its pledge to update, then edits a figure in the grid
    log_in(staff, "browser-staff")
    home = staff.locator(".publication-home")
    assert "2026년 상반기 점검" in home.inner_text() and "12-1" in home.inner_text()
    assert "12-7" not in home.inner_text()
    staff.screenshot(path=ARTIFACTS / "admin-staff-home.png", full_page=True)
    staff.goto("/admin/pledges/project/?q=12-1")
    staff.locator("#result_list tbody th a").first.click()
    staff.get_by_role("link", name=re.compile("금액 표 편집")).click()
    staff.fill("input[name=cell__executed__total__2025]", "950")
    staff.fill("#id_change_reason", "2025 결산 반영")
    staff.click("input[type=submit].default")
    staff.wait_for_selector(".messagelist")
    staff.goto("/admin/")
    staff.get_by_role("button", name="검토 요청").click()  # our update is ready
    staff.wait_for_selector(".messagelist .success")
    assert "검토 대기" in staff.locator(".publication-home").inner_text()

    # a draft: citizens still see the publication
    assert public_executed_2025(citizen) == 900

    # the reviewer reads the queue and the draft, and publishes with a note
    reviewer.goto("/admin/publications/pledgereview/?status__exact=draft&draft=yes")
    assert reviewer.locator("#result_list tbody tr").count() == 1
    reviewer.screenshot(path=ARTIFACTS / "admin-review-queue.png", full_page=True)
    reviewer.locator("#result_list tbody a").first.click()
    draft = reviewer.locator("#review-draft").inner_text()
    assert "900" in draft and "950" in draft
    reviewer.screenshot(path=ARTIFACTS / "admin-review-pledge.png", full_page=True)
    reviewer.check("#id_decision_0")  # 공표
    reviewer.fill("#id_message", "2025 결산 반영")
    reviewer.click("input[name=_save]")
    reviewer.wait_for_selector(".messagelist")
    assert public_executed_2025(citizen) == 950

    reviewer.goto("/admin/")
    progress = reviewer.locator(".publication-home").inner_text()
    assert "민원여권과" in progress
    reviewer.screenshot(path=ARTIFACTS / "admin-reviewer-home.png", full_page=True)
    for page in (reviewer, staff, citizen):
        assert page.csp_violations == [] and page.foreign_requests == []
