"""The public search: one stored text per publication, the PUBLISHED card's (made when a
card is published, not at a staff save), found by any part of any text, ranked title
first, in a fixed number of queries."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, Official
from departments.services import department_save
from pledges.models import Milestone, Pledge, YearPlan
from pledges.services import card_row_delete, card_row_save, pledge_save
from publications.models import Publication
from publications.services import publication_publish
from tests.admin_forms import change_form_data
from tests.factories import (
    MilestoneFactory,
    PledgeFactory,
    PledgeOfficialFactory,
    ProjectFactory,
    make_user,
    reviewer,
)

pytestmark = pytest.mark.django_db


def publish() -> None:
    """Publish every draft (as a reviewer does): the search then reads the new cards."""
    by = User.objects.filter(username="reviewer").first() or reviewer()
    publication_publish(pledges=Pledge.objects.values_list("pk", flat=True), by=by)


def found(query: str, *, published: bool = True) -> list[str]:
    """The public search's codes (the published summaries), after publishing every draft
    unless ``published`` is False."""
    if published:
        publish()
    return list(
        Publication.objects.filter(superseded_at__isnull=True)
        .search(query)
        .values_list("code", flat=True)
    )


# -- what it finds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("title", "뙇뛟"),
        ("title_en", "ZEBRA"),  # upper-case stored, lower-case asked: found
        ("index_title", "뙇뛟"),
        ("target", "뙇뛟"),
        ("target_en", "zebra"),
        ("objective", "뙇뛟"),
        ("overview", "뙇뛟"),
        ("problems", "뙇뛟"),
        ("plan_note", "뙇뛟"),
    ],
)
def test_search_finds_two_korean_characters_inside_any_text_of_the_pledge(field, query):
    word = "zebra크로싱" if query.lower() == "zebra" else "가뙇뛟나"
    pledge = PledgeFactory(code="99-1", **{field: f"앞말 {word}에서 뒷말"})
    assert found(query) == ["99-1"]
    assert found(query[:1] + "없는말") == []
    standing = Publication.objects.get(pledge=pledge, superseded_at__isnull=True)
    assert pledge.code in standing.search_text


@pytest.mark.parametrize(
    "make",
    [
        lambda p: MilestoneFactory(pledge=p, text="주민 뙇뛟회 개최"),
        lambda p: MilestoneFactory(pledge=p, date_text="2031. 뙇뛟."),
        lambda p: ProjectFactory(pledge=p, name="뙇뛟센터 건립"),
        lambda p: ProjectFactory(pledge=p, overview="연면적 뙇뛟㎡"),
        lambda p: card_row_save(obj=YearPlan(pledge=p, period="2025", text="뙇뛟 설계")),
    ],
    ids=["milestone", "milestone date", "sub-project", "sub-project overview", "plan"],
)
def test_search_finds_text_of_the_card_rows(make):
    make(PledgeFactory(code="99-1"))
    assert found("뙇뛟") == ["99-1"]


def test_search_finds_the_department_and_the_officials_departments_in_both_languages():
    pledge = PledgeFactory(code="99-1", department=Department.objects.get(name="공공건축과"))
    other = Department.objects.get(name="민원여권과")
    PledgeOfficialFactory(pledge=pledge, official=Official.objects.filter(department=other)[0])
    for query in ("공공건축", "Architecture", "여권과", "passports division"):
        assert "99-1" in found(query), query
    ranked = Publication.objects.filter(superseded_at__isnull=True).search("여권과")
    assert ranked.get(code="99-1").search_rank == 2  # neither title nor target


def test_every_word_must_occur_somewhere_on_the_card():
    pledge = PledgeFactory(code="99-1", title="뙇뛟 센터")
    MilestoneFactory(pledge=pledge, text="햏퀭 착공")
    PledgeFactory(code="99-2", title="뙇뛟 도로")
    assert found("뙇뛟 햏퀭") == ["99-1"]
    assert sorted(found("뙇뛟")) == ["99-1", "99-2"]


def test_search_treats_percent_and_underscore_as_text():
    PledgeFactory(code="99-1", title="달성률 100%")
    assert found("0%") == ["99-1"]
    assert found("_") == []


def test_search_ranks_title_then_target_then_card_texts_then_the_rest():
    # Codes in the opposite order of the rank, so the order seen is the rank's.
    MilestoneFactory(pledge=PledgeFactory(code="99-1"), text="뙇뛟 착공")
    PledgeFactory(code="99-2", overview="뙇뛟 개요")
    PledgeFactory(code="99-3", target="뙇뛟 준공")
    PledgeFactory(code="99-4", title="뙇뛟 센터")
    publish()
    ranked = list(
        Publication.objects.filter(superseded_at__isnull=True)
        .search("뙇뛟")
        .order_by("search_rank", "sort_key")
        .values_list("code", "search_rank")
    )
    assert ranked == [("99-4", 0), ("99-3", 1), ("99-1", 2), ("99-2", 2)]


def test_the_list_shows_the_best_match_first_then_code_order(client):
    MilestoneFactory(pledge=PledgeFactory(code="99-1"), text="뙇뛟 착공")
    PledgeFactory(code="99-2", title="뙇뛟 센터")
    PledgeFactory(code="99-3", title="뙇뛟 도로")
    publish()
    response = client.get("/pledges/", {"q": "뙇뛟"})
    assert response.status_code == 200
    assert [p.code for p in response.context["page_obj"]] == ["99-2", "99-3", "99-1"]
    assert response.context["matches"][Pledge.objects.get(code="99-1").pk] == {
        "where": "추진현황",
        "text": "뙇뛟 착공",
    }


def test_the_searched_list_takes_the_same_queries_for_one_result_and_for_a_full_page(client):
    PledgeFactory(code="99-1", title="햏퀭 하나")
    publish()
    with CaptureQueriesContext(connection) as one:
        assert client.get("/pledges/", {"q": "햏퀭"}).status_code == 200
    for n in range(2, 31):
        PledgeFactory(code=f"99-{n}", title=f"뙇뛟 {n}")
    publish()
    with CaptureQueriesContext(connection) as page:
        response = client.get("/pledges/", {"q": "뙇뛟"})
    assert response.context["page_obj"].paginator.count == 29
    assert len(one) == len(page) == 7
    like = re.compile(r'"search_text"(::text)? LIKE')
    searched = [q["sql"] for q in page.captured_queries if like.search(q["sql"])]
    assert len(searched) == 2  # the count, then the page with its ranks: nothing per row
    # Only the stored column is searched: no subquery over milestones or sub-projects.
    assert all("pledges_milestone" not in sql and "EXISTS" not in sql for sql in searched)


def test_on_postgresql_the_search_reads_the_trigram_index():
    queryset = (
        Publication.objects.filter(superseded_at__isnull=True)
        .search("민원콜센터")
        .order_by()
        .values("pk")
    )
    sql, params = queryset.query.sql_with_params()
    assert re.search(r'"search_text"(::text)? LIKE', sql)
    assert "pledges_pledge" not in sql  # the snapshot's own text: no join to count
    if connection.vendor != "postgresql":
        return  # SQLite scans the column (its LIKE has no index over part of a text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'publications_search_trgm'"
        )
        (definition,) = cursor.fetchone()
    # the standing snapshots' text, for LIKE '%…%' (which index six pledges use is the
    # planner's choice)
    assert "gin_trgm_ops" in definition and "superseded_at IS NULL" in definition


@pytest.mark.parametrize(
    "word",
    [
        "민원",
        "센터",
        "청사",
        "콜센",
        "시장",
        "12",
        "8-",
        "-8",
        "1-",
        "AB",
        "ON",
        "E-",
        "가",
        "센",
        "민원콜센터",
        "12-8",
        "2026",
        "조리읍",
        "광탄",
        "·",
        "(",
        "계획",
        "가나",
        "원1",
        "1원",
    ],
)
def test_the_search_finds_exactly_the_pledges_whose_text_holds_the_word(word):
    """Through the trigram index or not (PostgreSQL), the same pledges as the substring match."""
    for n, title in enumerate(["원1 호", "1원 가나", "가나다 E-8", "ON AIR 8-"], start=1):
        PledgeFactory(code=f"98-{n}", title=title)
    publish()
    standing = Publication.objects.filter(superseded_at__isnull=True)
    expected = set(
        standing.filter(search_text__contains=word.upper()).values_list("pledge_id", flat=True)
    )
    published = (
        Publication.objects.filter(superseded_at__isnull=True)
        .search(word)
        .values_list("pledge_id", flat=True)
    )
    assert set(published) == expected


# -- the published card's, after every write path ----------------------------------------


def test_a_staff_save_is_a_draft_the_search_finds_only_once_published():
    pledge = PledgeFactory(code="99-1", title="옛 제목")
    publish()
    pledge.title = "새 뙇뛟 제목"
    pledge_save(pledge=pledge, reason="제목 수정")
    assert found("뙇뛟", published=False) == [] and found("옛", published=False) == ["99-1"]
    assert found("뙇뛟") == ["99-1"] and found("옛") == []


def test_a_department_rename_and_a_draft_reach_the_public_search_once_published():
    pledge = PledgeFactory(
        code="99-1", title="옛 제목", department=Department.objects.get(name="공공건축과")
    )
    MilestoneFactory(pledge=pledge, text="공개된 착공")
    publish()
    pledge.title = "초안 뙇뛟 제목"  # a draft: not published
    pledge_save(pledge=pledge, reason="제목 수정")
    card_row_save(
        obj=Milestone(pledge=pledge, position=2, date_text="2026. 1.", text="초안 행정"),
        reason="추가",
    )
    building = Department.objects.get(name="공공건축과")
    building.name = "공공쀍뛟과"
    department_save(department=building, reason="개편")
    # still unpublished: the new name, the draft title and milestone
    assert "99-1" not in found("쀍뛟", published=False)
    assert "99-1" not in found("뙇뛟", published=False) and "99-1" not in found(
        "행정", published=False
    )
    assert "99-1" in found("옛", published=False) and "99-1" in found("공개된", published=False)
    # published: the draft is searched, with the department's new name
    assert "99-1" in found("뙇뛟") and "99-1" in found("쀍뛟") and "99-1" not in found("옛")


def test_saving_and_deleting_card_rows_refreshes_the_search_text():
    pledge = PledgeFactory(code="99-1")
    milestone = MilestoneFactory(pledge=pledge, text="착공")
    publish()
    milestone.text = "뙇뛟 착공"
    card_row_save(obj=milestone, reason="수정")
    assert found("뙇뛟", published=False) == []
    assert found("뙇뛟") == ["99-1"]
    card_row_delete(obj=milestone, reason="삭제")
    assert found("뙇뛟") == []
    project = ProjectFactory(pledge=pledge, name="햏퀭사업")
    assert found("햏퀭") == ["99-1"]
    card_row_delete(obj=project, reason="삭제")
    assert found("햏퀭") == []


def test_editing_a_milestone_in_the_admin_refreshes_the_search_text(client):
    pledge = Pledge.objects.get(code="12-1")
    client.force_login(make_user("root", superuser=True))
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Milestone
    )
    data[f"{prefix}-0-text"] = "뙇뛟 설명회"
    data["change_reason"] = "일정 수정"
    assert client.post(url, data).status_code == 302
    assert found("뙇뛟", published=False) == []  # a draft until the reviewer publishes it
    assert found("뙇뛟") == ["12-1"]
