"""The publication workflow in the admin: rounds, the reviewer's queue, decisions, homes.

Staff edit 12-1 (민원여권과) through the services the admin calls; the reviewer opens a
round, reads the draft against the last publication, publishes or returns it. What the
public sees is checked with an anonymous client on the open data (its values are read
fresh, never page-cached).
"""

from datetime import date

import pytest
from django.urls import reverse

from budgets.models import BudgetFigure
from budgets.services import project_figures_update
from core.locking import record_version
from pledges.models import Pledge, Project, Stage
from pledges.services import pledge_save
from publications.forms import draft_digest
from publications.models import PledgeReview, Publication, PublicationRound, ReviewStatus
from publications.selectors import pledge_draft_changes
from publications.services import round_open
from tests.factories import auditor, department_staff, make_user, reviewer

pytestmark = pytest.mark.django_db

EXECUTED_2025 = ("executed", "total", "2025")


@pytest.fixture
def round_():
    from pledges.models import Term

    return round_open(
        term=Term.objects.get(is_current=True),
        name="2026년 상반기 점검",
        due_on=date(2026, 6, 30),
        by=None,
    )


@pytest.fixture
def staff():
    return department_staff("minwon", departments=("민원여권과",))


def staff_edits_12_1(staff, amount: int = 950) -> None:
    """The department changes 12-1's executed 2025 (published 900) as the grid does."""
    project = Project.objects.get(pledge__code="12-1")
    project_figures_update(
        project=project, cells={EXECUTED_2025: amount}, reason="2025 결산 반영", user=staff
    )


def public_executed_2025(client, code: str = "12-1") -> int:
    card = client.get(f"/api/pledges/{code}/").json()
    return next(
        c["amount"]
        for c in card["figures"]
        if (c["table"], c["source"], c["period"]) == EXECUTED_2025
    )


def review_of(round_, code: str) -> PledgeReview:
    return PledgeReview.objects.get(round=round_, pledge__code=code)


def review_url(review: PledgeReview) -> str:
    return reverse("admin:publications_pledgereview_change", args=[review.pk])


def decision_post(client, review: PledgeReview, **data):
    """The review page's form as the reviewer sends it: the version and draft they saw."""
    form = client.get(review_url(review)).context["adminform"].form
    payload = {"version": form["version"].initial, "draft": form["draft"].initial, **data}
    return client.post(review_url(review), payload)


def test_opening_a_round_in_the_admin_gives_every_pledge_of_the_term_a_review(client):
    client.force_login(reviewer())
    term = Pledge.objects.get(code="12-1").term
    response = client.post(
        reverse("admin:publications_publicationround_add"),
        {"term": term.pk, "name": "2026년 상반기 점검", "due_on": "2026-06-30"},
    )
    assert response.status_code == 302
    opened = PublicationRound.objects.get()
    assert opened.opened_by.username == "reviewer" and opened.closed_at is None
    assert sorted(review.pledge.code for review in PledgeReview.objects.filter(round=opened)) == [
        "12-1",
        "12-2",
        "12-3",
        "12-7",
        "12-8",
        "12-9",
    ]


def test_a_second_open_round_of_the_term_is_refused_with_a_message(client, round_):
    client.force_login(reviewer())
    response = client.post(
        reverse("admin:publications_publicationround_add"),
        {"term": round_.term_id, "name": "또 하나", "due_on": "2026-07-31"},
    )
    assert response.status_code == 200
    assert PublicationRound.objects.count() == 1
    assert response.context["adminform"].form.errors


def test_the_reviewer_closes_a_round_and_its_reviews_are_no_longer_decided(client, round_):
    client.force_login(reviewer())
    response = client.post(
        reverse("admin:publications_publicationround_changelist"),
        {"action": "close_rounds", "_selected_action": [round_.pk]},
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.closed_at is not None
    response = client.post(review_url(review_of(round_, "12-1")), {"decision": "publish"})
    assert response.status_code == 403


def test_the_review_page_shows_the_draft_against_the_published_state(client, round_, staff):
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    response = client.get(review_url(review_of(round_, "12-1")))
    assert response.status_code == 200
    lines = response.context["draft_changes"]
    assert [(c["old"], c["new"]) for c in lines if c["kind"] == "figure"] == [(900, 950)]
    (row,) = response.context["draft_rows"]
    assert (row["old"], row["new"]) == ("900 백만원", "950 백만원") and "2025" in row["label"]
    page = response.content.decode()
    assert "950 백만원" in page and "id_decision_0" in page and "결정 저장" in page


def test_the_reviewer_publishes_one_pledge_with_a_note(client, round_, staff):
    staff_edits_12_1(staff)
    assert public_executed_2025(client) == 900  # a draft: the public sees the publication
    client.force_login(reviewer())
    review = review_of(round_, "12-1")
    response = decision_post(client, review, decision="publish", message="2025 결산 반영")
    assert response.status_code == 302
    publication = Publication.objects.filter(pledge__code="12-1").latest("published_at")
    assert publication.note == "2025 결산 반영"
    assert publication.published_by.username == "reviewer" and publication.round == round_
    assert [(c["old"], c["new"]) for c in publication.changes if c["kind"] == "figure"] == [
        (900, 950)
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    client.logout()
    assert public_executed_2025(client) == 950


def test_returning_a_draft_leaves_the_public_state_unchanged(client, round_, staff):
    before = Publication.objects.count()
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    review = review_of(round_, "12-1")
    response = decision_post(client, review, decision="return", message="증빙을 첨부해 주세요")
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED
    assert review.comment == "증빙을 첨부해 주세요" and review.returned_by.username == "reviewer"
    assert Publication.objects.count() == before
    client.logout()
    assert public_executed_2025(client) == 900
    # the draft is still there for the department to fix
    assert (
        BudgetFigure.objects.get(
            project__pledge__code="12-1", kind="executed", source="total", period="2025"
        ).amount
        == 950
    )


def test_returning_without_a_comment_is_refused(client, round_, staff):
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    review = review_of(round_, "12-1")
    response = decision_post(client, review, decision="return", message="  ")
    assert response.status_code == 200
    assert "반려할 때는" in str(response.context["adminform"].form.errors["message"])
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEEDS_UPDATE


def test_a_decision_on_a_draft_changed_since_the_page_was_opened_is_refused(client, round_, staff):
    staff_edits_12_1(staff, 950)
    client.force_login(reviewer())
    review = review_of(round_, "12-1")
    form = client.get(review_url(review)).context["adminform"].form
    staff_edits_12_1(staff, 990)  # the department saves again meanwhile
    before = Publication.objects.count()
    response = client.post(
        review_url(review),
        {
            "version": form["version"].initial,
            "draft": form["draft"].initial,
            "decision": "publish",
            "message": "",
        },
    )
    assert response.status_code == 200
    assert "다시 고쳤습니다" in str(response.context["adminform"].form.non_field_errors())
    assert Publication.objects.count() == before


def test_two_reviewers_publishing_the_same_draft_yield_one_publication(client, round_, staff):
    staff_edits_12_1(staff)
    first, second = reviewer("reviewer-1"), reviewer("reviewer-2")
    review = review_of(round_, "12-1")
    before = Publication.objects.filter(pledge__code="12-1").count()
    client.force_login(first)
    form = client.get(review_url(review)).context["adminform"].form
    payload = {"version": form["version"].initial, "draft": form["draft"].initial}
    other = type(client)()
    other.force_login(second)
    other_form = other.get(review_url(review)).context["adminform"].form
    other_payload = {"version": other_form["version"].initial, "draft": other_form["draft"].initial}
    assert client.post(review_url(review), {**payload, "decision": "publish"}).status_code == 302
    # the second reviewer's page is now stale (the review moved): refused, nothing added
    response = other.post(review_url(review), {**other_payload, "decision": "publish"})
    assert response.status_code == 200
    assert Publication.objects.filter(pledge__code="12-1").count() == before + 1


def test_batch_publish_from_the_queue_publishes_the_changed_and_skips_the_unchanged(
    client, round_, staff
):
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    selected = [review_of(round_, "12-1").pk, review_of(round_, "12-2").pk]
    changelist = reverse("admin:publications_pledgereview_changelist")
    confirm = client.post(changelist, {"action": "publish_selected", "_selected_action": selected})
    assert confirm.status_code == 200
    assert [review.pledge.code for review, _changes in confirm.context["shown"]] == [
        "12-1",
        "12-2",
    ]
    draft = confirm.context["form"]["draft"].initial
    before = Publication.objects.count()
    response = client.post(
        changelist,
        {
            "action": "publish_selected",
            "_selected_action": selected,
            "apply": "yes",
            "draft": draft,
            "message": "상반기 공표",
        },
    )
    assert response.status_code == 302
    added = Publication.objects.order_by("-pk")[: Publication.objects.count() - before]
    assert [(p.pledge.code, p.note) for p in added] == [("12-1", "상반기 공표")]


def test_department_staff_cannot_publish_or_return_even_with_a_forged_post(client, round_, staff):
    staff_edits_12_1(staff)
    client.force_login(staff)
    review = review_of(round_, "12-1")
    before = Publication.objects.count()
    assert client.get(review_url(review)).status_code == 200  # their own draft, read-only
    changes = {review.pledge_id: pledge_draft_changes(review.pledge)}
    forged = {
        "version": record_version(review),
        "draft": draft_digest(changes),
        "decision": "publish",
        "message": "x",
    }
    assert client.post(review_url(review), forged).status_code == 403
    assert client.post(review_url(review), {**forged, "decision": "return"}).status_code == 403
    changelist = reverse("admin:publications_pledgereview_changelist")
    for action in ("publish_selected", "return_selected"):
        response = client.post(
            changelist,
            {
                "action": action,
                "_selected_action": [review.pk],
                "apply": "yes",
                "draft": forged["draft"],
                "message": "x",
            },
        )
        assert response.status_code == 403
    add_round = reverse("admin:publications_publicationround_add")
    assert client.post(add_round, {"term": round_.term_id, "name": "x"}).status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEEDS_UPDATE
    assert Publication.objects.count() == before


def test_the_auditor_sees_rounds_reviews_and_publications_and_changes_nothing(client, round_):
    client.force_login(auditor())
    review = review_of(round_, "12-1")
    for url in (
        reverse("admin:publications_publicationround_changelist"),
        reverse("admin:publications_publicationround_change", args=[round_.pk]),
        reverse("admin:publications_pledgereview_changelist"),
        review_url(review),
        reverse("admin:publications_publication_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.post(review_url(review), {"decision": "publish"}).status_code == 403
    response = client.post(
        reverse("admin:publications_publicationround_changelist"),
        {"action": "close_rounds", "_selected_action": [round_.pk]},
    )
    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.closed_at is None


def test_the_reviewer_cannot_change_any_card_through_any_door(client, round_):
    """Figures, stages, milestones and officials stay the departments' to write."""
    from departments.models import Official

    client.force_login(reviewer())
    pledge = Pledge.objects.get(code="12-1")
    project = Project.objects.get(pledge=pledge)
    figure = BudgetFigure.objects.filter(project=project).first()
    official = Official.objects.filter(department=pledge.department).first()
    versions = {obj: record_version(obj) for obj in (pledge, project, figure, official)}
    doors = [
        (reverse("admin:pledges_pledge_change", args=[pledge.pk]), {"stage": Stage.IN_PROGRESS}),
        (reverse("admin:pledges_project_change", args=[project.pk]), {"name": "x"}),
        (reverse("admin:budgets_budgetfigure_change", args=[figure.pk]), {"amount": "1"}),
        (
            reverse("admin:budgets_budgetfigure_grid", args=[project.pk]),
            {"cell__executed__total__2025": "1"},
        ),
        (reverse("admin:budgets_budgetfigure_import"), {}),
        (reverse("admin:budgets_budgetfigure_process_import"), {"import_token": "x"}),
        (reverse("admin:departments_official_change", args=[official.pk]), {"name": "x"}),
        (reverse("admin:pledges_pledge_add"), {}),
        (reverse("admin:pledges_project_delete", args=[project.pk]), {"post": "yes"}),
    ]
    for url, data in doors:
        assert client.post(url, data).status_code == 403, url
    for obj, version in versions.items():
        obj.refresh_from_db()
        assert record_version(obj) == version
    # a stage change needs the pledge's change form: read-only for the reviewer
    response = client.get(reverse("admin:pledges_pledge_change", args=[pledge.pk]))
    assert response.status_code == 200 and not response.context["has_change_permission"]


def test_staff_home_lists_their_pledges_to_update_findings_and_returned_comments(
    client, round_, staff
):
    staff_edits_12_1(staff)
    reviewing = make_user("boss", superuser=True)
    client.force_login(reviewing)
    decision_post(client, review_of(round_, "12-1"), decision="return", message="근거 자료 필요")
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    (home,) = response.context["publication_rounds"]
    assert [(t.review.pledge.code, t.review.status) for t in home.tasks] == [
        ("12-1", ReviewStatus.RETURNED)
    ]
    page = response.content.decode()
    assert "근거 자료 필요" in page and "2026년 상반기 점검" in page and "12-7" not in page
    # the findings shown are the data-quality rules' on each pledge
    from budgets.quality import contexts_for, pledge_findings

    pledges = [t.review.pledge for t in home.tasks]
    expected = [len(pledge_findings(c)) for c in contexts_for(pledges)]
    assert [len(t.findings) for t in home.tasks] == expected


def test_reviewer_home_shows_progress_per_department(client, round_, staff):
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    decision_post(client, review_of(round_, "12-1"), decision="publish", message="")
    response = client.get(reverse("admin:index"))
    (home,) = response.context["publication_rounds"]
    rows = {row["department"]: row["cells"] for row in home.progress}
    # cells in ReviewStatus order: 갱신 필요, 검토 대기, 반려, 공표
    assert rows == {
        "공공건축과": [3, 0, 0, 0],
        "민원여권과": [0, 0, 0, 1],
        "자치협력과": [1, 0, 0, 0],
        "행정지원과": [1, 0, 0, 0],
    }


def test_pledge_stage_draft_shows_date_and_reason_on_the_review_page(client, round_, staff):
    pledge = Pledge.objects.get(code="12-1")
    pledge.stage = Stage.IN_PROGRESS  # published: 완료
    pledge_save(
        pledge=pledge, stage_changed_on=date(2026, 3, 2), user=staff, reason="운영 재개 준비"
    )
    client.force_login(reviewer())
    lines = client.get(review_url(review_of(round_, "12-1"))).context["draft_changes"]
    stage = [c for c in lines if c["kind"] == "stage"]
    assert len(stage) == 1 and stage[0]["old"].startswith("완료")
    assert stage[0]["new"].startswith("추진") and "운영 재개 준비" in stage[0]["reason"]


def ready_url(review: PledgeReview) -> str:
    return reverse("admin:publications_pledgereview_ready", args=[review.pk])


def test_staff_send_their_update_for_review_and_the_reviewer_sees_it_waiting(client, round_, staff):
    staff_edits_12_1(staff)
    client.force_login(staff)
    review = review_of(round_, "12-1")
    assert "review-ready" in client.get(reverse("admin:index")).content.decode()
    assert client.get(ready_url(review)).status_code == 405
    assert client.post(ready_url(review)).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    client.force_login(reviewer())
    waiting = client.get(
        reverse("admin:publications_pledgereview_changelist"), {"status__exact": "draft"}
    )
    assert [r.pledge.code for r in waiting.context["cl"].result_list] == ["12-1"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff_other", 404), ("reviewer", 403), ("auditor", 403), ("anonymous", 302)],
)
def test_only_the_pledges_department_may_send_it_for_review(client, round_, role, status):
    users = {
        "staff_other": lambda: department_staff("other", departments=("공공건축과",)),
        "reviewer": reviewer,
        "auditor": auditor,
    }
    if role in users:
        client.force_login(users[role]())
    review = review_of(round_, "12-1")
    response = client.post(ready_url(review))
    assert response.status_code == status
    if role == "anonymous":
        assert "/admin/login/" in response["Location"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEEDS_UPDATE


def test_batch_publish_of_every_pledge_of_the_list_sends_no_ids_back(client, round_, staff):
    """ "Select all" of a filtered list (as the admin's JavaScript sends it: the page's ids
    and select_across) comes back as select_across, not one field per id."""
    staff_edits_12_1(staff)
    client.force_login(reviewer())
    changelist = reverse("admin:publications_pledgereview_changelist")
    query = f"?round__id__exact={round_.pk}"
    selection = {
        "action": "publish_selected",
        "select_across": "1",
        "_selected_action": [review_of(round_, "12-1").pk, review_of(round_, "12-7").pk],
    }
    confirm = client.post(changelist + query, selection)
    assert confirm.status_code == 200 and len(confirm.context["reviews"]) == 6
    page = confirm.content.decode()
    assert 'name="select_across" value="1"' in page
    assert page.count('name="_selected_action"') == 1
    before = Publication.objects.count()
    response = client.post(
        changelist + query,
        {
            "action": "publish_selected",
            "select_across": "1",
            "_selected_action": [confirm.context["reviews"][0].pk],
            "apply": "yes",
            "draft": confirm.context["form"]["draft"].initial,
        },
    )
    assert response.status_code == 302
    assert list(
        Publication.objects.order_by("-pk")[: Publication.objects.count() - before].values_list(
            "pledge__code", flat=True
        )
    ) == ["12-1"]  # the five unchanged pledges are skipped, their reviews confirmed
    assert set(PledgeReview.objects.filter(round=round_).values_list("status", flat=True)) == {
        ReviewStatus.PUBLISHED
    }


def test_the_reviewer_moves_a_rounds_due_date_on_its_page(client, round_):
    client.force_login(reviewer())
    url = reverse("admin:publications_publicationround_change", args=[round_.pk])
    form = client.get(url).context["adminform"].form
    response = client.post(
        url,
        {
            "name": "2026년 상반기 점검",
            "due_on": "2026-07-15",
            "change_reason": "부서 요청으로 연장",
            "version": form["version"].initial,
        },
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.due_on == date(2026, 7, 15) and round_.term.is_current
