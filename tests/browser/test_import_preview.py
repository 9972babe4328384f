"""The import preview in a real browser: changed rows first, unchanged folded, no CSP
violation, and the confirm form carries only a token."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

CSV = (
    "공약,세부사업,표,재원,기간,금액(백만원),비고\r"
    "12-7,본사업,집행금액,계,2024,4240,\r"
    "12-7,본사업,집행금액,계,2025,9500,\r"
).encode("utf-8-sig")


def test_the_import_preview_shows_old_to_new_first_and_folds_unchanged_rows(page):
    page.goto("/admin/login/")
    page.fill("#id_username", "browser")
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto("/admin/budgets/budgetfigure/import/")
    page.set_input_files(
        "#id_import_file", {"name": "figures.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector("#import-changed")
    changed = page.inner_text("#import-changed tbody")
    assert "9459 → 9500" in changed and "2025" in changed and "4240" not in changed
    assert not page.is_visible("#import-unchanged table")
    page.click("#import-unchanged summary")
    assert "4240" in page.inner_text("#import-unchanged table")
    hidden = page.locator("form[action$='process_import/'] input[type=hidden]").evaluate_all(
        "els => els.map(e => e.name)"
    )
    assert sorted(hidden) == ["csrfmiddlewaretoken", "import_token"]
    page.screenshot(path=ARTIFACTS / "admin-import-preview.png", full_page=True)
    assert page.csp_violations == []
