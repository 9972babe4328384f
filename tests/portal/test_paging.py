"""Deep pages read ids first, from whichever end is nearer: same pages as Django's."""

import pytest
from django.core.paginator import Paginator

from pledges.models import Pledge, code_sort_key
from portal.filters import ORDERS
from portal.paging import DeepPaginator
from tests.factories import make_pledges

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["code", "rate", "updated"])
def test_every_page_matches_the_plain_paginator_in_every_sort(sort):
    make_pledges(40)
    for pledge in Pledge.objects.all():  # the factory bulk-creates without the stored key
        Pledge.objects.filter(pk=pledge.pk).update(sort_key=code_sort_key(pledge.code))
    Pledge.objects.filter(code__endswith="3").update(execution_rate=None)  # some without a rate
    ordered = Pledge.objects.filter(term__is_current=True).order_by(*ORDERS[sort])
    plain, deep = Paginator(ordered, 12), DeepPaginator(ordered, 12)
    assert deep.num_pages == plain.num_pages == 4  # 46 pledges
    for number in plain.page_range:
        assert [p.code for p in deep.page(number)] == [p.code for p in plain.page(number)]


def test_the_last_page_is_read_backwards_with_the_same_number_of_queries(
    django_assert_num_queries,
):
    make_pledges(40)
    ordered = Pledge.objects.order_by("term", "sort_key")
    deep = DeepPaginator(ordered, 12)
    deep.count  # noqa: B018 - counted once, like every page view
    with django_assert_num_queries(2):  # ids, then rows
        first = list(deep.page(1))
    with django_assert_num_queries(2):
        last = list(deep.page(deep.num_pages))
    assert len(first) == 12 and len(last) == Pledge.objects.count() - 12 * (deep.num_pages - 1)
    assert last[-1] == ordered.last()


def test_a_plain_list_is_paged_as_djangos_paginator_pages_it():
    """Pledges rebuilt as of a past day are a list, not a queryset: pages as usual."""
    rows = list(range(1, 30))
    deep, plain = DeepPaginator(rows, 12), Paginator(rows, 12)
    assert [list(deep.page(n)) for n in (1, 2, 3)] == [list(plain.page(n)) for n in (1, 2, 3)]
