"""What a citizen reads: stated meanings, plain empties, planned milestones, inferred stages,
source inconsistencies and sources, in the page, the open data and the feed."""

import csv
import html
import io
import re

import pytest

pytestmark = pytest.mark.django_db

PLEDGES = ["12-1", "12-2", "12-3", "12-7", "12-8", "12-9"]


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_api_list_gives_both_rates_prior_cumulative_and_inferred_stage(client):
    data = client.get("/api/pledges/").json()
    rows = {row["code"]: row for row in data["results"]}
    assert (rows["12-9"]["executed_total"], rows["12-9"]["prior_invested"]) == (14576, 14105)
    assert rows["12-9"]["executed_cumulative"] == 28681
    assert rows["12-9"]["execution_rate"] == 100.0
    assert rows["12-8"]["execution_rate"] == 106.7  # carried, not capped
    assert rows["12-1"]["execution_rate_in_term"] == 101.9
    assert all(row["stage_inferred"] is True for row in rows.values())
    assert set(data["definitions"]) == {
        "executed_cumulative",
        "execution_rate",
        "execution_rate_in_term",
    }
    assert data["definitions"]["execution_rate"].startswith("집행률 = 누적 집행")


def test_api_detail_finance_states_its_meaning_and_milestones_their_status(client):
    data = client.get("/api/pledges/12-7/").json()
    finance = data["finance"]
    assert finance["executed_total"] == 14575 and finance["prior_invested"] == 335
    assert finance["executed_cumulative"] == 14910
    assert (finance["execution_rate"], finance["execution_rate_in_term"]) == (82.8, 100.0)
    assert finance["definitions"]["execution_rate_in_term"].startswith("임기내 집행률")
    statuses = {m["date"]: m["status"] for m in data["milestones"]}
    assert statuses["2026. 3."] == "planned"  # 공사 준공 및 개청: after the as-of date
    assert statuses["2024. 5."] == "done"
    assert data["stage_inferred"] is True
    assert data["as_of_precision"] is None  # the card prints no as-of date
    one = client.get("/api/pledges/12-1/").json()
    assert (one["as_of_precision"], one["as_of_printed"]) == ("month", "2026. 1.")
    assert {m["date"]: m["status"] for m in one["milestones"]}["2024. 1. ~"] == "ongoing"


def test_api_detail_sub_projects_have_their_own_rates(client):
    projects = {
        p["name"]: p["finance"] for p in client.get("/api/pledges/12-8/").json()["projects"]
    }
    assert projects["조리읍 행정복지센터"]["execution_rate"] == 107.7
    assert projects["광탄면 행정복지센터"]["executed_cumulative"] == 3995


def test_csv_marks_every_stage_as_inferred_and_has_the_new_money_columns(client):
    body = b"".join(client.get("/api/pledges.csv").streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {row["stage_inferred"] for row in rows} == {
        "true"
    }  # one boolean spelling in every open-data CSV
    row = next(r for r in rows if r["code"] == "12-9")
    assert (row["prior_invested"], row["executed_cumulative"], row["execution_rate"]) == (
        "14105",
        "28681",
        "100.0",
    )


def test_feed_marks_inferred_stages(client):
    body = client.get("/feed/").content.decode()
    titles = re.findall(r"<entry><title>([^<]+)</title>", body)
    assert len(titles) == 6 and all("완료 (추정)" in title for title in titles)  # all inferred


def test_home_counts_say_how_many_stages_are_inferred(client):
    html = _html(client, "/")
    assert "6건 추정" in html  # all six 완료 are inferred
    assert "누적 집행" in html and "집행률 = 누적 집행" in html


def test_no_public_page_says_not_published_as_if_concealed(client):
    pages = ["/", "/pledges/", "/departments/", "/departments/공공건축과/", "/about/"]
    pages += [f"/pledges/{code}/" for code in PLEDGES]
    for url in pages:
        html = _html(client, url)
        assert "미공개" not in html, url
    assert "원문 문서에 없음" in _html(client, "/departments/")  # 공공건축과's bureau


def test_pledge_pages_name_the_document_not_files_or_line_numbers(client):
    for code in PLEDGES:
        html = _html(client, f"/pledges/{code}/")
        assert "자료 근거" in html, code
        assert "민선8기 공약 이행 현황" in html, code
        assert ".txt" not in html, code
        assert not re.search(r"\blines? \d", html), code
        assert "(the " not in html and "extraction ends" not in html, code
        assert "추출되지 않음)" not in html, code


def test_each_rate_has_its_definition_next_to_it(client):
    html = _html(client, "/pledges/12-9/")
    assert "집행률 = 누적 집행(기투자 + 임기내 집행) ÷ 현재 총사업비" in html
    assert "임기내 집행률 = 임기내 집행 ÷ 임기내 계획" in html
    assert "이 표에서는 2025년까지: 계획 14,576, 집행 14,576." in html
    english = _html(client, "/en/pledges/12-9/")
    assert "Execution rate = cumulative execution" in english


def test_12_7_2026_milestone_is_shown_as_planned(client):
    html = _html(client, "/pledges/12-7/")
    item = re.search(r'<li class="milestone-planned">(.*?)</li>', html, re.S)
    assert item and "공사 준공 및 개청" in item.group(1) and "예정" in item.group(1)
    assert html.count('class="milestone-planned"') == 1


def test_source_inconsistencies_stand_beside_the_tables_they_concern(client):
    html = _html(client, "/pledges/12-7/")
    notes = re.findall(r'<div class="source-notes".*?</ul>', html, re.S)
    assert len(notes) == 1 and "원문 불일치" in notes[0]
    assert "2025 집행 9,459가 같은 해 연도별 투자계획 5,250보다 많습니다." in notes[0]
    assert "임기후 3,425" in notes[0]
    one = _html(client, "/pledges/12-1/")
    assert "상담 인력: 카드 본문은 14명, 함께 실린 보도 기사는 15명." in one
    assert "평일 상담 종료 시각: 카드 본문은 19시, 함께 실린 보도 기사는 18시." in one
    eight = _html(client, "/pledges/12-8/")
    assert "누적 집행 15,645가 현재 총사업비 14,524보다 많습니다(집행률 107.7%)" in eight
    assert (
        "'2022. 12. 시설개선 공사'의 날짜가 사업기간(2021. 1. ~ 2022. 8.) 종료 뒤입니다." in eight
    )


def test_as_of_date_is_shown_only_as_precisely_as_printed(client):
    assert "2026. 1.</time> (카드에 인쇄된 기준)" in _html(client, "/pledges/12-1/")
    assert "2025. 12. 31.</time> (카드에 인쇄된 기준)" in _html(client, "/pledges/12-2/")
    nine = _html(client, "/pledges/12-9/")
    assert "카드에 기준일이 인쇄되어 있지 않습니다" in nine and "2026. 1. 31" not in nine


def test_a_single_funding_source_is_a_sentence_not_a_one_bar_chart(client):
    html = _html(client, "/pledges/12-1/")
    assert "확보금액 3,920백만원은 모두 시비입니다." in html
    assert "figure-secured-" not in html


def test_12_2_progress_is_under_milestones_in_printed_order(client):
    html = _html(client, "/pledges/12-2/")
    section = html[html.index('id="timeline-title"') :]
    assert "카드에 추진현황이 인쇄되어 있지 않습니다" not in html
    table = section[section.index("명예시장 위촉") : section.index("</table>")]
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
    assert headers[1:8] == ["계", "농업", "문화", "복지", "교육", "기술", "학생"]
    rows = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert rows == ["계", "2023", "2024", "2025"]
    assert "명예시장 간담회 (회)</strong>: 5" in section
    money = html[html.index('id="money-title"') : html.index('id="timeline-title"')]
    assert "명예시장" not in money


def test_official_badges_say_what_happened(client):
    two = _html(client, "/pledges/12-2/")
    assert two.count('class="badge badge-damaged">판독 불가(추출 손상)') == 2
    assert "(이름 판독 불가: 추출 손상)" in two
    seven = _html(client, "/pledges/12-7/")
    assert seven.count('class="badge badge-recovered">복원') == 3
    eight = _html(client, "/pledges/12-8/")
    assert eight.count('class="badge badge-inferred">추정') >= 4


def test_non_budget_money_is_not_applicable_not_blank(client):
    home = _html(client, "/")
    row = re.search(r"자치협력과(?:</span>)?</a></th>(.*?)</tr>", home, re.S)
    assert row and "해당 없음(비예산 공약)" in row.group(1) and "–" not in row.group(1)
    department = _html(client, "/departments/자치협력과/")
    assert "해당 없음(비예산 공약)" in department
