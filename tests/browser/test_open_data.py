"""Open data pages in headless Chromium: the API docs render from our files under the CSP."""

import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_every_endpoint_under_the_csp_from_our_own_files(page):
    page.goto("/api/docs/", wait_until="networkidle")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/pledges/{code}/" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) == 12  # every documented endpoint (the schema itself is not listed)
    assert page.csp_violations == []
    assert page.foreign_requests == []
    assert page.console_errors == []


def test_data_dictionary_and_past_figures_of_a_pledge(page):
    page.goto("/data-dictionary/", wait_until="networkidle")
    assert page.locator("h1").inner_text() == "데이터 사전"
    assert page.csp_violations == []
    page.goto("/pledges/12-1/")
    today = page.locator("#as-of").get_attribute("max")
    page.fill("#as-of", today)
    with page.expect_navigation():
        page.get_by_role("button", name="보기").click()
    assert f"as_of={today}" in page.url
    assert "변경 이력으로 다시 구성했습니다" in page.locator(".as-of-banner").inner_text()
    assert page.csp_violations == []
