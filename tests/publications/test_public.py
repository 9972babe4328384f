"""Citizens see the published state: a staff edit is a draft until a reviewer publishes it,
then it shows everywhere at once, with its change history."""

import csv
import io

import pytest
from django.utils import timezone

from budgets.services import project_figures_update
from pledges.dates import korean_time
from pledges.models import Pledge, Project
from publications.changes import line_text
from publications.models import Publication
from publications.services import publication_publish, publication_return, round_open
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LINE = "집행금액 2025: 900 → 944 백만원"


def edit_12_1():
    """Staff correct 12-1's 2025 execution (900 → 944) and its total (3,061 → 3,105)."""
    project_figures_update(
        project=Project.objects.get(pledge__code="12-1"),
        cells={("executed", "total", "2025"): 944, ("executed", "total", "total"): 3105},
        reason="정산 반영",
    )


def public_view(client) -> dict:
    """What an anonymous citizen reads of 12-1's executed total through every door."""
    page = client.get("/pledges/12-1/").content.decode()
    listing = client.get("/pledges/").content.decode()
    api = client.get("/api/pledges/12-1/").json()
    api_list = client.get("/api/pledges/").json()["results"]
    listed = b"".join(client.get("/api/pledges.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(listed)))
    figures = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/api/figures.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    feed = client.get("/feed/").content.decode()
    return {
        "page": "3,105" in page,
        "list": "3,105" in listing,
        "api": api["finance"]["executed_total"] if "finance" in api else None,
        "api_list": next(r["executed_total"] for r in api_list if r["code"] == "12-1"),
        "csv": next(int(r["executed_total"]) for r in rows if r["code"] == "12-1"),
        "figures_csv": [
            int(r["amount"])
            for r in figures
            if (r["pledge_code"], r["table"], r["source"], r["period"])
            == ("12-1", "executed", "total", "2025")
        ],
        "feed": LINE in feed,
    }


def test_a_staff_edit_is_invisible_to_citizens_until_published_then_everywhere_at_once(client):
    before = public_view(client)
    assert before["api_list"] == 3061 and before["csv"] == 3061
    assert before["figures_csv"] == [900]
    assert not before["page"] and not before["list"] and not before["feed"]
    edit_12_1()
    assert public_view(client) == before  # cached pages and fresh reads alike
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    after = public_view(client)
    assert after["page"] and after["list"] and after["feed"]
    assert (after["api_list"], after["csv"], after["figures_csv"]) == (3105, 3105, [944])


def test_returning_a_draft_changes_nothing_public(client):
    reviewer = make_user("reviewer")
    publication_round = round_open(
        term=Pledge.objects.get(code="12-1").term,
        name="2026년 상반기 점검",
        due_on=timezone.localdate(),
        by=reviewer,
    )
    before = public_view(client)
    edit_12_1()
    publication_return(
        pledge=Pledge.objects.get(code="12-1"),
        round=publication_round,
        by=reviewer,
        comment="증빙을 첨부해 주세요",
    )
    assert public_view(client) == before


def test_the_pledge_page_lists_every_publication_with_its_lines_and_that_day(client):
    edit_12_1()
    [publication] = publication_publish(
        pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"), note="상반기 점검"
    )
    html = client.get("/pledges/12-1/").content.decode()
    section = html.split('id="history-title"')[1].split("</section>")[0]
    day = timezone.localtime(publication.published_at).date().isoformat()
    assert section.count("<time ") == 2  # this publication and the seed
    assert LINE in section and "집행금액 계: 3,061 → 3,105 백만원" in section
    assert (
        "상반기 점검" in section and '<span class="date">2026. 1.</span> 현재 공표 자료' in section
    )
    assert f"as_of={day}" in section


def test_the_home_page_lists_publications_not_saves(client):
    edit_12_1()  # a save: not a change citizens see
    html = client.get("/").content.decode()
    recent = html.split('id="recent-title"')[1].split("</section>")[0]
    assert recent.count("<li>") == 5 and "최초 공표" in recent
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    recent = client.get("/").content.decode().split('id="recent-title"')[1].split("</section>")[0]
    first = recent.split("<li>")[1]
    assert "12-1" in first and "공표" in first and "2건 변경" in first


def test_the_home_page_lists_a_pledge_published_twice_once_with_its_latest_publication(client):
    reviewer = make_user("reviewer")
    edit_12_1()
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer)
    project_figures_update(
        project=Project.objects.get(pledge__code="12-1"),
        cells={("executed", "total", "2025"): 950, ("executed", "total", "total"): 3111},
        reason="재정산",
    )
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer)
    recent = client.get("/").content.decode().split('id="recent-title"')[1].split("</section>")[0]
    items = recent.split("<li>")[1:]
    assert len(items) == 5
    assert [item.count('class="code">12-1<') for item in items] == [1, 0, 0, 0, 0]
    latest = Publication.objects.filter(pledge__code="12-1").latest("published_at")
    assert f'datetime="{korean_time(latest.published_at).isoformat()}"' in items[0]


def test_the_feed_has_one_entry_per_publication_with_the_same_lines(client):
    feed = client.get("/feed/").content.decode()
    assert feed.count("<entry>") == Publication.objects.count() == 6
    edit_12_1()
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    feed = client.get("/feed/").content.decode()
    assert feed.count("<entry>") == 7
    newest = feed.split("<entry>")[1]
    assert "[12-1]" in newest and LINE in newest


def test_an_officials_new_phone_is_a_draft_of_the_pledges_card_until_published(client):
    """Names and phones are kept per official; the card shows them as published, the
    reviewer sees the change in the pledge's draft, and publishing shows it."""
    from departments.models import Official
    from departments.services import official_save
    from publications.selectors import pledge_draft_changes

    official = Official.objects.get(name="김경희")
    official.phone = "940-4199"
    official_save(official=official, reason="전화번호 변경")

    page = client.get("/pledges/12-1/").content.decode()
    assert "☎ 940-4188" in page and "940-4199" not in page
    api = client.get("/api/pledges/12-1/").content.decode()
    assert "940-4188" in api and "940-4199" not in api
    [line] = pledge_draft_changes(Pledge.objects.get(code="12-1"))
    assert line_text(line) == "담당자 연락처 변경: 팀장 김경희 940-4188 → 팀장 김경희 940-4199"

    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    page = client.get("/pledges/12-1/").content.decode()
    assert "☎ 940-4199" in page and "☎ 940-4188" not in page
    assert "940-4199" in client.get("/api/pledges/12-1/").content.decode()
    # the card as its first publication stood keeps the old phone
    from portal.selectors import pledge_card

    first = Publication.objects.filter(pledge__code="12-1").earliest("published_at")
    card = pledge_card("12-1", first.term, when=first.published_at)
    assert [link.official.phone for link in card.card.officials] == [
        "940-4180",
        "940-4188",
        "940-4173",
    ]


def test_a_department_pages_contacts_show_an_officials_phone_as_published(client):
    """The department page's contacts are the officials its published cards name, with
    the phones printed there: a new phone saved by staff is a draft until a card naming
    the official is published."""
    from departments.models import Official
    from departments.services import official_save

    official = Official.objects.get(name="김경희")
    url = f"/departments/{official.department.name}/"
    official.phone = "940-4199"
    official_save(official=official, reason="전화번호 변경")

    page = client.get(url).content.decode()
    assert "☎ 940-4188" in page and "940-4199" not in page

    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    page = client.get(url).content.decode()
    assert "☎ 940-4199" in page and "940-4188" not in page


def test_a_department_pages_contacts_leave_out_an_official_no_published_card_names(client):
    from departments.models import Official
    from departments.services import official_save

    department = Official.objects.get(name="김경희").department
    named = client.get(f"/departments/{department.name}/").content.decode().count('class="role"')
    official_save(
        official=Official(department=department, role="officer", name="새직원", phone="940-4100"),
        reason="신규 담당자",
    )
    page = client.get(f"/departments/{department.name}/").content.decode()
    assert "새직원" not in page and page.count('class="role"') == named


def _back(days: int, since=None) -> None:
    """Move the change history (rows written after ``since``, or all) and the publications
    ``days`` back in time: what happened "now" in the test happened then."""
    from datetime import timedelta

    from django.apps import apps
    from django.db.models import F

    shift = timedelta(days=days)
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            rows = model.objects.all()
            if since is not None:
                rows = rows.filter(history_date__gt=since)
            rows.update(history_date=F("history_date") - shift)
    rows = Publication.objects.all()
    if since is not None:
        rows = rows.filter(published_at__gt=since)
    rows.update(published_at=F("published_at") - shift)
    replaced = Publication.objects.filter(superseded_at__isnull=False)
    if since is not None:
        replaced = replaced.filter(superseded_at__gt=since)
    replaced.update(superseded_at=F("superseded_at") - shift)


def as_of_view(client, day) -> dict:
    """12-1's executed total in the as-of lists and downloads of ``day``."""
    query = f"as_of={day:%Y-%m-%d}"
    api_list = client.get(f"/api/pledges/?{query}").json()["results"]
    listed = b"".join(client.get(f"/api/pledges.csv?{query}").streaming_content)
    rows = list(csv.DictReader(io.StringIO(listed.decode("utf-8-sig"))))
    figures = b"".join(client.get(f"/api/figures.csv?{query}").streaming_content)
    cells = [
        int(r["amount"])
        for r in csv.DictReader(io.StringIO(figures.decode("utf-8-sig")))
        if (r["pledge_code"], r["table"], r["source"], r["period"])
        == ("12-1", "executed", "total", "2025")
    ]
    one = b"".join(client.get(f"/api/pledges/12-1/figures.csv?{query}").streaming_content)
    own = [
        int(r["amount"])
        for r in csv.DictReader(io.StringIO(one.decode("utf-8-sig")))
        if (r["table"], r["source"], r["period"]) == ("executed", "total", "2025")
    ]
    return {
        "api_list": next(r["executed_total"] for r in api_list if r["code"] == "12-1"),
        "csv": next(int(r["executed_total"]) for r in rows if r["code"] == "12-1"),
        "figures_csv": cells,
        "pledge_csv": own,
    }


def test_lists_as_of_a_day_show_what_was_published_then_not_the_drafts_of_that_day(client):
    """The seed was published 10 days ago; staff saved a draft 5 days ago; the reviewer
    published it today. As of 3 days ago the lists and downloads show the seed."""
    from django.utils import timezone

    _back(10)
    loaded = timezone.now()
    edit_12_1()
    _back(5, since=loaded)
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    today = timezone.localdate()
    from datetime import timedelta

    seed = {"api_list": 3061, "csv": 3061, "figures_csv": [900], "pledge_csv": [900]}
    assert as_of_view(client, today - timedelta(days=3)) == seed
    assert as_of_view(client, today - timedelta(days=7)) == seed
    assert as_of_view(client, today) == {
        "api_list": 3105,
        "csv": 3105,
        "figures_csv": [944],
        "pledge_csv": [944],
    }


def test_lists_as_of_a_day_show_a_publication_made_before_it(client):
    from datetime import timedelta

    from django.utils import timezone

    _back(10)
    loaded = timezone.now()
    edit_12_1()
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    _back(4, since=loaded)  # saved and published 4 days ago
    edit_12_1_again = Project.objects.get(pledge__code="12-1")
    project_figures_update(  # a draft of today, not published
        project=edit_12_1_again,
        cells={("executed", "total", "2025"): 990, ("executed", "total", "total"): 3151},
        reason="초안",
    )
    day = timezone.localdate() - timedelta(days=3)
    assert as_of_view(client, day) == {
        "api_list": 3105,
        "csv": 3105,
        "figures_csv": [944],
        "pledge_csv": [944],
    }
    assert as_of_view(client, timezone.localdate())["csv"] == 3105  # the draft stays out
    # before the seed's publication, nothing was published: the list is empty
    seed = Publication.objects.filter(kind="seed").earliest("published_at").published_at
    day_before = timezone.localtime(seed).date() - timedelta(days=1)
    before = client.get(f"/api/pledges/?as_of={day_before:%Y-%m-%d}")
    assert (before.status_code, before.json()["results"]) == (200, [])


def test_a_draft_does_not_move_a_published_search_result_until_published():
    """The rank reads the published row: 12-1 matches "콜센터" in its target (tier 1) as
    published; a draft that takes the word out of the target and puts it in the title
    changes nothing until the reviewer publishes it."""
    from pledges.services import pledge_save
    from publications.models import Publication

    def rank() -> int:
        standing = Publication.objects.filter(superseded_at__isnull=True)
        return standing.search("콜센터").get(code="12-1").search_rank

    assert rank() == 1
    pledge = Pledge.objects.get(code="12-1")
    pledge.title = "콜센터 원스톱 맞춤 행정서비스 체계 구축"
    pledge.target = "상담 창구 설치 및 운영"
    pledge_save(pledge=pledge, reason="초안")
    assert rank() == 1
    publication_publish(pledges=[pledge], by=make_user("reviewer"))
    assert rank() == 0


def test_an_official_moved_to_another_department_moves_on_the_pages_once_published(client):
    """The contacts are written at publication for every department the published cards'
    officials belong to or belonged to: the old department's page drops the official,
    the new one lists it, only once a card naming the official is published."""
    from departments.models import Department, Official
    from departments.services import official_save

    official = Official.objects.get(name="김경희")  # 민원여권과, on card 12-1
    old, new = official.department, Department.objects.get(name="자치협력과")
    assert old != new
    official.department = new
    official_save(official=official, reason="부서 이동")
    assert "김경희" in client.get(f"/departments/{old.name}/").content.decode()
    assert "김경희" not in client.get(f"/departments/{new.name}/").content.decode()

    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=make_user("reviewer"))
    assert "김경희" not in client.get(f"/departments/{old.name}/").content.decode()
    assert "김경희" in client.get(f"/departments/{new.name}/").content.decode()
