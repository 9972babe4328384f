"""Issue 27, the presentation: what a citizen takes away is what the card says.

Every summary of a pledge states the page's measures (the 집행률 counting 기투자) with
추정 marked; charts and tables pair like with like; the printed card keeps its notes.
"""

import html
import re
from decimal import Decimal
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from django.core.cache import cache
from django.utils import translation

from budgets.finance import Finance
from budgets.models import FigureKind
from pledges.models import Pledge
from portal import charts, presenters, summaries

pytestmark = pytest.mark.django_db

SUMMARY_12_9 = (
    "파주시 공약 12-9 (공공건축과): 이행단계 완료 (추정), 총사업비 28,681백만원 중 "
    "28,681백만원 누적 집행(기투자 14,105백만원 포함), 집행률 100.0%."
)
SUMMARY_12_8 = (
    "파주시 공약 12-8 (공공건축과): 이행단계 완료 (추정), 총사업비 18,412백만원 중 "
    "19,640백만원 누적 집행(기투자 12,208백만원 포함), 집행률 106.7% "
    "(100 초과: 공표된 표끼리 맞지 않음)."
)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _meta(page: str, attribute: str, name: str) -> str:
    return re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', page).group(1)


# 1. One set of sentences ---------------------------------------------------------------


@pytest.mark.parametrize(("code", "summary"), [("12-9", SUMMARY_12_9), ("12-8", SUMMARY_12_8)])
def test_share_previews_state_the_pages_rate_and_mark_the_inferred_stage(client, code, summary):
    page = _page(client, f"/pledges/{code}/")
    assert _meta(page, "name", "description") == summary
    assert _meta(page, "property", "og:description") == summary
    assert f'<p class="pledge-summary">{summary}</p>' in page  # the page says it too
    assert "28,681백만원 중 14,576백만원 집행" not in page
    assert "18,412백만원 중 7,432백만원 집행" not in page


def test_api_list_detail_and_feed_carry_the_same_sentence(client):
    rows = {row["code"]: row for row in client.get("/api/pledges/").json()["results"]}
    assert rows["12-9"]["summary"] == SUMMARY_12_9
    assert rows["12-8"]["summary"] == SUMMARY_12_8
    assert client.get("/api/pledges/12-9/").json()["summary"] == SUMMARY_12_9
    feed = html.unescape(client.get("/feed/").content.decode())
    assert SUMMARY_12_9 in feed and SUMMARY_12_8 in feed


def test_list_card_states_cumulative_execution_and_the_same_rate(client):
    page = _page(client, "/pledges/")
    card = page[page.index('id="card-12-9"') :]
    card = card[: card.index("</article>")]
    assert "28,681 / 28,681" in card and "100.0%" in card and "(추정)" in card


def test_english_summary_is_english_with_the_same_measures(client):
    page = _page(client, "/en/pledges/12-8/")
    assert _meta(page, "property", "og:description") == (
        "Pledge 12-8 of Paju City (Public Architecture Division): stage Complete (inferred), "
        "cumulative execution 19,640 of the total cost 18,412 million won (prior investment "
        "12,208 included), execution rate 106.7% (over 100: the published tables disagree)."
    )


def _row(**values) -> SimpleNamespace:
    base = {
        "code": "1-1",
        "department": "민원여권과",
        "stage": "in_progress",
        "stage_provenance": "printed",
        "budget_type": "budget",
        "current_total": 1000,
        "executed_cumulative": 500,
        "prior_invested": None,
        "execution_rate": Decimal("50.0"),
    }
    return SimpleNamespace(**(base | values))


@translation.override("ko")
def test_a_stage_not_inferred_is_stated_without_the_mark():
    assert summaries.pledge_summary(_row()) == (
        "파주시 공약 1-1 (민원여권과): 이행단계 추진, 총사업비 1,000백만원 중 "
        "500백만원 누적 집행, 집행률 50.0%."
    )
    assert "(추정)" in summaries.pledge_summary(_row(stage_provenance="inferred"))


@translation.override("ko")
def test_non_budget_and_unpublished_money_say_so_or_nothing():
    assert summaries.pledge_summary(_row(budget_type="non_budget")).endswith(
        "이행단계 추진, 비예산 공약."
    )
    assert summaries.pledge_summary(_row(current_total=None)).endswith("이행단계 추진.")


# 2. Charts and tables pair like with like ---------------------------------------------


def _sections(client, code: str) -> list[dict]:
    cache.clear()  # the page cache answers a second request without a context
    return client.get(f"/pledges/{code}/").context["finance_sections"]


def test_12_9_draws_prior_investment_as_its_own_bar_and_fully_executed(client):
    section = _sections(client, "12-9")[0]
    rows = [(row["label"], row["plan"], row["executed"]) for row in section["plan_rows"]]
    assert rows == [
        ("기투자", 14105, 14105),
        ("2022", 4325, 4325),  # "~2022" 18,430 less the 기투자 it includes
        ("2023", 9651, 9651),
        ("2024", 600, 600),
    ]
    figure = section["chart"]
    go.Figure(figure)  # valid for plotly
    plan, executed = (trace["y"] for trace in figure["data"])
    assert plan == executed  # a fully paid building draws as fully executed
    assert sum(executed) == section["finance"].executed_cumulative == 28681


def test_rows_add_up_to_what_the_rate_counts():
    finance = Finance(
        {
            (FigureKind.IN_TERM_PLAN, "total", "~2022"): 14524,
            (FigureKind.EXECUTED, "total", "~2022"): 4467,
            (FigureKind.EXECUTED, "total", "total"): 4467,
            (FigureKind.INVESTMENT, "total", "prior"): 11178,
            (FigureKind.COST_CURRENT, "total", "total"): 14524,
        }
    )
    rows = charts.plan_vs_executed_rows(
        finance.row(FigureKind.IN_TERM_PLAN),
        finance.row(FigureKind.EXECUTED),
        finance.prior_invested,
    )
    assert sum(row["plan"] for row in rows) == finance.current_total
    assert sum(row["executed"] for row in rows) == finance.executed_cumulative == 15645


def test_without_prior_investment_the_running_total_keeps_its_printed_label():
    rows = charts.plan_vs_executed_rows({"~2022": 100, "2023": 50}, {"2022": 90})
    assert [row["label"] for row in rows] == ["~2022 / 2022", "2023"]


def test_12_8_shows_both_readings_and_says_which_the_rate_uses(client):
    page = _page(client, "/pledges/12-8/")
    assert "집행금액 표의 '~2022' 칸 7,432: 원문을 두 가지로 읽을 수 있습니다." in page
    assert (
        "2022년 임기내 집행으로 읽으면: 누적 집행 = 기투자 12,208 + 7,432 = 19,640, 집행률 "
        "106.7%. 이 페이지의 집행률과 그래프는 이 읽기를 씁니다."
    ) in page
    assert "누적 집행 7,432, 집행률 40.4%." in page
    reading = _sections(client, "12-8")[1]["readings"]  # 조리읍
    assert (reading["rate"], reading["other_rate"]) == (Decimal("107.7"), Decimal("30.8"))
    assert _sections(client, "12-9")[0]["readings"] is None  # "2022": nothing ambiguous


def test_the_published_totals_row_says_what_each_total_includes(client):
    page = _page(client, "/pledges/12-9/")
    foot = page[page.index("<tfoot>", page.index('id="table-plan-all"')) :]
    foot = re.sub(r"<[^>]+>", " ", foot[: foot.index("</tfoot>")])
    foot = " ".join(foot.split())
    assert foot == (
        "총사업비와 누적 집행 (집행률의 기준) 28,681 28,681 "
        "공표된 합계 28,681 기투자 포함 14,576 기투자 제외"
    )


@translation.override("ko")
def test_chart_values_and_unit_leave_room_for_each_other():
    figure = charts.planned_vs_executed(
        charts.plan_vs_executed_rows({"2023": 9651}, {"2023": 9651})
    )
    layout = figure["layout"]
    assert "title" not in layout["yaxis"]  # the unit sits in the title, not over the ticks
    assert layout["title"]["text"].endswith("(백만원)")
    assert layout["bargroupgap"] > 0
    assert all(trace["constraintext"] == "inside" for trace in figure["data"])


def test_printed_card_keeps_the_notes_at_8_pt_or_more(settings):
    css = (settings.BASE_DIR / "static/css/portal.css").read_text()
    start = css.index("@media print {\n  @page")
    block = css[start : css.index("\n}\n", start)]
    hidden = re.search(r"([^{}]*)\{ display: none !important; \}", block).group(1)
    for note in (".legend", ".definitions", ".source-notes", ".rate-basis", ".inferred-note"):
        assert note not in hidden
    for size in re.findall(r"font-size: ([0-9.]+)pt", block):
        assert Decimal(size) >= 8
    assert "html { font-size: 8pt; }" in block
    assert "font-size: max(8pt, 1em) !important" in block
    assert not re.search(r"font-size: \.[0-9]+r?em", block)


def test_printed_date_is_korean_time(settings):
    script = (settings.BASE_DIR / "static/js/print-date.js").read_text()
    assert 'timeZone: "Asia/Seoul"' in script


def test_every_finance_section_of_the_seed_has_rows_matching_its_rate(client):
    for pledge in Pledge.objects.exclude(budget_type="non_budget"):
        for section in _sections(client, pledge.code):
            finance = section["finance"]
            if finance.prior_invested and section["plan_total_has_prior"]:
                executed = sum(row["executed"] or 0 for row in section["plan_rows"])
                assert executed == finance.executed_cumulative, pledge.code
                assert presenters.executed_readings(finance) or "~" not in "".join(
                    finance.row(FigureKind.EXECUTED)
                )
