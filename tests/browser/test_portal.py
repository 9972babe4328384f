"""The portal in headless Chromium: navigation, language, charts, accessibility, weight."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/pledges/",
    "/pledges/12-1/",
    "/pledges/12-2/",
    "/pledges/12-8/",
    "/departments/",
    "/departments/공공건축과/",
    "/about/",
    "/pledges/12-4/",
    "/en/",
    "/en/pledges/",
    "/en/pledges/12-9/",
]
PAGE_WEIGHT_LIMIT = 600 * 1024


def test_list_filter_then_detail(page):
    page.goto("/pledges/")
    page.locator(".filter-more summary").click()  # the filters fold behind one button
    page.select_option("#id_department", "공공건축과")
    page.get_by_role("button", name="적용").click()
    page.wait_for_url("**/pledges/?*department=*")
    cards = page.locator(".pledge-card h2")
    assert cards.all_inner_texts() == [
        "운정3동 행정복지센터 조기 착공 추진",
        "조리읍·광탄면 행정복지센터 조기 증축 완료",
        "금촌 민·군 복합커뮤니티센터 조기 건립",
    ]
    page.screenshot(path=ARTIFACTS / "list-filtered.png", full_page=True)
    page.get_by_role("link", name="금촌 민·군 복합커뮤니티센터 조기 건립").click()
    assert page.locator("h1").inner_text() == "금촌 민·군 복합커뮤니티센터 조기 건립"
    assert "9,420" in page.locator("#finance-all").inner_text()
    page.screenshot(path=ARTIFACTS / "detail-12-9.png", full_page=True)
    assert page.foreign_requests == []


def test_switch_language_keeps_the_page(page):
    page.goto("/pledges/12-1/")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/pledges/12-1/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Implementation stage").is_visible()
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url("**/pledges/12-1/")
    assert page.locator("html").get_attribute("lang") == "ko"


def test_chart_renders_from_our_own_plotly(page):
    page.goto("/pledges/12-1/")
    chart = page.locator('[data-figure="figure-plan-all"]')
    chart.locator("svg.main-svg").first.wait_for()
    assert chart.locator(".bars path").count() >= 9  # 5 planned + 4 executed years
    chart.screenshot(path=ARTIFACTS / "chart-12-1.png")
    assert page.console_errors == []
    assert page.foreign_requests == []


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_has_no_accessibility_violations(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.foreign_requests == []


def test_pages_work_at_360_px(browser, portal_url):
    context = browser.new_context(viewport={"width": 360, "height": 800}, base_url=portal_url)
    page = context.new_page()
    page.goto("/pledges/12-8/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.screenshot(path=ARTIFACTS / "detail-12-8-360px.png", full_page=True)
    context.close()


def test_keyboard_reaches_the_skip_link_first(page):
    page.goto("/pledges/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pledge_page_first_view_weight(page):
    sizes = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    page.goto("/pledges/12-1/", wait_until="networkidle")
    transferred = page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(
               performance.getEntriesByType('resource'))
             .reduce((sum, e) => sum + e.transferSize, 0)"""
    )
    (ARTIFACTS / "page-weight.txt").write_text(
        f"pledge page first view: {transferred} bytes over the wire\n"
    )
    assert 0 < transferred <= PAGE_WEIGHT_LIMIT


@pytest.mark.parametrize("code", ["12-1", "12-2", "12-3", "12-7", "12-8", "12-9"])
def test_print_stylesheet_prints_a_pledge_card_with_its_notes_on_a_few_a4_pages(page, code):
    page.goto(f"/pledges/{code}/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (ARTIFACTS / f"print-{code}.pdf").write_bytes(pdf)
    # the notes that explain the figures print too, at 8 pt or more (issue 27): a card
    # is no longer squeezed onto one page
    assert 1 <= pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") <= 3


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_runs_under_the_content_security_policy(page, url):
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert page.csp_violations == []


ADMIN_PAGES = [
    "/admin/",
    "/admin/pledges/pledge/",
    "/admin/pledges/pledge/1/change/",
    "/admin/pledges/project/",
    "/admin/pledges/project/1/change/",
    "/admin/budgets/budgetfigure/grid/1/",
    "/admin/budgets/budgetfigure/findings/1/",
    "/admin/budgets/budgetfigure/",
    "/admin/budgets/budgetfigure/import/",
    "/admin/budgets/budgetfigure/export/",
    "/admin/pledges/pledge/1/history/",
    "/admin/audit-report/",
    "/admin/departments/workplanitem/",
]


def test_admin_pages_run_under_the_content_security_policy(page):
    page.goto("/admin/login/")
    page.fill("#id_username", "browser")
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for url in ADMIN_PAGES:
        response = page.goto(url, wait_until="networkidle")
        assert response.status == 200, url
        assert page.csp_violations == [], (url, page.csp_violations)
    page.goto("/admin/budgets/budgetfigure/grid/1/")
    page.screenshot(path=ARTIFACTS / "admin-project-grid.png", full_page=True)


# Reads, for every chart of the page, the bars plotly drew (category, value) per trace and
# the non-empty cells of the table the chart names (data-table), per data-series column.
# A chart lying down (the home page's departments) has its categories on the y axis, its
# values along the x axis and its head-room on the right; a category's line breaks read as
# spaces (the table's label).
CHART_AND_TABLE = """() => Array.from(document.querySelectorAll('.chart[data-figure]'))
.map(chart => {
  const horizontal = chart._fullData.some(trace => trace.orientation === 'h');
  const layout = chart._fullLayout;
  const categories = (horizontal ? layout.yaxis : layout.xaxis)._categories
    .map(c => String(c).replaceAll('<br>', ' '));
  const drawn = Array.from(chart.querySelectorAll('.trace.bars')).map(trace =>
    Array.from(trace.querySelectorAll('.point'))
      .filter(point => { const path = point.querySelector('path');
                         return path && path.getAttribute('d') !== 'M0,0Z'
                                && Number.isFinite(point.__data__.s); })
      .map(point => [categories[point.__data__.p], point.__data__.s]));
  const table = document.getElementById(chart.dataset.table);
  const headers = Array.from(table.querySelectorAll('thead th'));
  const given = headers.filter(th => th.dataset.series !== undefined).map(th => {
    const column = headers.indexOf(th);
    return Array.from(table.querySelectorAll('tbody tr')).map(row => {
      const cell = row.children[column];  // absent past a colspan ("해당 없음")
      const text = cell ? cell.textContent.trim() : '';
      return [row.children[0].textContent.trim(), text];
    }).filter(([, text]) => /^[0-9,]+$/.test(text))
      .map(([label, text]) => [label, Number(text.replaceAll(',', ''))]);
  });
  const title = chart.querySelector('.gtitle');
  const box = chart.getBoundingClientRect();
  const bars = Array.from(chart.querySelectorAll('.trace.bars .point path'))
    .map(path => path.getBoundingClientRect()).filter(r => r.height > 0 && r.width > 0);
  const headroom = horizontal
    ? layout._size.l + layout._size.w - Math.max(...bars.map(r => r.right - box.left))
    : Math.min(...bars.map(r => r.top - box.top)) - layout._size.t;
  const valueTicks = chart.querySelectorAll(horizontal ? '.xtick text' : '.ytick text');
  return {figure: chart.dataset.figure, drawn, given, categories, headroom, horizontal,
          title: title ? title.textContent : '',
          valueticks: Array.from(valueTicks).map(t => t.textContent)};
})"""


CHART_PAGES = ["/", "/en/"] + [
    f"{prefix}/pledges/{code}/"
    for code in ("12-1", "12-3", "12-7", "12-8", "12-9")
    for prefix in ("", "/en")
]


@pytest.mark.parametrize("url", CHART_PAGES)
def test_every_chart_draws_exactly_the_non_empty_values_its_table_gives(page, url):
    page.goto(url)
    expected_charts = page.locator(".chart[data-figure]").count()
    page.wait_for_function(
        f"document.querySelectorAll('.chart.is-drawn').length === {expected_charts}"
    )
    charts = page.evaluate(CHART_AND_TABLE)
    assert len(charts) == expected_charts >= 1
    for chart in charts:
        drawn = [sorted(map(tuple, trace)) for trace in chart["drawn"]]
        given = [sorted(map(tuple, series)) for series in chart["given"]]
        assert drawn == given, chart["figure"]
        labels = {label for series in given for label, _value in series}
        assert labels <= set(chart["categories"]), chart["figure"]  # no period dropped
        assert chart["title"], chart["figure"]  # every chart has a title
        assert chart["valueticks"], chart["figure"]
        assert not any(t.endswith("k") for t in chart["valueticks"]), chart["figure"]  # 8,000
        assert chart["headroom"] > 10, chart["figure"]  # no bar touches the top of the frame
    assert page.console_errors == []


def test_12_9_chart_draws_the_running_total_and_12_7_the_after_term_amount(page):
    page.goto("/pledges/12-9/")
    page.wait_for_selector('[data-figure="figure-plan-all"].is-drawn')
    chart = page.evaluate(CHART_AND_TABLE)[0]
    # 기투자 its own bar, taken out of the plan's "~2022" (18,430): fully paid, fully drawn
    assert chart["categories"] == ["기투자", "2022", "2023", "2024"]
    expected = [("기투자", 14105), ("2022", 4325), ("2023", 9651), ("2024", 600)]
    assert sorted(map(tuple, chart["drawn"][0])) == sorted(expected)
    assert sorted(map(tuple, chart["drawn"][1])) == sorted(expected)
    page.goto("/pledges/12-7/")
    page.wait_for_selector('[data-figure="figure-plan-all"].is-drawn')
    chart = page.evaluate(CHART_AND_TABLE)[0]
    assert chart["categories"][-1] == "임기후"
    assert ("임기후", 3425) in map(tuple, chart["drawn"][0])


CITIZEN_PAGES = ["/", "/pledges/", "/pledges/12-8/", "/departments/공공건축과/", "/glossary/"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_phone_list_shows_result_count_before_folded_filters(browser, portal_url, prefix):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=portal_url)
    page = context.new_page()
    page.goto(f"{prefix}/pledges/?q=민원")
    count = page.locator(".result-count")
    assert count.is_visible() and count.bounding_box()["y"] < 844
    assert not page.locator("#id_stage").is_visible()  # folded behind one button
    page.locator(".filter-more summary").click()
    assert page.locator("#id_stage").is_visible()
    assert page.locator(".search-match").first.is_visible()
    for target in page.locator(".filter-more summary, .search-row button").all():
        assert target.bounding_box()["height"] >= 44
    page.screenshot(path=ARTIFACTS / f"phone-search{prefix.replace('/', '-')}.png", full_page=True)
    context.close()


def test_phone_table_keeps_the_first_column_fixed_and_words_whole(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=portal_url)
    page = context.new_page()
    page.goto("/")
    first = page.locator("#departments-title ~ .table-wrap tbody th").first
    assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
    assert page.locator("body").evaluate("e => getComputedStyle(e).wordBreak") == "keep-all"
    # 공공건축과 stays on one line (the issue saw 공공/건축/과)
    assert first.locator("a").evaluate("e => e.getClientRects().length") == 1
    context.close()


def test_english_page_marks_korean_text_and_reads_english(page):
    page.goto("/en/")
    assert page.locator("h1").inner_text() == (
        "How far have the pledges of the 2022–2026 mayoral term (8th elected) come?"
    )
    page.goto("/en/pledges/12-1/")
    assert page.locator(".unofficial-note").is_visible()
    # The milestone's words are Korean data; its date reads in English.
    assert page.locator(".timeline-text").first.get_attribute("lang") == "ko"
    assert page.locator(".timeline-date").first.inner_text() == "July 2022 – September 2022"
    page.locator(".unofficial-note a").click()
    page.wait_for_url("**/pledges/12-1/")
    assert page.locator("h1").inner_text() == "원스톱 맞춤 행정서비스 체계 구축"


def test_glossary_link_from_a_money_word_lands_on_its_entry(page):
    page.goto("/")
    page.locator("a.term", has_text="확보").first.click()
    page.wait_for_url("**/glossary/#secured")
    assert page.locator("#secured").is_visible()


def test_printed_card_shows_url_and_print_date(page):
    page.goto("/pledges/12-1/")
    page.emulate_media(media="print")
    meta = page.locator(".print-meta")
    assert meta.is_visible()
    assert "/pledges/12-1/" in meta.inner_text() and "2026" in meta.inner_text()


@pytest.mark.parametrize("url", ["/glossary/", "/en/glossary/", "/en/departments/공공건축과/"])
def test_new_pages_have_no_accessibility_violations(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_screenshots_of_public_pages(browser, portal_url, width, prefix):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=portal_url)
    page = context.new_page()
    for url in CITIZEN_PAGES:
        response = page.goto(prefix + url)
        assert response.status == 200
        name = f"{width}{prefix.replace('/', '-')}{url.replace('/', '_')}.png"
        page.screenshot(path=ARTIFACTS / name, full_page=True)
    context.close()


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("", ["공공건축과", "민원여권과", "행정지원과"]),
        (
            "/en",
            [
                "Public Architecture Division",
                "Civil Petitions and Passports Division",
                "Administrative Support Division",
            ],
        ),
    ],
)
def test_phone_department_chart_lies_down_with_whole_names_and_full_numbers(
    browser, portal_url, prefix, names
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=portal_url)
    page = context.new_page()
    page.goto(f"{prefix}/")
    page.wait_for_selector('[data-figure="figure-departments"].is-drawn')
    chart = page.evaluate(CHART_AND_TABLE)[0]
    assert chart["horizontal"] and chart["categories"] == names
    assert "20,000" in chart["valueticks"]
    # Every drawn word of the chart stays inside the phone's screen.
    overflow = page.evaluate(
        """() => Array.from(document.querySelectorAll('#departments-title ~ .chart text'))
        .map(t => t.getBoundingClientRect()).filter(r => r.width > 0)
        .filter(r => r.left < 0 || r.right > 390).length"""
    )
    assert overflow == 0
    note = page.locator("#departments-title ~ .unofficial-note")
    assert note.count() == (1 if prefix else 0)
    if prefix:
        assert note.is_visible() and "unofficial translation" in note.inner_text()
    context.close()


# Every bar's written value, the value-axis tick labels and the title of each chart, as
# boxes on the screen: none may overlap another, nor leave the chart.
CHART_BOXES = """() => Array.from(document.querySelectorAll('.chart.is-drawn')).map(chart => {
  const boxes = selector => Array.from(chart.querySelectorAll(selector))
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
    .map(r => [r.left, r.top, r.right, r.bottom]);
  const frame = chart.getBoundingClientRect();
  return {figure: chart.dataset.figure, values: boxes('.bartext'),
          ticks: boxes('.ytick text'), title: boxes('.gtitle'),
          frame: [frame.left, frame.top, frame.right, frame.bottom]};
})"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/pledges/12-1/",
        "/pledges/12-7/",
        "/pledges/12-8/",
        "/pledges/12-9/",
        "/en/pledges/12-8/",
    ],
)
def test_phone_charts_write_values_and_titles_that_never_overlap(browser, portal_url, url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=portal_url)
    page = context.new_page()
    page.goto(url)
    count = page.locator(".chart[data-figure]").count()
    page.wait_for_function(f"document.querySelectorAll('.chart.is-drawn').length === {count}")
    for chart in page.evaluate(CHART_BOXES):
        values, ticks, title = chart["values"], chart["ticks"], chart["title"]
        assert values, chart["figure"]
        for n, box in enumerate(values):  # "9,6519,651" was two values run together
            assert not any(_overlap(box, other) for other in values[n + 1 :]), chart["figure"]
        for box in ticks + values:
            assert not any(_overlap(box, head) for head in title), chart["figure"]
        left, _top, right, _bottom = chart["frame"]
        assert all(box[0] >= left - 1 and box[2] <= right + 1 for box in title), chart["figure"]
    context.close()


def test_phone_pages_never_split_a_date_across_lines(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=portal_url)
    page = context.new_page()
    split = """() => { const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const date = /\\d{4}\\. ?\\d{1,2}\\.(?: ?\\d{1,2}\\.)?/g;
      let node;
      while ((node = walker.nextNode())) {
        if (!node.parentElement || !node.parentElement.offsetParent) continue;
        let m; date.lastIndex = 0;
        while ((m = date.exec(node.textContent))) {
          const range = document.createRange();
          range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
          const tops = new Set(Array.from(range.getClientRects())
            .filter(r => r.width > 0).map(r => Math.round(r.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      } return out; }"""
    for url in ["/", "/pledges/", "/about/", "/pledges/12-3/", "/pledges/12-7/", "/pledges/12-8/"]:
        page.goto(url)
        assert page.evaluate(split) == [], url
    context.close()
