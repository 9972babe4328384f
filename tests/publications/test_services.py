"""Publishing: the seed is the first publication; a publication records exactly what changed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.services import project_figures_update
from pledges.cache import public_version
from pledges.models import Pledge, Project, Term
from pledges.services import pledge_save
from publications.changes import line_text
from publications.models import (
    PledgeReview,
    Publication,
    PublicationKind,
    PublicationRound,
    ReviewStatus,
)
from publications.selectors import pledge_draft_changes, pledges_with_drafts, round_progress
from publications.services import (
    SEED_NOTE,
    publication_publish,
    publication_return,
    round_close,
    round_open,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return make_user("reviewer")


def edit_executed_2025(code="12-7", amount=9466, total=14582):
    project = Project.objects.get(pledge__code=code, pledge__term__is_current=True)
    project_figures_update(
        project=project,
        cells={("executed", "total", "2025"): amount, ("executed", "total", "total"): total},
        reason="2025 집행 정산",
    )


def test_the_seed_is_one_first_publication_per_pledge_by_no_one():
    pledges = Pledge.objects.count()
    seeds = Publication.objects.filter(kind=PublicationKind.SEED)
    assert seeds.count() == pledges
    assert {(p.note, p.published_by, str(p.changes)) for p in seeds} == {(SEED_NOTE, None, "[]")}
    assert Publication.objects.filter(superseded_at__isnull=True).count() == pledges


def test_a_publication_lists_exactly_the_cells_that_changed(reviewer):
    edit_executed_2025()
    [publication] = publication_publish(
        pledges=Pledge.objects.filter(code="12-7"), by=reviewer, note="상반기"
    )
    assert [line_text(line) for line in publication.changes] == [
        "집행금액 2025: 9,459 → 9,466 백만원",
        "집행금액 계: 14,575 → 14,582 백만원",
    ]
    assert publication.published_by == reviewer
    assert publication.kind == PublicationKind.REGULAR
    summary = Publication.objects.filter(superseded_at__isnull=True).get(pledge__code="12-7")
    assert (summary, summary.executed_total) == (publication, 14582)


def test_a_pledge_with_nothing_changed_is_not_published_again(reviewer):
    edit_executed_2025()
    pledges = Pledge.objects.filter(code__in=["12-7", "12-1"])
    first = publication_publish(pledges=pledges, by=reviewer)
    second = publication_publish(pledges=pledges, by=reviewer)
    assert [p.pledge.code for p in first] == ["12-7"]
    assert second == []
    assert Publication.objects.filter(pledge__code="12-7").count() == 2


def test_a_stage_change_is_one_line_with_its_date_and_reason(reviewer):
    pledge = Pledge.objects.get(code="12-1", term__is_current=True)
    old = pledge.get_stage_display()
    pledge.stage = "infeasible" if pledge.stage != "infeasible" else "in_progress"
    pledge_save(pledge=pledge, stage_changed_on=date(2026, 3, 2), reason="예산 미확보")
    [line] = pledge_draft_changes(pledge)
    assert line_text(line) == (
        f"단계 {old} → {pledge.get_stage_display()} (2026-03-02), 사유 예산 미확보"
    )
    [publication] = publication_publish(pledges=[pledge], by=reviewer)
    assert publication.changes == [line]
    assert pledge_draft_changes(pledge) == []


def test_drafts_are_the_pledges_changed_since_their_publication(reviewer):
    assert pledges_with_drafts() == []
    edit_executed_2025()
    [draft] = pledges_with_drafts()
    assert draft.code == "12-7"
    assert len(draft.draft_changes) == 2


def test_publishing_moves_the_public_version_once_and_staff_saves_do_not(reviewer):
    before = public_version()
    edit_executed_2025()
    pledge = Pledge.objects.get(code="12-1", term__is_current=True)
    pledge.target = pledge.target + " (수정)"
    pledge_save(pledge=pledge, reason="오타")
    assert public_version() == before
    published = publication_publish(pledges=Pledge.objects.all(), by=reviewer)
    assert len(published) == 2
    assert public_version() == before + 1


def test_returning_a_draft_leaves_the_public_state_unchanged(reviewer):
    term = Term.objects.get(is_current=True)
    publication_round = round_open(
        term=term, name="2026년 상반기 점검", due_on=date(2026, 6, 30), by=reviewer
    )
    edit_executed_2025()
    pledge = Pledge.objects.get(code="12-7", term=term)
    version, publications = public_version(), Publication.objects.count()
    review = publication_return(
        pledge=pledge, round=publication_round, by=reviewer, comment="증빙 첨부 바랍니다"
    )
    assert (review.status, review.returned_by) == (ReviewStatus.RETURNED, reviewer)
    assert (public_version(), Publication.objects.count()) == (version, publications)
    assert (
        Publication.objects.filter(superseded_at__isnull=True).get(pledge=pledge).executed_total
        == 14575
    )
    with pytest.raises(ValidationError):
        publication_return(pledge=pledge, round=publication_round, by=reviewer, comment=" ")


def test_a_round_holds_every_pledge_of_its_term_and_only_one_is_open(reviewer):
    term = Term.objects.get(is_current=True)
    publication_round = round_open(
        term=term, name="2026년 상반기 점검", due_on=date(2026, 6, 30), by=reviewer
    )
    count = Pledge.objects.filter(term=term).count()
    assert (
        PledgeReview.objects.filter(round=publication_round, status="needs_update").count() == count
    )
    with pytest.raises(ValidationError), transaction.atomic():
        round_open(term=term, name="또 하나", due_on=date(2026, 6, 30), by=reviewer)
    edit_executed_2025()
    publication_publish(
        pledges=Pledge.objects.filter(code="12-7"), by=reviewer, round=publication_round
    )
    assert (
        PledgeReview.objects.get(round=publication_round, pledge__code="12-7").status == "published"
    )
    progress = {row["department"]: row for row in round_progress(publication_round)}
    department = Pledge.objects.get(code="12-7", term=term).department.name
    assert progress[department]["published"] == 1
    round_close(round=publication_round, by=reviewer)
    with pytest.raises(ValidationError):
        publication_publish(
            pledges=Pledge.objects.filter(code="12-7"), by=reviewer, round=publication_round
        )
    round_open(term=term, name="하반기", due_on=date(2026, 12, 31), by=reviewer)
    assert PublicationRound.objects.filter(term=term, closed_at__isnull=True).count() == 1


def test_the_database_refuses_two_publications_of_a_pledge_at_one_moment():
    publication = Publication.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(pledge=publication.pledge, published_at=publication.published_at)


def test_a_figure_id_freed_by_a_deletion_and_taken_by_another_pledge_stays_out_of_its_diff(
    reviewer,
):
    """PostgreSQL may hand a deleted row's id to a new row (a sequence can step back after
    a restart); the load test met it: 12-9's deleted cell came back as a 12-7 cell under
    the same id, and the review queue crashed reading 12-9's draft."""
    from budgets.models import BudgetFigure

    nine = Project.objects.get(pledge__code="12-9", pledge__term__is_current=True)
    seven = Project.objects.get(pledge__code="12-7", pledge__term__is_current=True)
    project_figures_update(project=nine, cells={("executed", "total", "2025"): 5001}, reason="a")
    publication_publish(pledges=Pledge.objects.filter(code="12-9"), by=reviewer)
    freed = BudgetFigure.objects.get(project=nine, kind="executed", period="2025").pk
    project_figures_update(
        project=nine, cells={("executed", "total", "2025"): None}, reason="b", allow_unpublish=True
    )
    BudgetFigure.objects.create(
        pk=freed, project=seven, kind="executed", source="total", period="2026", amount=1001
    )

    nine_lines = [line_text(line) for line in pledge_draft_changes(nine.pledge)]
    seven_lines = [line_text(line) for line in pledge_draft_changes(seven.pledge)]
    assert nine_lines == ["집행금액 2025: 5,001 → 없음 백만원"]
    assert seven_lines == ["집행금액 2026: 없음 → 1,001 백만원"]
