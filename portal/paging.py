"""Pages of pledges that stay fast however deep they are.

Django's ``Paginator`` reads page *n* with ``LIMIT … OFFSET (n-1)·size`` over whole
rows: at 50,000 pledges the last page makes PostgreSQL fetch and discard ~50,000 rows.
``DeepPaginator`` reads a page in two steps: first only the ids (from an index that
carries them: an index-only scan), walking from whichever end of the ordering is
nearer, then the page's whole rows by id. The last page costs what the first does.
The ordering must be total (every pledge sort ends with ``sort_key``, unique within a
term), so that reading backwards gives the same pages. A plain list (pledges rebuilt as
of a past day) is paged as Django's ``Paginator`` pages it.

The HTML list, a department's pledges and the open-data list (``DeepPagination``, DRF)
page with it.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


class DeepPaginator(Paginator):
    # columns read with the ids (e.g. a search's rank), kept as ``extras`` {pk: values}
    extra_fields: tuple[str, ...] = ()
    # True when ``count`` is a lower bound (the list holds more rows than it says): pages
    # are then read from the start of the ordering only
    more = False

    def page(self, number) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        ids = self.page_ids(number)
        rows = self.rows(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def rows(self, ids: list) -> dict:
        """{pk: row} of a page's ids (one query)."""
        return self.object_list.in_bulk(ids)

    def page_ids(self, number: int) -> list:
        """The ids of page ``number``, read from whichever end of the ordering is nearer."""
        return self.ordered_page_ids(self.object_list, ("pk", *self.extra_fields), number)

    def ordered_page_ids(self, queryset: QuerySet, fields: tuple[str, ...], number: int) -> list:
        """The ids of page ``number`` of ``queryset`` (its ordering total), the other
        ``fields`` kept as ``extras``: from whichever end is nearer, when the count is known."""
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom > self.count // 2 and not self.more:  # nearer the end: walk it reversed
            rows = list(
                queryset.reverse().values_list(*fields)[self.count - top : self.count - bottom]
            )[::-1]
        else:
            rows = list(queryset.values_list(*fields)[bottom:top])
        self.extras = {row[0]: row[1:] for row in rows}
        return [row[0] for row in rows]


class DeepPagination(PageNumberPagination):
    """DRF's numbered pages (``?page=N``, ``count``/``next``/``previous``) read like the
    HTML list's: the last page of 50,000 pledges costs what the first does."""

    django_paginator_class = DeepPaginator
