"""Rows as they stood, read from the change history: the query kept per shape gives the
same rows as the query built anew, whatever ids, lists and moments it is given."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pledges.history import HistoryValues, rows_as_of, rows_union

from departments.models import Department, WorkPlanItem
from pledges import history
from pledges.models import Milestone, Pledge, Project

pytestmark = pytest.mark.django_db


def built_anew(when, parts) -> dict:
    """The same read without the kept query: the ORM builds it from the parts."""
    return rows_union(history._standing(when, parts))


def as_sets(rows: dict) -> dict:
    """Each label's rows as comparable values: model, and every field's value."""
    return {
        label: {
            (type(row).__name__, *(getattr(row, f.attname) for f in row._meta.concrete_fields))
            for row in found
        }
        for label, found in rows.items()
    }


def parts_of(pledge: Pledge) -> list:
    items = list(pledge.workplanlink_set.values_list("item_id", flat=True))
    return [
        ("pledge", Pledge, {"id": pledge.pk}),
        ("projects", Project, {"pledge_id": pledge.pk}),
        ("milestones", Milestone, {"pledge_id": pledge.pk}),
        ("items", WorkPlanItem, {"id__in": items}),
        (
            "item_departments",
            Department,
            {"id__in": HistoryValues(WorkPlanItem, "department_id", {"id__in": items})},
        ),
    ]


def test_kept_query_reads_each_pledge_its_own_rows():
    history._TEMPLATES.clear()
    now = timezone.now()
    seen = {}
    for pledge in Pledge.objects.order_by("pk"):
        parts = parts_of(pledge)
        rows = rows_as_of(now, parts)
        assert as_sets(rows) == as_sets(built_anew(now, parts)), pledge.code
        assert [p.code for p in rows["pledge"]] == [pledge.code]
        assert {m.pledge_id for m in rows["milestones"]} <= {pledge.pk}
        seen[pledge.code] = len(rows["milestones"])
    # the six cards have different numbers of milestones: one shape served them all
    assert len(set(seen.values())) > 1
    assert len([key for key in history._TEMPLATES if key[0] == connection.vendor]) <= 6


def test_kept_query_reads_the_rows_at_the_given_moment():
    pledge = Pledge.objects.get(code="12-1")
    before = timezone.now()
    pledge.title = "바뀐 제목"
    pledge.save()
    parts = [("pledge", Pledge, {"id": pledge.pk})]
    assert rows_as_of(before, parts)["pledge"][0].title != "바뀐 제목"
    assert rows_as_of(timezone.now(), parts)["pledge"][0].title == "바뀐 제목"
    long_ago = before - timedelta(days=365 * 30)
    assert rows_as_of(long_ago, parts) == {"pledge": []}


def test_empty_and_repeated_ids_read_like_the_orm():
    now = timezone.now()
    ids = list(Pledge.objects.values_list("pk", flat=True))
    for chosen in ([], [ids[0]], [ids[0], ids[0], ids[1]], ids):
        parts = [("pledges", Pledge, {"id__in": chosen})]
        assert as_sets(rows_as_of(now, parts)) == as_sets(built_anew(now, parts))
        assert len(rows_as_of(now, parts)["pledges"]) == len(set(chosen))


def test_kept_query_is_one_query_and_not_rebuilt():
    pledge = Pledge.objects.get(code="12-8")
    parts = parts_of(pledge)
    rows_as_of(timezone.now(), parts)
    kept = dict(history._TEMPLATES)
    with CaptureQueriesContext(connection) as queries:
        rows_as_of(timezone.now(), parts)
    assert len(queries) == 1
    assert history._TEMPLATES == kept


def test_a_kept_query_of_any_build_reads_the_rows_of_the_ids_it_is_given():
    """``rows_kept`` with the list page's kind of build: each id list read through the one
    kept query equals the ORM's read of the same list."""

    def build(values, _when):
        (ids,) = values
        return [("milestones", Milestone, Milestone.history.filter(pledge_id__in=ids), {})]

    pledges = list(Pledge.objects.order_by("pk").values_list("pk", flat=True))
    for ids in (pledges[:2], pledges[2:4], pledges[4:6], pledges[1:3]):
        kept = history.rows_kept(("test", 1), [ids], build)
        assert as_sets(kept) == as_sets(rows_union(build([ids], None)))
        assert {m.pledge_id for m in kept["milestones"]} <= set(ids)
    assert len([key for key in history._TEMPLATES if key[1:3] == ("test", 1)]) == 1
