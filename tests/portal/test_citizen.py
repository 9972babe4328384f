"""What a citizen meets: search over every card text, vision and department summaries,
glossary links, English names as data, status lines, sharing tags, dates and words."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges.models import Pledge
from portal import selectors
from publications.models import Publication

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [p.code for p in response.context["page_obj"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("민원", ["12-1", "12-3", "12-7"]),  # 12-1 by its objective (민원콜센터) first
        ("공공건축과", ["12-7", "12-8", "12-9"]),  # the department
        ("명예 시장", ["12-2"]),  # two words, both in 명예시장
        ("콜센터", ["12-1"]),
        ("call centre", ["12-1"]),  # the English target
    ],
)
def test_search_finds_text_anywhere_on_the_card(client, query, expected):
    response = client.get("/pledges/", {"q": query})
    assert response.status_code == 200
    assert codes(response)[: len(expected)] == expected


def test_search_ranks_a_title_match_before_a_milestone_match(client):
    standing = Publication.objects.filter(superseded_at__isnull=True)
    ranks = list(standing.search("행정복지센터").values_list("search_rank", flat=True))
    assert ranks and min(ranks) == 0  # a title match
    response = client.get("/pledges/", {"q": "행정복지센터"})
    ranks = [p.search_rank for p in response.context["page_obj"]]
    assert ranks == sorted(ranks)


def test_search_shows_where_and_what_matched(client):
    response = client.get("/pledges/", {"q": "공공건축과"})
    pledge = Pledge.objects.get(code="12-7")
    assert response.context["matches"][pledge.pk] == {"where": "부서", "text": "공공건축과"}
    assert '<p class="search-match"><span class="search-match-where">부서:</span>' in (
        response.content.decode()
    )


def test_list_shows_visions_with_stage_counts_and_money(client):
    response = client.get("/pledges/")
    (vision,) = response.context["visions"]
    assert vision["vision"].number == 12
    assert vision["count"] == 6
    assert {stage: (label, n, guessed) for stage, label, n, guessed in vision["stages"]} == {
        "review": ("검토", "0", 0),
        "in_progress": ("추진", "0", 0),
        "complete": ("완료", "6", 6),  # the six are inferred: said where they are counted
        "infeasible": ("불가", "0", 0),
    }
    assert (vision["current_total"], vision["executed_total"]) == (69103, 39734)


def test_home_groups_pledges_by_vision(client):
    response = client.get("/")
    assert "비전별 공약" in response.content.decode()
    assert response.context["visions"][0]["count"] == 6


def test_department_page_shows_totals_stages_and_contacts(client):
    response = client.get(reverse("portal:department_detail", args=["공공건축과"]))
    totals = response.context["totals"]
    assert (totals["count"], totals["current_total"], totals["executed_total"]) == (
        3,
        65093,
        36583,
    )
    assert dict((s.value, n) for s, n in response.context["stages"])["complete"] == 3
    names = [o.name for o in response.context["contacts"]]
    assert names[0] == "배성진"  # the director first
    assert "940-5270" in response.content.decode()


def test_glossary_explains_the_money_and_stage_words_in_both_languages(client):
    korean = client.get("/glossary/").content.decode()
    english = client.get("/en/glossary/").content.decode()
    for slug in ("secured", "prior", "after-term", "special-grant", "execution-rate"):
        assert f'id="{slug}"' in korean
    assert "확보한 돈이 곧 쓴 돈은 아닙니다" in korean
    assert "Secured money is not yet spent money." in english


def test_money_words_link_to_the_glossary(client):
    page = client.get("/").content.decode()
    assert '<a class="term" href="/glossary/#secured">확보</a>' in page
    card = client.get("/pledges/").content.decode()
    assert 'href="/glossary/#stage-complete"' in card


def test_english_pages_show_unofficial_translations_marked_and_the_original(client):
    page = client.get("/en/pledges/12-1/").content.decode()
    assert (
        '<h1 id="pledge-title">One-stop administrative services tailored to each resident' in page
    )
    assert "unofficial translation" in page
    assert 'lang="ko" hreflang="ko">원스톱 맞춤 행정서비스 체계 구축</a>' in page
    assert '<div class="prose" lang="ko">' in page  # the overview stays Korean, marked


def test_english_headline_and_dates_read_english(client):
    page = client.get("/en/").content.decode()
    assert "How far have the pledges of the 2022–2026 mayoral term (8th elected) come?" in page
    # dates read English; the as-of date only where a card prints one (12-2: a day)
    assert "31 December 2025" in client.get("/en/pledges/12-2/").content.decode()
    assert "January 2026" in client.get("/en/pledges/12-1/").content.decode()  # a month
    assert "민선8기" not in re.sub(r"<[^>]+>", "", page.split("<main")[1].split("</h1>")[0])


def test_korean_words_and_dates(client):
    listing = client.get("/pledges/").content.decode()
    assert "<h1>민선8기 공약</h1>" in listing
    about = client.get("/about/").content.decode()
    assert "2026. 1. 31." not in about  # no as-of day the cards do not print
    assert "31.." not in about
    assert (
        "2025. 12. 31.</time> (카드에 인쇄된 기준)" in client.get("/pledges/12-2/").content.decode()
    )


def test_status_line_names_latest_and_next_milestone():
    pledge = Pledge.objects.get(code="12-7")
    status = selectors.status_of(pledge.milestones.all(), datetime.date(2025, 1, 1))
    assert status["last"].start <= datetime.date(2025, 1, 1) < status["next"].start
    later = selectors.status_of(pledge.milestones.all(), datetime.date(2030, 1, 1))
    assert later["next"] is None and later["last"].date_text == "2026. 3."


def test_pages_carry_their_own_title_description_og_tags_and_canonical(client):
    page = client.get("/pledges/12-9/?utm=x").content.decode()
    # the term it belongs to: once 민선9기 is current, a shared /pledges/12-9/ is its 12-9
    assert '<link rel="canonical" href="http://testserver/pledges/12-9/?term=8">' in page
    assert 'hreflang="en" href="http://testserver/en/pledges/12-9/?term=8"' in page
    assert '<meta property="og:title" content="12-9 금촌 민·군 복합커뮤니티센터 조기 건립">' in page
    assert 'property="og:image" content="http://testserver/static/img/og-portal' in page
    description = re.search(r'<meta name="description" content="([^"]+)"', page).group(1)
    assert description == (
        "파주시 공약 12-9 (공공건축과): 이행단계 완료 (추정), 총사업비 28,681백만원 중 "
        "28,681백만원 누적 집행(기투자 14,105백만원 포함), 집행률 100.0%."
    )
    other = client.get("/departments/").content.decode()
    assert re.search(r'<meta name="description" content="([^"]+)"', other).group(1) != description


def test_printed_card_carries_its_url(client):
    page = client.get("/pledges/12-1/").content.decode()
    assert 'class="print-only print-meta">http://testserver/pledges/12-1/?term=8 · 인쇄일' in page
    day = timezone.localdate().isoformat()  # the seed is published today
    past = client.get("/pledges/12-1/", {"as_of": day}).content.decode()
    assert f'print-meta">http://testserver/pledges/12-1/?term=8&amp;as_of={day} ·' in past


def test_numbered_pagination(client):
    # Fixed page size 12 and six pledges: one page, no pagination; the page range is shown
    # when there are more pages (tested with a tiny page size).
    from portal import views

    original = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        page = client.get("/pledges/?page=2").content.decode()
    finally:
        views.PAGE_SIZE = original
    assert re.findall(r'page=(\d)"><span class="visually-hidden">', page) == ["1", "3"]
    assert '<span aria-current="page"><span class="visually-hidden">페이지 </span>2</span>' in page


def test_status_line_reads_milestones_at_the_cards_as_of_date():
    """A milestone dated after the card's as-of date is a plan, whatever today is."""
    pledge = Pledge.objects.get(code="12-7")
    status = selectors.status_for(pledge, pledge.milestones.all(), datetime.date(2026, 11, 22))
    assert status["as_of"] == datetime.date(2026, 1, 31)
    assert (status["last"].date_text, status["last"].text) == ("2024. 5.", "공사 착공")
    assert (status["next"].date_text, status["next"].text) == ("2026. 3.", "공사 준공 및 개청")
    earlier = selectors.status_for(pledge, pledge.milestones.all(), datetime.date(2024, 1, 15))
    assert earlier["as_of"] == datetime.date(2024, 1, 15)
    assert earlier["next"].date_text == "2024. 5."


@pytest.mark.parametrize(
    ("printed", "english"),
    [
        ("2024. 5.", "May 2024"),
        ("2023. 12. 18.", "18 December 2023"),
        ("2023. 4. ~ 9.", "April 2023 – September 2023"),
        ("2024. 1. ~", "January 2024 –"),
        ("", ""),
    ],
)
def test_printed_dates_read_in_the_pages_language(printed, english):
    from django.utils import translation

    from portal.templatetags.portal import printed_date

    with translation.override("en"):
        assert printed_date(printed) == english
    with translation.override("ko"):
        assert printed_date(printed) == printed


def test_last_published_is_shown_on_seoul_time(client):
    from django.apps import apps

    pledge = Pledge.objects.get(code="12-9")
    loaded = datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC)
    for model in apps.get_models():  # the seed as if loaded that day, published at 23:30
        if model.__name__.startswith("Historical"):
            model.objects.update(history_date=loaded)
    Publication.objects.filter(pledge=pledge).update(  # a publication known to the minute
        published_at=datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC),
        published_precision="",
    )
    page = client.get("/pledges/12-9/").content.decode()
    assert "2026. 2. 1.</time>" in page  # 31 January in UTC


def test_the_department_filter_offers_the_departments_of_the_term_shown(client):
    from django.core.management import call_command

    call_command("generate_synthetic", pledges=6, departments=2, seed=3, verbosity=0)
    seed_term = client.get("/pledges/").context["form"].fields["department"].choices
    other_term = client.get("/pledges/?term=900").context["form"].fields["department"].choices
    seed_names = [name for name, _label in seed_term if name]
    other_names = [name for name, _label in other_term if name]
    assert "공공건축과" in seed_names and not any("합성" in name for name in seed_names)
    assert other_names and all("합성" in name for name in other_names)
    assert seed_names == sorted(seed_names)
    # a department with nothing in the term shown still filters: to no pledge, not to all
    response = client.get("/pledges/", {"department": other_names[0], "stage": "complete"})
    assert response.context["page_obj"].paginator.count == 0
    assert response.context["form"].cleaned_data["department"] == other_names[0]
