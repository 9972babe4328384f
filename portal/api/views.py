"""Open data API: read-only, anonymous, throttled per client, ETag/Last-Modified with 304s,
``Access-Control-Allow-Origin: *``. Shapes come from ``portal.opendata``, reads from
``portal.selectors``; every 400 says what was wrong in Korean and English.
"""

import csv
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import wraps

import xlsxwriter
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.generic import TemplateView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from budgets.finance import rate_definitions
from pledges.cache import public_version_stamp
from pledges.forms import PledgeFilterForm
from pledges.models import Pledge
from pledges.particles import josa
from pledges.spreadsheet import spreadsheet_safe
from publications.models import PublishedPledge

from .. import selectors
from ..opendata import (
    FIGURE_COLUMNS,
    LIST_FIELDS,
    MILESTONE_COLUMNS,
    figure_rows,
    milestone_rows,
    pledge_detail,
    pledge_summaries,
)
from ..paging import DeepPagination
from . import serializers
from .datapackage import describe
from .filters import PledgeFilter

API_PAGE_SIZE = 100
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Headers every open-data response carries --------------------------------------------


def open_data(view: Callable) -> Callable:
    """ETag (data version + URL) and Last-Modified (when the data last changed), 304 when
    the client has them; ``Access-Control-Allow-Origin: *`` so a newsroom's page can call."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        version, changed_at = public_version_stamp()
        url = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:20]
        etag = quote_etag(f"v{version}-{url}")
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = None
        if request.method in ("GET", "HEAD"):
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=None
            )
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                response["ETag"] = etag
                if last_modified:
                    response["Last-Modified"] = http_date(last_modified)
        if request.method in ("GET", "HEAD"):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, X-Data-As-Of"
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapper


def exception_handler(exc, context):
    """Errors as ``{"error", "detail", "fields"?}``: the detail in Korean / English."""
    if isinstance(exc, selectors.BadQuery):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = {
            name: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            for name, messages in (exc.detail.items() if isinstance(exc.detail, dict) else [])
        }
        query = context["request"].query_params
        wrong = ", ".join(f"{name}={query.get(name)!r}" for name in fields)
        response.data = {
            "error": "bad_request",
            "detail": f"잘못된 요청 값: {wrong}. / Invalid query value: {wrong}. "
            + " ".join(m for messages in fields.values() for m in messages),
            "fields": fields,
        }
    elif isinstance(exc, exceptions.NotFound):
        code = context["kwargs"].get("code")
        what = (
            f"공약 {josa(code, '이/가')} 없습니다 / no pledge {code}"
            if code
            else "없습니다 / not found"
        )
        response.data = {"error": "not_found", "detail": what}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = {
            "error": "throttled",
            "detail": f"요청이 너무 많습니다: {wait}초 뒤에 다시 요청하세요. / "
            f"Too many requests: retry in {wait} s.",
        }
    else:
        response.data = {"error": exc.default_code, "detail": str(exc.detail)}
    return response


class OpenDataView(GenericAPIView):
    """Read-only, anonymous; errors always JSON, whatever the client accepts."""

    http_method_names = ["get", "head", "options"]

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type

    def shown(self) -> tuple:
        """The term (``?term=``) and the as-of moment (``?as_of=``) asked for; 400 if bad."""
        term = selectors.term_asked(self.request.query_params.get("term"))
        return term, selectors.as_of_moment(self.request.query_params.get("as_of"), term)


TERM = OpenApiParameter(
    "term", OpenApiTypes.INT, description="임기 번호 / term number (default: the current term)"
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="YYYY-MM-DD: 그날 끝(서울) 기준으로 변경 이력에서 재구성 / what the portal "
    "showed at the end of that day (Seoul), rebuilt from the change history",
)
ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="invalid query value"),
    404: OpenApiResponse(serializers.ErrorSerializer, description="no such pledge"),
    429: OpenApiResponse(serializers.ErrorSerializer, description="throttled"),
}


def _day(when) -> str | None:
    return when.date().isoformat() if when else None


# Lists -----------------------------------------------------------------------------


class PledgePagination(DeepPagination):
    """Deep pages of published summaries, each page read as the pledges as published
    (a list rebuilt as of a day is paged as a plain list)."""

    page_size = API_PAGE_SIZE
    known: selectors.StoredCount | None = None  # set by the view: what stored counts know
    term = None  # set by the view: the term of the summaries

    def django_paginator_class(self, queryset, per_page: int) -> selectors.PublishedPaginator:
        paginator = selectors.PublishedPaginator(queryset, per_page, term=self.term)
        paginator.known(self.known)
        return paginator


# the list's filters (not its sort, term or day): without any, every published pledge
SELECTING = [name for name, f in PledgeFilter.base_filters.items() if f.method != "keep"]


class PledgeListView(OpenDataView):
    """공약 목록 / the pledges of a term, 100 per page, with the list page's filters."""

    filterset_class = PledgeFilter
    pagination_class = PledgePagination

    def pledges(self) -> tuple:
        """The filtered, ordered pledges (a queryset, or a list rebuilt as of a day)."""
        term, when = self.shown()
        sort = self.request.query_params.get("sort") or "code"
        if when is None:  # as published: the published summaries (one row a pledge)
            published = self.filter_queryset(PublishedPledge.objects.filter(term=term)).listed()
            searching = bool((self.request.query_params.get("q") or "").strip())
            return term, when, PledgeFilterForm.ordered(published, sort, searching=searching)
        rows = self.filter_queryset(selectors.published_rows_at(term, when))
        # a list rebuilt as of a day is not ranked (its search reads code, title and target)
        sort = "code" if sort == "relevance" else sort
        pledges = selectors.PledgesAsOf(term, when, rows, sort=sort)  # read a page at a time
        return term, when, pledges

    def get_queryset(self):  # for the schema and the filter backend's checks
        return Pledge.objects.none()

    @extend_schema(
        parameters=[TERM, AS_OF],
        responses={200: serializers.PledgePageSerializer, **ERRORS},
        operation_id="pledges_list",
    )
    def get(self, request, *args, **kwargs):
        term, when, pledges = self.pledges()
        if when is None:  # no filter, or a common word: stored counts count the list
            filters = {name: request.query_params.get(name) for name in SELECTING}
            self.paginator.known = selectors.listed_count(term, filters)
            self.paginator.term = term
        page = self.paginate_queryset(pledges)
        as_of = pledges.latest_as_of if when else selectors.as_of(term)
        return Response(
            {
                "as_of": as_of.isoformat() if as_of else None,
                "rebuilt_as_of": _day(when),
                "unit": "백만원",
                "definitions": rate_definitions(),
                "count": self.paginator.page.paginator.count,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "results": list(pledge_summaries(page, request)),
            },
            headers=_as_of_header(when),
        )


def _as_of_header(when) -> dict:
    return {"X-Data-As-Of": _day(when)} if when else {}


class Echo:
    def write(self, value):
        return value


def _csv_stream(columns: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # BOM: Excel then opens Korean text correctly
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(value)


def _csv_response(name: str, columns: list[str], rows: Iterable[list], when):
    response = StreamingHttpResponse(_csv_stream(columns, rows), content_type=CSV)
    suffix = f"-as-of-{_day(when)}" if when else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    for key, value in _as_of_header(when).items():
        response[key] = value
    return response


def _xlsx_response(name: str, columns: list[str], rows: Iterable[list], when):
    """An .xlsx written row by row (XlsxWriter constant memory) to a temporary file."""
    file = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(file, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet("figures")
    sheet.write_row(0, 0, columns)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [_cell(value) for value in row])
    book.close()
    file.seek(0)
    suffix = f"-as-of-{_day(when)}" if when else ""
    response = FileResponse(
        file, as_attachment=True, filename=f"{name}{suffix}.xlsx", content_type=XLSX
    )
    for key, value in _as_of_header(when).items():
        response[key] = value
    return response


FILE = {(200, "text/csv"): OpenApiTypes.STR, **ERRORS}


class PledgeCsvView(PledgeListView):
    """공약 목록 CSV / the list's fields as CSV, the same filters."""

    @extend_schema(parameters=[TERM, AS_OF], responses=FILE, operation_id="pledges_csv")
    def get(self, request, *args, **kwargs):
        term, when, pledges = self.pledges()
        if when is None:
            pledges = selectors.published_pledges_iter(pledges)
        rows = ([row[name] for name in LIST_FIELDS] for row in pledge_summaries(pledges, request))
        return _csv_response(f"paju-pledges-{term.number}", LIST_FIELDS, rows, when)


class FiguresCsvView(OpenDataView):
    """인쇄된 모든 금액 칸 / every printed cell of every pledge, one row per cell (CSV)."""

    @extend_schema(parameters=[TERM, AS_OF], responses=FILE, operation_id="figures_csv")
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = figure_rows(term, when)
        return _csv_response(f"paju-figures-{term.number}", FIGURE_COLUMNS, rows, when)


class FiguresXlsxView(OpenDataView):
    """인쇄된 모든 금액 칸 (Excel) / every printed cell, one row per cell (XLSX)."""

    @extend_schema(
        parameters=[TERM, AS_OF],
        responses={(200, XLSX): OpenApiTypes.BINARY, **ERRORS},
        operation_id="figures_xlsx",
    )
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = figure_rows(term, when)
        return _xlsx_response(f"paju-figures-{term.number}", FIGURE_COLUMNS, rows, when)


class MilestonesCsvView(OpenDataView):
    """추진현황 / every milestone of every pledge, one row each (CSV)."""

    @extend_schema(parameters=[TERM, AS_OF], responses=FILE, operation_id="milestones_csv")
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = milestone_rows(term, when)
        return _csv_response(f"paju-milestones-{term.number}", MILESTONE_COLUMNS, rows, when)


# One pledge ------------------------------------------------------------------------


class PledgeDetailView(OpenDataView):
    """공약 카드 전체 / one pledge's whole card, every printed cell in ``figures``."""

    def card(self, code: str):
        term_text = self.request.query_params.get("term")
        if not self.request.query_params.get("as_of"):  # the usual case: no term query
            selectors.term_number_asked(term_text)
            pledge = selectors.pledge_card(code, term_text=term_text)
            return pledge, pledge.money, None
        term, when = self.shown()
        pledge = selectors.pledge_card(code, term, when)
        pledge.shown_as_of = when
        return pledge, pledge.money, when

    @extend_schema(
        parameters=[TERM, AS_OF],
        responses={200: serializers.PledgeDetailSerializer, **ERRORS},
        operation_id="pledges_retrieve",
    )
    def get(self, request, code: str, *args, **kwargs):
        pledge, money, when = self.card(code)
        data = pledge_detail(pledge, money, request)
        data["rebuilt_as_of"] = _day(when)
        return Response(data, headers=_as_of_header(when))


class PledgeFiguresView(OpenDataView):
    """One pledge's printed cells, one row per cell (CSV or XLSX)."""

    file_format = "csv"

    def get(self, request, code: str, *args, **kwargs):
        term, when = self.shown()
        moment = selectors.published_moment(code, term, when)
        pledges = selectors.pledges_as_of(
            term, moment, selectors.published_rows_at(term, moment).filter(code=code)
        )
        if not pledges:
            raise Http404
        rows = figure_rows(term, moment, pledges=pledges)
        name = f"paju-{code}-figures"
        if self.file_format == "xlsx":
            return _xlsx_response(name, FIGURE_COLUMNS, rows, when)
        return _csv_response(name, FIGURE_COLUMNS, rows, when)


class PledgeFiguresCsvView(PledgeFiguresView):
    """One pledge's printed cells as CSV, one row per cell."""

    file_format = "csv"

    @extend_schema(parameters=[TERM, AS_OF], responses=FILE, operation_id="pledge_figures_csv")
    def get(self, request, code: str, *args, **kwargs):
        return super().get(request, code, *args, **kwargs)


class PledgeFiguresXlsxView(PledgeFiguresView):
    """One pledge's printed cells as an Excel workbook, one row per cell."""

    file_format = "xlsx"

    @extend_schema(
        parameters=[TERM, AS_OF],
        responses={(200, XLSX): OpenApiTypes.BINARY, **ERRORS},
        operation_id="pledge_figures_xlsx",
    )
    def get(self, request, code: str, *args, **kwargs):
        return super().get(request, code, *args, **kwargs)


# The description of the files ------------------------------------------------------


class DataPackageView(OpenDataView):
    """Frictionless Data Package: the CSV files' fields, types, units, keys, licence."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="datapackage")
    def get(self, request, *args, **kwargs):
        return Response(describe())


class ApiDocsView(TemplateView):
    """Swagger UI from our own static files; its start script is a static file (CSP)."""

    template_name = "portal/api_docs.html"
