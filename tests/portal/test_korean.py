"""Korean as a careful reader expects it: particles that agree with the word before them,
dates that do not split, times in Korean time, no retired or English wording on Korean
pages (issue 27, items 8–11)."""

import csv
import html
import io
import re

import pytest
from django.core.cache import cache

from departments.models import Department
from pledges.models import Pledge
from pledges.particles import disagreements, josa, particle, resolve
from portal.templatetags.portal import dates_kept, moment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("1,434", "이/가", "1,434가"),  # 천사백삼십사
        ("944", "이/가", "944가"),  # 구백사십사
        ("2023", "이/가", "2023이"),  # 삼
        ("10", "이/가", "10이"),  # 십
        ("100", "을/를", "100을"),  # 백
        ("1,000", "은/는", "1,000은"),  # 천
        ("20,000", "과/와", "20,000과"),  # 만
        ("106.7", "이/가", "106.7이"),  # 칠
        ("3.5", "이/가", "3.5가"),  # 오
        ("100.0%", "이/가", "100.0%가"),  # 퍼센트
        ("'…사업 추진'", "이/가", "'…사업 추진'이"),  # through the closing quote
        ("'…민간위탁'", "이/가", "'…민간위탁'이"),
        ("「제3기 주민자치회 출범」", "을/를", "「제3기 주민자치회 출범」을"),
        ("기투자(임기 전에 쓴 금액)", "은/는", "기투자(임기 전에 쓴 금액)는"),
        ("서울", "으로/로", "서울로"),  # ㄹ takes 로
        ("4,845", "으로/로", "4,845로"),
        ("18,000", "으로/로", "18,000으로"),
        ("2021", "으로/로", "2021로"),  # 일
        ("12-9", "이/가", "12-9가"),
        ("ABC", "이/가", "ABC이(가)"),  # reading unknown: both forms
    ],
)
def test_josa_picks_the_particle_from_the_last_syllable_read_aloud(word, pair, expected):
    assert josa(word, pair) == expected


def test_markers_in_a_formatted_sentence_are_resolved():
    assert resolve("집행 1,434(이)가 확보 944(이)가 많고 '… 추진'(이)가 앞서며 18,000(으)로") == (
        "집행 1,434가 확보 944가 많고 '… 추진'이 앞서며 18,000으로"
    )
    assert particle("x", "과/와") == "과(와)"


def test_the_checker_finds_particles_that_disagree():
    text = "집행 1,434이 많고 944가 맞고 '민간위탁'가 틀리고 기투자(임기 전)는 맞다."
    assert [found.split()[-1] for found in disagreements(text)] == ["1,434이", "'민간위탁'가"]
    assert disagreements("추출본에 '이 사람'") == []  # an opening quote is not a word's end


def test_josa_filter_renders_in_a_template():
    from django.template import Context, Template

    rendered = Template('{% load portal %}{{ n|josa:"이/가" }}').render(Context({"n": "944"}))
    assert rendered == "944가"


def _public_urls() -> list[str]:
    urls = ["/", "/pledges/", "/departments/", "/about/", "/glossary/", "/data-dictionary/"]
    urls += [f"/pledges/{code}/" for code in Pledge.objects.values_list("code", flat=True)]
    urls += [f"/departments/{name}/" for name in Department.objects.values_list("name", flat=True)]
    return urls


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = re.sub(
        r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S
    )
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_no_particle_on_any_public_page_disagrees_with_the_word_before_it(client):
    urls = _public_urls()
    assert len(urls) > 15
    for url in urls:
        assert disagreements(_text(client, url)) == [], url
    feed = html.unescape(client.get("/feed/").content.decode())
    assert disagreements(feed) == []


def test_notes_that_attach_particles_to_values_read_right(client):
    page = _text(client, "/pledges/12-1/")
    assert "2023 집행 1,434가" in page and "1,434이" not in page
    assert "민간위탁'이" in page and "민간위탁'가" not in page
    assert "사업 추진'이" in page and "사업 추진'가" not in page


HTML_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?)?)?$")


def test_time_elements_carry_valid_html_datetimes_in_korean_time(client):
    seen = 0
    for url in _public_urls():
        cache.clear()
        for value in re.findall(r'<time datetime="([^"]*)"', client.get(url).content.decode()):
            assert HTML_DATETIME.match(value), (url, value)  # no microseconds
            assert "T" not in value or value.endswith("+09:00"), (url, value)
            seen += 1
    assert seen > 10


def test_feed_times_are_korean_time_to_the_second(client):
    feed = client.get("/feed/").content.decode()
    stamps = re.findall(r"<published>([^<]+)</published>", feed)
    assert stamps and all(re.match(r"^[\d-]+T[\d:]+\+09:00$", stamp) for stamp in stamps)


def test_moment_filter_drops_microseconds_and_reads_seoul_time():
    from datetime import UTC, datetime

    assert moment(datetime(2026, 12, 7, 19, 56, 24, 540361, tzinfo=UTC)) == (
        "2026-12-08T04:56:24+09:00"
    )


def test_dates_in_text_are_kept_whole(settings):
    assert dates_kept("2024. 1. 직위 폐지 <b>") == (
        '<span class="date">2024. 1.</span> 직위 폐지 &lt;b&gt;'
    )
    css = (settings.BASE_DIR / "static/css/portal.css").read_text()
    assert "time, .date { white-space: nowrap; }" in css
    assert "word-break: keep-all" in css


def test_plan_headers_and_inference_reasons_keep_their_dates_whole(client):
    page = client.get("/pledges/12-7/").content.decode()
    assert '(<span class="date">2026. 3.</span>)' in page
    page = client.get("/pledges/12-3/").content.decode()
    assert '<span class="date">2024. 1.</span> 직위 폐지' in page


# 8. Department pages ------------------------------------------------------------------


def test_department_of_non_budget_pledges_reads_not_applicable_in_korean_only(client):
    page = _text(client, "/departments/자치협력과/")
    summary = page[page.index("공약 한눈에 보기") : page.index("이 부서의 공약")]
    assert summary.count("해당 없음") == 4
    assert "이 부서의 공약은 모두 비예산 공약이라 합할 금액이 없습니다." in page
    assert "백만원" not in summary and "–" not in summary
    assert "미공개" not in page
    main = page[page.index("공약 한눈에 보기") : page.index("연락처")]
    assert not re.search(r"[A-Za-z]{3,}", main.replace("SNS", "")), re.findall(r"[A-Za-z]+", main)
    assert "인쇄된 예산 없음" in page  # an item whose plan prints no budget
    assert "(업무의 한 항목이며, 업무 전체의 예산으로 적힌 금액이 아님)" in page


def test_department_outside_the_work_plans_bureau_says_so(client):
    page = _text(client, "/departments/공공건축과/")
    assert "주요업무가 공표되지 않았습니다" not in page
    assert (
        "포털이 가진 주요업무 추진계획은 행정안전국의 것뿐이고, 이 부서는 그 밖에 있어 "
        "주요업무가 실려 있지 않습니다."
    ) in page


def test_no_public_page_uses_the_retired_wording(client):
    for url in [*_public_urls(), "/feed/"]:
        assert "미공개" not in _text(client, url) if url != "/feed/" else True, url


def test_admin_grid_no_longer_calls_blanks_unpublished(admin_client):
    from budgets.models import BudgetFigure

    project_id = BudgetFigure.objects.values_list("project_id", flat=True).first()
    response = admin_client.get(f"/admin/budgets/budgetfigure/grid/{project_id}/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "'미공개'" not in page
    assert "공개 페이지에는 0이 아니라 '–'로 표시됩니다." in page


# 9 and 11. Home -----------------------------------------------------------------------


def test_home_vision_line_pairs_cumulative_execution_with_the_cumulative_rate(client):
    page = _text(client, "/")
    line = re.search(r"총사업비 [\d,]+ · [^·]+ · 집행률 [\d.]+%", page).group(0)
    assert line == "총사업비 69,103 · 누적 집행 66,382 백만원 · 집행률 96.1%"
    assert "39,734" not in line


def test_home_hero_says_the_six_are_six_of_chapter_12(client):
    page = _text(client, "/")
    hero = page[: page.index("비전별 공약")]
    assert "원문 자료에 실린 공약 6개" in hero
    assert "12장" in hero and "12-4~12-6은 이 장에 없어 싣지 않았습니다." in hero
    assert "공식 보고서에 실린 공약 6개" not in hero
    english = _text(client, "/en/")
    assert "Pledges 12-4 to 12-6 are not in this chapter" in english


def test_open_data_times_are_korean_time_to_the_second(client):
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$")
    rows = client.get("/api/pledges/").json()["results"]
    assert rows and all(stamp.match(row["updated_at"]) for row in rows)
    assert stamp.match(client.get("/api/pledges/12-1/").json()["updated_at"])
    body = b"".join(client.get("/api/pledges.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(stamp.match(row["updated_at"]) for row in rows)
