"""Query budgets of the publication admin's pages, with 216 pledges in the round: the
count does not grow with the rows (lists, the staff's home with its findings)."""

from datetime import date

import pytest
from django.urls import reverse

from pledges.models import Term
from publications.models import PledgeReview
from publications.services import round_open
from tests.factories import department_staff, reviewer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hundreds_of_pledges")]


@pytest.fixture
def round_():
    return round_open(
        term=Term.objects.get(is_current=True), name="점검", due_on=date(2026, 6, 30), by=None
    )


class TestQueryBudgets:
    def test_the_queue_list(self, client, round_, django_assert_max_num_queries):
        client.force_login(reviewer())
        with django_assert_max_num_queries(QUEUE):
            response = client.get(reverse("admin:publications_pledgereview_changelist"))
        assert response.status_code == 200 and len(response.context["cl"].result_list) == 100

    def test_a_review_page(self, client, round_, django_assert_max_num_queries):
        client.force_login(reviewer())
        review = PledgeReview.objects.get(round=round_, pledge__code="99-7")
        url = reverse("admin:publications_pledgereview_change", args=[review.pk])
        with django_assert_max_num_queries(REVIEW):
            assert client.get(url).status_code == 200

    def test_the_staff_home_with_213_pledges_and_their_findings(
        self, client, round_, django_assert_max_num_queries
    ):
        client.force_login(department_staff("gonggong", departments=("공공건축과",)))
        with django_assert_max_num_queries(STAFF_HOME):
            response = client.get(reverse("admin:index"))
        (home,) = response.context["publication_rounds"]
        assert len(home.tasks) == 213

    def test_the_reviewer_home(self, client, round_, django_assert_max_num_queries):
        client.force_login(reviewer())
        with django_assert_max_num_queries(REVIEWER_HOME):
            response = client.get(reverse("admin:index"))
        (home,) = response.context["publication_rounds"]
        assert sum(sum(row["cells"]) for row in home.progress) == 216

    def test_the_rounds_and_publications_lists(self, client, round_, django_assert_max_num_queries):
        client.force_login(reviewer())
        for name in ("publicationround", "publication"):
            with django_assert_max_num_queries(LISTS):
                assert (
                    client.get(reverse(f"admin:publications_{name}_changelist")).status_code == 200
                )


# a little room over what each page reads; REVIEW: the draft's card is read live as plain
# values (one query a table: the pledge, its vision, its rows, cells, officials, items,
# departments) beside the standing snapshot it is compared with
QUEUE, REVIEW, STAFF_HOME, REVIEWER_HOME, LISTS = 12, 38, 22, 10, 12
