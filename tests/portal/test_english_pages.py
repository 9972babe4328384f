"""English pages read English: labels in one language, Korean left only where it is data
or a document's title, and then marked lang="ko"."""

import html

import pytest

pytestmark = pytest.mark.django_db


def test_the_source_note_of_a_pledge_page_is_labelled_in_one_language(client):
    english = client.get("/en/pledges/12-1/").content.decode()
    assert "<summary>Source of this page</summary>" in english
    assert (
        'Paju City, “<span lang="ko">민선8기 공약 이행 현황</span>”, chapter 12 '
        '“<span lang="ko">시민중심 자족도시 – 행정은 새롭다</span>”, pledge card 12-1.'
    ) in english
    assert (
        'Related work-plan items: Paju City, “<span lang="ko">행정안전국 2025 주요업무 '
        "추진계획</span>”."
    ) in english
    korean = client.get("/pledges/12-1/").content.decode()
    assert "<summary>자료 근거</summary>" in korean
    assert '파주시, 「<span lang="ko">민선8기 공약 이행 현황</span>」' in korean


def test_the_about_page_names_the_empty_marks_english_pages_show(client):
    english = client.get("/en/about/").content.decode()
    assert "Three kinds of empty: “not applicable” (a non-budget pledge" in english
    assert "“not in the source” (a value" in english
    assert "해당 없음" not in english and "원문에 없음" not in english
    assert "빈 값은 세 가지입니다. '해당 없음'" in client.get("/about/").content.decode()


def test_money_tables_name_a_sub_project_in_korean_marked_on_english_pages(client):
    response = client.get("/en/pledges/12-8/")
    english = response.content.decode()
    assert 'Sub-project: <span lang="ko">조리읍 행정복지센터</span></h3>' in english
    assert (
        'Secured by funding source (million won): <span lang="ko">조리읍 행정복지센터</span>'
    ) in english
    charts = response.context["finance_sections"]
    assert [section["chart"]["layout"]["title"]["text"] for section in charts] == [
        "Prior investment, then in-term plan and execution per year (million won)"
    ] * 3
    korean = client.get("/pledges/12-8/").content.decode()
    assert "세부사업: 조리읍 행정복지센터</h3>" in korean


def test_home_marks_the_english_department_names_unofficial(client):
    response = client.get("/en/")
    english = response.content.decode()
    assert "The English department names in the chart and the table are the portal’s" in english
    chart = response.context["department_chart"]
    assert chart["data"][0]["y"] == [
        "Public<br>Architecture<br>Division",
        "Civil Petitions<br>and Passports<br>Division",
        "Administrative<br>Support Division",
    ]
    assert chart["data"][0]["x"] == [65093, 3920, 90]
    assert "unofficial translation" not in client.get("/").content.decode()


def test_a_money_note_names_its_table_in_the_pages_language(client):
    english = client.get("/en/pledges/12-7/").content.decode()
    assert "The in-term plan's header has no 2026 column." in html.unescape(english)
    assert "임기내 계획 표 머리에" not in english
    korean = client.get("/pledges/12-7/").content.decode()
    assert "임기내 계획 표 머리에 2026년 열이 없습니다." in korean
