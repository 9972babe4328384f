"""The published record: what the public reads is what a publication stored.

Every public door reads snapshots (``Publication.card`` and its columns): a live edit
that is not published changes no public byte; a publication's change list is the
difference of two snapshots; the seed is the city's publication of 2026. 1.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from budgets.services import project_figures_update
from departments.models import Official
from departments.services import official_save
from pledges.dates import korean_time
from pledges.models import Milestone, Pledge, Project
from pledges.services import pledge_save
from publications.changes import card_diff
from publications.models import Publication, PublicationKind
from publications.services import publication_publish
from publications.snapshots import SHAPE, card_from
from tests.factories import reviewer

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")

PUBLIC_DOORS = [
    "/",
    "/pledges/",
    "/pledges/?q=%EC%84%BC%ED%84%B0",  # 센터
    "/pledges/12-1/",
    "/pledges/12-1/?as_of=2026-01-31",
    "/departments/",
    f"/departments/{'민원여권과'}/",
    "/about/",
    "/feed/",
    "/api/pledges/",
    "/api/pledges/?q=%EC%BD%9C%EC%84%BC%ED%84%B0",  # 콜센터
    "/api/pledges/12-1/",
    "/api/pledges.csv",
    "/api/figures.csv",
    "/api/milestones.csv",
    "/api/pledges/12-1/figures.csv",
]


def _public_bytes(client) -> dict[str, bytes]:
    """What every public door answers, with the per-request nonces taken out."""
    found = {}
    for url in PUBLIC_DOORS:
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found[url] = re.sub(rb'nonce="[^"]*"', b"", body)
    return found


def _publish(code: str, who=None):
    return publication_publish(
        pledges=[Pledge.objects.get(code=code, term__is_current=True)], by=who or reviewer()
    )


def test_the_seed_is_the_citys_publication_of_january_2026(client):
    seed = Publication.objects.get(code="12-1", kind=PublicationKind.SEED)
    assert seed.published_at == datetime(2026, 1, 31, 23, 59, 59, tzinfo=SEOUL)
    assert seed.published_precision == "month"
    response = client.get("/pledges/12-1/?as_of=2026-01-31")
    assert response.status_code == 200
    text = response.content.decode()
    assert "2026. 1. 31." not in text  # a month, never an invented day
    assert "2026. 1." in text


def test_a_day_before_the_first_publication_says_nothing_was_published_then(client):
    response = client.get("/pledges/12-1/?as_of=2025-12-31")
    assert response.status_code == 404
    assert "2025. 12. 31." in response.content.decode()  # the day asked, and why it is empty
    assert client.get("/api/pledges/12-1/?as_of=2025-12-31").status_code == 404


def test_a_save_that_changes_nothing_publishes_nothing():
    pledge = Pledge.objects.get(code="12-1", term__is_current=True)
    pledge_save(pledge=pledge, reason="열고 그대로 저장")
    assert _publish("12-1") == []


def test_a_one_cell_change_lists_that_cell_only():
    project = Project.objects.get(pledge__code="12-1", pledge__term__is_current=True)
    project_figures_update(
        project=project, cells={("executed", "total", "2025"): 944}, reason="2025 집행"
    )
    (publication,) = _publish("12-1")
    assert [(c["kind"], c["old"], c["new"]) for c in publication.changes] == [("figure", 900, 944)]


def test_updated_at_is_the_pledges_last_publication(client):
    before = client.get("/api/pledges/12-1/").json()["updated_at"]
    project = Project.objects.get(pledge__code="12-1", pledge__term__is_current=True)
    project_figures_update(
        project=project, cells={("executed", "total", "2025"): 944}, reason="2025 집행"
    )
    (publication,) = _publish("12-1")
    cache.clear()
    after = client.get("/api/pledges/12-1/").json()["updated_at"]
    assert after != before
    assert after == korean_time(publication.published_at).isoformat()
    listed = client.get("/api/pledges/").json()["results"]
    assert {row["code"]: row["updated_at"] for row in listed}["12-1"] == after


def test_a_live_edit_without_publication_changes_no_public_byte(client):
    before = _public_bytes(client)
    pledge = Pledge.objects.get(code="12-1", term__is_current=True)
    pledge.title = "초안 제목"
    pledge_save(pledge=pledge, reason="초안")
    project = Project.objects.get(pledge=pledge)
    project_figures_update(project=project, cells={("executed", "total", "2025"): 1}, reason="초안")
    milestone = Milestone.objects.filter(pledge=pledge).first()
    milestone.text = "초안 추진현황"
    milestone.save()
    official = Official.objects.filter(pledgeofficial__pledge=pledge).first()
    official.phone = "031-940-9999"
    official_save(official=official, reason="초안")
    after = _public_bytes(client)
    changed = [url for url in PUBLIC_DOORS if before[url] != after[url]]
    assert changed == []
    _publish("12-1")
    assert b"031-940-9999" in _public_bytes(client)["/pledges/12-1/"]


def test_search_finds_an_officials_name_and_a_linked_work_plan_word(client):
    card = Publication.objects.get(code="12-2", superseded_at__isnull=True).card_read()
    name = next(link.official.name for link in card.officials if link.official.name)
    item_word = card.work_plan_items[0].title.split()[0]
    for word in (name, item_word):
        codes = [r["code"] for r in client.get("/api/pledges/", {"q": word}).json()["results"]]
        assert "12-2" in codes, word
        page = client.get(reverse("portal:list"), {"q": word}).content.decode()
        assert "12-2" in page


def test_search_ranks_a_title_match_before_a_match_elsewhere():
    rows = Publication.objects.standing(Pledge.objects.first().term).search("행정")
    ranked = list(rows.order_by("search_rank", "sort_key").values_list("code", "search_rank"))
    assert ranked == sorted(ranked, key=lambda row: row[1])
    assert ranked[0][1] == 0  # a title holds it


def test_every_snapshot_in_the_database_reads_back():
    publications = list(Publication.objects.select_related("term"))
    assert publications
    for publication in publications:
        assert publication.card["shape"] == SHAPE
        card = card_from(publication.card, publication.term)
        assert card.pledge.code == publication.code
        assert card.money.total.current_total == publication.current_total


def test_a_change_list_is_the_difference_of_the_two_snapshots():
    project = Project.objects.get(pledge__code="12-7", pledge__term__is_current=True)
    project_figures_update(
        project=project, cells={("executed", "total", "2025"): 9466}, reason="정산"
    )
    (new,) = _publish("12-7")
    old = Publication.objects.get(pledge=new.pledge, superseded_at=new.published_at)
    assert new.changes == card_diff(old.card, new.card)
    assert old.card != new.card
    assert Publication.objects.get(pledge=new.pledge, superseded_at__isnull=True) == new


def test_a_department_renamed_in_a_draft_keeps_its_published_name_and_page(client):
    from departments.models import Department
    from departments.services import department_save

    department = Department.objects.get(name="민원여권과")
    department.name = "민원여권정책과"
    department_save(department=department, reason="조직 개편 초안")
    cache.clear()
    assert client.get("/departments/민원여권과/").status_code == 200
    listing = client.get("/departments/").content.decode()
    assert "민원여권과" in listing and "민원여권정책과" not in listing
    _publish("12-1")
    cache.clear()
    assert "민원여권정책과" in client.get("/pledges/12-1/").content.decode()
    assert client.get("/departments/민원여권정책과/").status_code == 200


def test_an_official_moved_in_a_draft_stays_a_contact_of_the_published_department(client):
    from departments.models import Department

    official = Official.objects.filter(pledgeofficial__pledge__code="12-1").first()
    official.department = Department.objects.get(name="공공건축과")
    official_save(official=official, reason="전보 초안")
    cache.clear()
    before = client.get("/departments/민원여권과/").context["contacts"]
    assert official.pk in {o.pk for o in before}
    after = client.get("/departments/공공건축과/").context["contacts"]
    assert official.pk not in {o.pk for o in after}


def test_a_card_as_of_a_day_lists_no_later_publication(client):
    project = Project.objects.get(pledge__code="12-1", pledge__term__is_current=True)
    project_figures_update(
        project=project, cells={("executed", "total", "2025"): 944}, reason="2025 집행"
    )
    _publish("12-1")
    response = client.get("/pledges/12-1/?as_of=2026-01-31")
    assert [p.kind for p in response.context["pledge"].published_history] == ["seed"]


@pytest.mark.parametrize(
    "since", ["0001-01-01", "9999-12-31T23:59:59-12:00", "2026-W01", "20260101", "２026-01-01"]
)
def test_a_since_no_calendar_can_hold_is_a_400_not_a_500(client, since):
    response = client.get("/api/publications/", {"since": since})
    assert response.status_code == 400
    assert "since" in response.json()["fields"]


def test_the_api_says_why_a_card_is_missing_on_a_day_before_its_first_publication(client):
    response = client.get("/api/pledges/12-1/", {"as_of": "2025-12-31"})
    assert response.status_code == 404
    assert "2025. 12. 31." in response.json()["detail"]


def test_an_officials_role_is_searched_in_korean_whatever_language_published_it():
    from django.utils import translation

    pledge = Pledge.objects.get(code="12-2")
    pledge.objective += " (보완)"
    with translation.override("en"):
        pledge_save(pledge=pledge, reason="검색 확인")
        _publish("12-2")
    text = Publication.objects.get(code="12-2", superseded_at__isnull=True).search_text
    assert "팀장" in text
    assert "TEAM LEAD" not in text and "OFFICER" not in text


def test_a_list_page_reads_no_money_table_of_its_rows(client, django_assert_max_num_queries):
    """The list and the API list read the columns; a row's card is read back lazily and
    its money tables (the bulk of a snapshot) are never built for a list."""
    from publications import snapshots

    built = []
    original = snapshots.money_from_cells
    snapshots.money_from_cells = lambda *args: built.append(1) or original(*args)
    try:
        for url in ("/", "/pledges/", "/api/pledges/", "/api/pledges.csv", "/feed/"):
            cache.clear()
            response = client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
    finally:
        snapshots.money_from_cells = original
    assert built == []


def test_the_api_lists_the_target_year_the_card_published():
    publication = Publication.objects.get(code="12-8", superseded_at__isnull=True)
    assert publication.target_year == publication.card["pledge"]["target_year"]
    assert publication.target_year is not None


def test_the_about_page_lists_the_inferred_stages_only(client):
    inferred = Publication.objects.filter(superseded_at__isnull=True, stage_provenance="inferred")
    page = client.get("/about/").content.decode()
    for publication in Publication.objects.filter(superseded_at__isnull=True):
        row = f">{publication.code}</a></th>"
        assert (row in page) == inferred.filter(pk=publication.pk).exists(), publication.code
