"""Public pages: figures as published, filters, languages, and a fixed number of queries."""

import pytest
from django.urls import reverse

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

# Every public page and its exact number of queries, the same whatever the number of
# pledges (issue 16: at most 10; `make bench` checks the same pages at 10,000 and 50,000
# pledges against the seed's and fails when a count differs).
PAGES = {
    "/": 6,
    "/pledges/": 8,  # the unfiltered list also sums its visions
    "/pledges/?stage=complete&sort=rate": 7,
    "/pledges/?page=2": 8,
    # the public version, the term, the pledge's publications (without their cards), the
    # card shown: one card read whatever the pledge's history
    "/pledges/12-1/": 4,
    "/pledges/12-8/": 4,
    "/pledges/12-2/": 4,
    "/departments/": 3,  # the term shown, then its departments with their counts
    # contacts: who the standing cards name, then the latest card naming each
    # 공공건축과 has no work-plan items: its page names the bureaus whose plans are held
    "/departments/공공건축과/": 10,
    "/departments/공공건축과/?page=2": 10,
    "/about/": 3,
    # the filter's department names are read only when a department is asked for
    "/api/pledges/": 5,
    "/api/pledges/?term=8": 5,  # the term read once: the filter's check of it reads no more
    "/api/pledges/12-9/": 4,
    "/api/pledges.csv": 2,
    "/feed/": 3,  # the term shown, then its publications
}
MAX_QUERIES = 10
# The search: where each match was found is read from the page's snapshots.
SEARCH_PAGES = {"/pledges/?q=센터": 7}


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
def test_public_page_answers_with_a_fixed_number_of_queries(
    client, url, queries, django_assert_num_queries
):
    assert queries <= MAX_QUERIES
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(("url", "queries"), SEARCH_PAGES.items())
def test_a_search_answers_with_a_fixed_number_of_queries(
    client, url, queries, django_assert_num_queries
):
    assert queries <= MAX_QUERIES
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.usefixtures("hundreds_of_pledges")
class TestWithHundredsOfPledges:
    def test_the_unfiltered_list_counts_every_published_pledge_of_the_term(self, client):
        from publications.models import Publication

        response = client.get("/pledges/?page=2")
        published = Publication.objects.filter(
            term__is_current=True, superseded_at__isnull=True
        ).count()
        assert published == 216
        assert response.context["page_obj"].paginator.count == published
        assert response.context["page_obj"].paginator.num_pages == 18

    @pytest.mark.parametrize(("url", "queries"), (PAGES | SEARCH_PAGES).items())
    def test_the_same_number_of_queries(self, client, url, queries, django_assert_num_queries):
        assert Pledge.objects.count() == 216
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200

    def test_a_departments_pledges_come_in_numbered_pages_with_totals_over_all(
        self, client, django_assert_num_queries
    ):
        department = "공공건축과"  # 3 seed pledges and the 210 made here
        everything = list(
            Pledge.objects.filter(term__is_current=True, department__name=department)
            .order_by("sort_key")
            .values_list("code", flat=True)
        )
        assert len(everything) == 213
        shown = []
        for number in range(1, 6):
            with django_assert_num_queries(PAGES["/departments/공공건축과/"]):
                response = client.get(f"/departments/{department}/?page={number}")
            page = response.context["page_obj"]
            assert (page.number, page.paginator.num_pages) == (number, 5)
            assert response.context["totals"]["count"] == 213
            assert sum(n for _stage, n in response.context["stages"]) == 213
            shown += [pledge.code for pledge in page]
        assert shown == everything  # 50, 50, 50, 50, 13: every pledge once, in code order
        html = client.get(f"/departments/{department}/?page=2").content.decode()
        assert 'href="?page=1" rel="prev"' in html and 'href="?page=3" rel="next"' in html
        assert "5쪽 중 2쪽" in html

    def test_the_api_list_pages_read_every_pledge_once_with_as_many_queries_each(
        self, client, django_assert_num_queries
    ):
        everything = list(
            Pledge.objects.filter(term__is_current=True)
            .order_by("sort_key")
            .values_list("code", flat=True)
        )
        shown, url = [], "http://testserver/api/pledges/"
        while url:
            with django_assert_num_queries(PAGES["/api/pledges/"]):
                listed = client.get(url).json()
            assert listed["count"] == 216
            shown += [row["code"] for row in listed["results"]]
            url = listed["next"]
        assert shown == everything  # 100, 100, 16
        last = client.get("/api/pledges/?page=3").json()
        assert last["previous"] == "http://testserver/api/pledges/?page=2"
        assert last["next"] is None and len(last["results"]) == 16
        assert client.get("/api/pledges/?page=4").status_code == 400


def test_12_1_detail_shows_execution_as_published(client):
    html = client.get("/pledges/12-1/").content.decode()
    assert "1,434" in html  # executed 2023
    assert "3,061" in html  # executed total
    assert "1,330" in html  # planned 2023
    assert "78.1%" in html  # 3,061 / 3,920
    # 2026 execution printed "-": a blank, said as such, never "미공개" (concealment)
    assert '<span class="blank"><span aria-hidden="true">–</span>' in html
    assert "미공개" not in html


def test_12_9_detail_shows_secured_national_funds(client):
    html = client.get("/pledges/12-9/").content.decode()
    assert "국비" in html and "9,420" in html
    assert "28,681" in html


def test_12_8_shows_each_sub_project_and_the_roll_up(client):
    html = client.get("/pledges/12-8/").content.decode()
    assert "조리읍 행정복지센터" in html and "광탄면 행정복지센터" in html
    assert "18,412" in html  # 14,524 + 3,888
    assert "7,432" in html  # 4,467 + 2,965
    assert "4,467" in html and "2,965" in html


def test_non_budget_pledge_shows_its_appointments_instead_of_money(client):
    html = client.get("/pledges/12-2/").content.decode()
    assert "해당없음" in html
    assert "명예시장 위촉" in html
    assert "제1대~제20대" in html


def test_stage_is_marked_inferred_with_its_reason(client):
    html = client.get("/pledges/12-7/").content.decode()
    assert "추정" in html
    assert '<span class="date">2024. 5.</span> 공사 착공' in html  # a date kept whole


def test_officials_have_tel_links_and_unrecoverable_names_say_so(client):
    html = client.get("/pledges/12-3/").content.decode()
    assert 'href="tel:031-940-4100"' in html
    assert "이름 판독 불가" in html


def test_korean_by_default_and_english_under_en(client):
    korean = client.get("/pledges/12-1/")
    english = client.get("/en/pledges/12-1/")
    assert '<html lang="ko">' in korean.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "이행단계" in korean.content.decode()
    assert "Implementation stage" in english.content.decode()
    assert 'href="/en/pledges/12-1/"' in korean.content.decode()


def test_filters_live_in_the_query_string(client):
    response = client.get("/pledges/", {"department": "공공건축과", "q": "센터"})
    codes = [p.code for p in response.context["page_obj"]]
    assert codes == ["12-7", "12-8", "12-9"]
    response = client.get("/pledges/", {"budget": "non_budget"})
    assert [p.code for p in response.context["page_obj"]] == ["12-2"]


def test_sort_by_execution_rate_puts_the_highest_first(client):
    response = client.get("/pledges/", {"sort": "rate"})
    codes = [p.code for p in response.context["page_obj"]]
    # 12-8: (12,208 + 7,432) / 18,412 = 106.7 %, a contradiction of its tables, not capped
    assert codes[:2] == ["12-8", "12-3"]
    assert codes[-1] == "12-2"  # no money: last


def test_invalid_filter_values_are_ignored_not_an_error(client):
    response = client.get("/pledges/", {"stage": "nonsense", "sort": "x", "page": "abc"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 6


def test_unknown_pledge_gives_a_friendly_404_in_both_languages(client):
    korean = client.get("/pledges/12-4/")
    english = client.get("/en/pledges/12-4/")
    assert korean.status_code == english.status_code == 404
    assert "페이지를 찾을 수 없습니다" in korean.content.decode()
    assert "Page not found" in english.content.decode()


def test_charts_are_data_with_an_accessible_table_and_no_inline_script(client):
    html = client.get(reverse("portal:detail", args=["12-1"])).content.decode()
    assert 'type="application/json"' in html
    assert 'data-figure="figure-plan-all"' in html
    assert "<caption>" in html
    assert "cdn" not in html.lower()
    for line in html.splitlines():
        if "<script" in line and "application/json" not in line:
            assert " src=" in line, line


def test_investment_table_has_each_printed_column_once_in_order(client):
    response = client.get("/pledges/12-8/")
    section = response.context["finance_sections"][1]
    assert section["investment_columns"] == [
        "total",
        "prior",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    ]
    assert section["investment_rows"][0]["cells"] == [14524, 11178, 3346, None, None, None, None]


def test_codes_sort_as_people_read_them():
    from pledges.models import code_sort_key

    codes = ["12-10", "12-9", "9-1", "12-1"]
    assert sorted(codes, key=code_sort_key) == ["9-1", "12-1", "12-9", "12-10"]


@pytest.mark.parametrize("term", ["²", "٣", "-1", "8.0", "99999999999999999999"])
def test_odd_term_numbers_are_ignored_not_an_error(client, term):
    assert client.get("/pledges/", {"term": term}).status_code == 200
    assert client.get("/pledges/12-1/", {"term": term}).status_code == 200


def test_every_link_of_a_term_that_is_not_current_keeps_that_term(client):
    """A finished term stays browsable: its pages link to its own pledges, departments and
    filtered lists, not to the current term's (a code names a pledge only within a term)."""
    import re

    from django.core.management import call_command

    call_command("generate_synthetic", pledges=14, departments=2, seed=5, verbosity=0)
    pledge = Pledge.objects.filter(term__number=900).order_by("pk").first()
    department = pledge.department.name
    pages = [
        "/?term=900",
        "/pledges/?term=900",
        f"/departments/{department}/?term=900",
        f"/pledges/{pledge.code}/?term=900",
        "/about/?term=900",
    ]
    followed = 0
    for url in pages:
        html = client.get(url).content.decode()
        links = re.findall(r'href="(/(?:pledges|departments)/[^"#]*)"', html)
        for link in links:
            if link.startswith("/pledges/?") or re.match(r"/(pledges|departments)/[^/?]+/", link):
                if link.rstrip("/") in ("/pledges", "/departments") or "as_of=" in link:
                    continue
                assert "term=900" in link, (url, link)
        for link in re.findall(r'href="(/pledges/[^"/?]+/\?term=900)"', html)[:2]:
            assert client.get(link).status_code == 200, (url, link)
            followed += 1
    assert followed >= 4
    api = client.get("/api/pledges/", {"term": "900"}).json()["results"]
    assert all(row["url"].endswith("?term=900") for row in api)
    assert client.get(api[0]["url"]).status_code == 200


def test_a_department_page_names_the_contacts_of_its_terms_cards_only(client):
    """공공건축과's officials are named on 민선8기's cards; a pledge of another term in the
    same department names none of them, so that term's page of the department lists none."""
    from django.core.management import call_command

    from departments.models import Department
    from publications.services import publication_publish

    call_command("generate_synthetic", pledges=3, departments=1, seed=5, verbosity=0)
    pledge = Pledge.objects.filter(term__number=900).order_by("pk").first()
    pledge.department = Department.objects.get(name="공공건축과")
    pledge.save()
    publication_publish(pledges=[pledge], by=None)
    # its officials (the synthetic department's) are none of 공공건축과's
    assert not pledge.officials.filter(department=pledge.department).exists()
    current = client.get("/departments/공공건축과/").content.decode()
    other = client.get("/departments/공공건축과/", {"term": "900"}).content.decode()
    assert "940-5270" in current  # 과장 배성진, on 12-7, 12-8 and 12-9
    assert pledge.code in other and "940-5270" not in other
    assert "이 부서의 담당자는 원문에 없습니다" in other or 'class="officials"' not in other


def test_the_departments_list_counts_and_links_the_terms_pledges(client):
    import re

    from django.core.management import call_command

    from departments.models import Department
    from publications.services import publication_publish

    call_command("generate_synthetic", pledges=4, departments=1, seed=5, verbosity=0)
    pledge = Pledge.objects.filter(term__number=900).order_by("pk").first()
    pledge.department = Department.objects.get(name="공공건축과")
    pledge.save()
    publication_publish(pledges=[pledge], by=None)

    def row(html: str) -> tuple[str, str]:
        found = re.search(
            r'href="(/departments/[^"]+)">공공건축과</a></th>.*?<td class="num">(\d+)</td>',
            html,
            re.S,
        )
        return found.group(1), found.group(2)

    assert row(client.get("/departments/").content.decode()) == (
        "/departments/%EA%B3%B5%EA%B3%B5%EA%B1%B4%EC%B6%95%EA%B3%BC/?term=8",
        "3",  # 12-7, 12-8, 12-9
    )
    link, count = row(client.get("/departments/", {"term": "900"}).content.decode())
    assert link.endswith("?term=900") and count == "1"


@pytest.mark.parametrize(
    "url", ["/", "/pledges/", "/departments/", "/departments/공공건축과/", "/about/", "/feed/"]
)
def test_a_term_number_that_names_no_term_is_not_found_not_the_current_term(client, url):
    assert client.get(url, {"term": "7"}).status_code == 404
    assert client.get(url, {"term": "8"}).status_code == 200


def test_the_lists_csv_and_page_links_name_the_term_shown(client):
    import re

    page = client.get("/pledges/", {"term": "abc", "q": "센터"}).content.decode()
    link = re.search(r'<a href="(/api/pledges\.csv\?[^"]+)">', page).group(1).replace("&amp;", "&")
    assert "term=8" in link and "abc" not in link
    assert client.get(link).status_code == 200


def test_each_term_cites_its_own_source_documents(client):
    """민선8기's pages cite its report; another term's pages cite that term's documents (or
    none while they are not entered), never 민선8기's: the sources are the term's data."""
    from django.core.management import call_command

    from pledges.models import Term

    call_command("generate_synthetic", pledges=3, departments=1, seed=5, verbosity=0)
    seed = client.get("/").content.decode()
    assert "출처: 파주시, 민선8기 공약 이행 현황 12장 「시민중심 자족도시 – 행정은 새롭다」" in seed
    assert "수치는 시 보고서 기준(2026년 초)입니다" in seed
    about = client.get("/about/").content.decode()
    assert "12-4~12-6은 이 장에 없어 싣지 않았습니다" in about
    english = client.get("/en/").content.decode()
    assert 'Paju City, <span lang="ko">민선8기 공약 이행 현황</span> (report on' in english
    assert "as of early 2026" in english
    other = client.get("/", {"term": "900"}).content.decode()
    assert "민선8기 공약 이행 현황" not in other and "2026년 초" not in other
    assert "출처: 합성 데이터" in other
    synthetic = Term.objects.get(number=900)
    synthetic.sources = synthetic.sources_en = ""
    synthetic.save()  # as the admin saves it: the cached pages follow
    pledge = Pledge.objects.filter(term__number=900).order_by("pk").first()
    for url in ("/", "/about/", f"/pledges/{pledge.code}/"):
        page = client.get(url, {"term": "900"}).content.decode()
        assert "민선8기 공약 이행 현황" not in page and "2026년 초" not in page, url
        assert "<p>금액 단위는 백만원입니다.</p>" in page, url  # the footer cites nothing
    assert "원문 자료가 아직 입력되지 않았습니다" in client.get("/about/?term=900").content.decode()
    # pages of no term (the glossary) cite the current term's
    assert "출처: 파주시, 민선8기" in client.get("/glossary/").content.decode()


def test_the_audit_workbook_and_the_data_package_cite_every_terms_sources(tmp_path):
    from openpyxl import load_workbook

    from budgets.report import audit_report_write
    from pledges.models import Term
    from portal.api.datapackage import describe

    Term.objects.filter(number=8).update(sources="가 보고서: 1장\n나 계획")
    path = tmp_path / "report.xlsx"
    audit_report_write(output=str(path))
    cover = {row[0]: row[1] for row in load_workbook(path)["안내"].iter_rows(values_only=True)}
    assert cover["출처"].startswith("민선8기: 가 보고서: 1장; 나 계획 / 이후 변경은")
    assert describe()["sources"] == [
        {
            "title": "가 보고서",
            "description": "민선8기: 1장. 수치 기준 2026년 초. 쪽 번호 없음 / no page numbers.",
            "date": "2026년 초",
        },
        {
            "title": "나 계획",
            "description": "민선8기. 문서에 날짜 표시 없음 / no date printed.",
            "date": None,
        },
    ]
