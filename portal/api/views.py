"""Open data API: read-only, anonymous, throttled per client, ETag/Last-Modified with 304s,
``Access-Control-Allow-Origin: *``. Shapes come from ``portal.opendata``, reads from
``portal.selectors``; every 400 says what was wrong in Korean and English.
"""

import csv
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time
from functools import wraps
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from budgets.finance import rate_definitions
from pledges.cache import public_version_stamp
from pledges.spreadsheet import spreadsheet_safe
from publications.models import Publication

from .. import selectors
from ..changelog import publication_entry, publications_listed
from ..filters import PledgeFilter
from ..opendata import (
    CHUNK,
    FIGURE_COLUMNS,
    LIST_FIELDS,
    MILESTONE_COLUMNS,
    figure_rows,
    milestone_rows,
    pledge_detail,
    pledge_summaries,
)
from . import serializers
from .datapackage import describe
from .schema import (
    AS_OF,
    DETAIL_EXAMPLE,
    LIST_EXAMPLE,
    MAX_PAGE_SIZE,
    PAGE,
    PAGE_SIZE,
    PLEDGE_PUBLICATIONS_EXAMPLE,
    PUBLICATIONS_EXAMPLE,
    TERM,
    documented,
    filter_parameters,
)

API_PAGE_SIZE = 100
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Headers every open-data response carries --------------------------------------------


def open_data(view: Callable, representation: Callable[[HttpRequest], str] | None = None):
    """ETag (data version, URL, the language the answer is in and, where a URL has several
    formats, the format) and Last-Modified (when the data last changed); a 304 carries both
    (RFC 9110 §15.4.5). The language is part of the ETag because the answers vary with
    ``Accept-Language`` (definitions, summaries, names of kinds): a Korean ETag sent back
    with an English request must not get a 304. CORS is django-cors-headers' (settings),
    Cache-Control ``portal.middleware``'s."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        version, changed_at = public_version_stamp()
        shown = f"{request.get_full_path()}|{translation.get_language()}" + (
            f"|{representation(request)}" if representation else ""
        )
        etag = quote_etag(f"v{version}-{hashlib.sha256(shown.encode()).hexdigest()[:20]}")
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = None
        if request.method in ("GET", "HEAD"):
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=None
            )
        if response is None:
            response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
        return response

    return wrapper


def exception_handler(exc, context):
    """Errors as ``{"error", "detail", "fields"?}``, in the language the request asks for
    (Korean unless ``Accept-Language`` prefers English); ``fields`` names each parameter
    refused with its reasons."""
    if isinstance(exc, selectors.BadQuery):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    if isinstance(exc, selectors.NotYetPublished):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, Http404):
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
            "detail": " ".join(
                [
                    _("Invalid query value: %(wrong)s.") % {"wrong": wrong},
                    *(m for messages in fields.values() for m in messages),
                ]
            ),
            "fields": fields,
        }
    elif isinstance(exc, exceptions.NotFound):
        code = context["kwargs"].get("code")
        what = _("There is no pledge %(code)s.") % {"code": code} if code else _("Not found.")
        if exc.detail != exceptions.NotFound.default_detail:  # it says why: say it
            what = str(exc.detail)
        response.data = {"error": "not_found", "detail": what}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = {
            "error": "throttled",
            "detail": _("Too many requests: retry in %(wait)d s.") % {"wait": wait},
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


LIST_PARAMETERS = [*filter_parameters(PledgeFilter), AS_OF]


def _day(when) -> str | None:
    return when.date().isoformat() if when else None


# Lists -----------------------------------------------------------------------------


class OpenDataPagination(PageNumberPagination):
    """The lists' pages (pledges and publications alike): ``?page=`` and ``?page_size=``
    (1 to MAX_PAGE_SIZE, default API_PAGE_SIZE) read strictly: a value that cannot be used
    is a 400 naming its parameter, not a silent default or a 404."""

    page_size = API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        """``?page_size=`` from 1 to MAX_PAGE_SIZE (empty: the default); else a 400."""
        text = request.query_params.get(self.page_size_query_param, "")
        if text == "":
            return self.page_size
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= self.max_page_size:
            message = _("Enter a whole number from 1 to %(most)d.") % {"most": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(text)

    def paginate_queryset(self, queryset, request, view=None):
        """A page that is not a number, or past the last, is a 400 naming ``page``."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError({self.page_query_param: [error.detail]}) from error


class TermFilterBackend(DjangoFilterBackend):
    """The list's filters (``portal.filters.PledgeFilter``) for the term the view shows:
    its visions and departments are the choices."""

    def get_filterset_kwargs(self, request, queryset, view) -> dict:
        names = queryset.order_by("department_name").values_list("department_name", flat=True)
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "term": view.term,
            "departments": names.distinct(),  # as published that day; read when asked
        }


class PledgeListView(OpenDataView):
    """공약 목록 / the pledges of a term, 100 per page, with the list page's filters."""

    filterset_class = PledgeFilter
    filter_backends = [TermFilterBackend]
    pagination_class = OpenDataPagination
    term = None  # the term shown, once read

    def pledges(self) -> tuple:
        """The term, the day asked for, and the standing publications the filters select,
        in the asked order."""
        term, when = self.shown()
        self.term = term
        return (
            term,
            when,
            self.filter_queryset(selectors.listed(term, when)),
        )

    def get_queryset(self):  # for the schema and the filter backend's checks
        return Publication.objects.none()

    @documented(
        parameters=[*LIST_PARAMETERS, PAGE, PAGE_SIZE],
        responses={200: serializers.PledgePageSerializer},
        examples=[LIST_EXAMPLE],
        operation_id="pledges_list",
    )
    def get(self, request, *args, **kwargs):
        term, when, rows = self.pledges()
        page = self.paginate_queryset(rows)
        as_of = rows.aggregate(Max("as_of"))["as_of__max"]
        return Response(
            {
                "as_of": as_of.isoformat() if as_of else None,
                "rebuilt_as_of": _day(when),
                "unit": "백만원",
                "definitions": rate_definitions(),
                "count": self.paginator.page.paginator.count,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "results": list(pledge_summaries(page, request, term)),
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


def _xlsx_cell(value):
    """A workbook keeps true and false as booleans (TRUE/FALSE cells), not text."""
    return value if isinstance(value, bool) else _cell(value)


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
        sheet.write_row(number, 0, [_xlsx_cell(value) for value in row])
    book.close()
    file.seek(0)
    suffix = f"-as-of-{_day(when)}" if when else ""
    response = FileResponse(
        file, as_attachment=True, filename=f"{name}{suffix}.xlsx", content_type=XLSX
    )
    for key, value in _as_of_header(when).items():
        response[key] = value
    return response


FILE = {(200, "text/csv"): OpenApiTypes.STR}


class PledgeCsvView(PledgeListView):
    """공약 목록 CSV / the list's fields as CSV, the same filters."""

    @documented(parameters=LIST_PARAMETERS, responses=FILE, operation_id="pledges_csv")
    def get(self, request, *args, **kwargs):
        term, when, rows = self.pledges()
        pledges = rows.iterator(chunk_size=CHUNK)
        rows = (
            [row[name] for name in LIST_FIELDS] for row in pledge_summaries(pledges, request, term)
        )
        return _csv_response(f"paju-pledges-{term.number}", LIST_FIELDS, rows, when)


class FiguresCsvView(OpenDataView):
    """인쇄된 모든 금액 칸 / every printed cell of every pledge, one row per cell (CSV)."""

    @documented(parameters=[TERM, AS_OF], responses=FILE, operation_id="figures_csv")
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = figure_rows(term, when)
        return _csv_response(f"paju-figures-{term.number}", FIGURE_COLUMNS, rows, when)


class FiguresXlsxView(OpenDataView):
    """인쇄된 모든 금액 칸 (Excel) / every printed cell, one row per cell (XLSX)."""

    @documented(
        parameters=[TERM, AS_OF],
        responses={(200, XLSX): OpenApiTypes.BINARY},
        operation_id="figures_xlsx",
    )
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = figure_rows(term, when)
        return _xlsx_response(f"paju-figures-{term.number}", FIGURE_COLUMNS, rows, when)


class MilestonesCsvView(OpenDataView):
    """추진현황 / every milestone of every pledge, one row each (CSV)."""

    @documented(parameters=[TERM, AS_OF], responses=FILE, operation_id="milestones_csv")
    def get(self, request, *args, **kwargs):
        term, when = self.shown()
        rows = milestone_rows(term, when)
        return _csv_response(f"paju-milestones-{term.number}", MILESTONE_COLUMNS, rows, when)


# One pledge ------------------------------------------------------------------------


class PledgeDetailView(OpenDataView):
    """공약 카드 전체 / one pledge's whole card, every printed cell in ``figures``."""

    def card(self, code: str):
        term, when = self.shown()
        pledge = selectors.pledge_card(code, term, when)
        pledge.shown_as_of = when
        return pledge, pledge.card.money, when

    @documented(
        parameters=[TERM, AS_OF],
        responses={200: serializers.PledgeDetailSerializer},
        examples=[DETAIL_EXAMPLE],
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
        pledge = selectors.pledge_card(code, term, when)
        rows = figure_rows(term, when, pledges=[pledge])
        name = f"paju-{code}-figures"
        if self.file_format == "xlsx":
            return _xlsx_response(name, FIGURE_COLUMNS, rows, when)
        return _csv_response(name, FIGURE_COLUMNS, rows, when)


class PledgeFiguresCsvView(PledgeFiguresView):
    """One pledge's printed cells as CSV, one row per cell."""

    file_format = "csv"

    @documented(parameters=[TERM, AS_OF], responses=FILE, operation_id="pledge_figures_csv")
    def get(self, request, code: str, *args, **kwargs):
        return super().get(request, code, *args, **kwargs)


class PledgeFiguresXlsxView(PledgeFiguresView):
    """One pledge's printed cells as an Excel workbook, one row per cell."""

    file_format = "xlsx"

    @documented(
        parameters=[TERM, AS_OF],
        responses={(200, XLSX): OpenApiTypes.BINARY},
        operation_id="pledge_figures_xlsx",
    )
    def get(self, request, code: str, *args, **kwargs):
        return super().get(request, code, *args, **kwargs)


# Publications: what changed, when --------------------------------------------------


SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    description="이 시각 이후(포함)의 공표만 / publications at or after this moment: "
    "YYYY-MM-DD (that day's start in Seoul) or an ISO 8601 date-time (without an offset: "
    "Seoul time). Absent or empty: all. Anything else is a 400.",
)


class PublicationListView(OpenDataView):
    """공표 목록 / the term's publications, newest first: each with its pledge, moment,
    round, note and changes (field, old, new, unit), as the Atom feed lists them."""

    pagination_class = OpenDataPagination
    throttle_classes = [AnonRateThrottle]  # nothing rebuilt as of a day here

    def publications(self, code: str | None = None):
        term = selectors.term_asked(self.request.query_params.get("term"))
        since = since_asked(self.request.query_params.get("since"))
        if code is not None and not Publication.objects.filter(term=term, code=code).exists():
            raise Http404
        return publications_listed(term=term, code=code, since=since)

    def listed(self, publications) -> Response:
        page = self.paginate_queryset(publications)
        site = self.request.build_absolute_uri("/")[:-1]
        return self.get_paginated_response([publication_entry(p, site) for p in page])

    @documented(
        parameters=[TERM, SINCE, PAGE, PAGE_SIZE],
        responses={200: serializers.PublicationPageSerializer},
        examples=[PUBLICATIONS_EXAMPLE],
        operation_id="publications_list",
    )
    def get(self, request, *args, **kwargs):
        return self.listed(self.publications())


class PledgePublicationsView(PublicationListView):
    """한 공약의 공표 목록 / one pledge's publications, newest first."""

    @documented(
        parameters=[TERM, SINCE, PAGE, PAGE_SIZE],
        responses={200: serializers.PublicationPageSerializer},
        examples=[PLEDGE_PUBLICATIONS_EXAMPLE],
        operation_id="pledge_publications_list",
    )
    def get(self, request, code: str, *args, **kwargs):
        return self.listed(self.publications(code))


SINCE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?", re.ASCII)


def since_asked(text: str | None) -> datetime | None:
    """``?since=`` as an aware moment (a day: its start in Seoul); None when absent."""
    if not text:
        return None
    moment = None
    try:  # YYYY-MM-DD in ASCII digits, then perhaps a time: no week dates, no 20260101
        if SINCE_TEXT.fullmatch(text):
            moment = parse_datetime(text)
            if moment is None and (day := parse_date(text)) is not None:
                moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is not None and not 1 < moment.year < 9999:  # would overflow in UTC
        moment = None
    if moment is None:
        raise selectors.BadQuery(
            "since",
            _("since must be a date (YYYY-MM-DD) or an ISO 8601 date and time: %(text)r.")
            % {"text": text},
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# The description of the files ------------------------------------------------------


class DataPackageView(OpenDataView):
    """Frictionless Data Package: the CSV files' fields, types, units, keys, licence."""

    throttle_classes = [AnonRateThrottle]  # nothing rebuilt as of a day here

    @documented(parameters=[], responses={200: OpenApiTypes.OBJECT}, operation_id="datapackage")
    def get(self, request, *args, **kwargs):
        homepage = request.build_absolute_uri(reverse("portal:data_dictionary"))
        return Response(describe(homepage))


def attachment_name(disposition: str, ascii_name: str, name: str) -> str:
    """A ``Content-Disposition`` browsers read (RFC 6266): the name as UTF-8 in
    ``filename*``, an ASCII one in ``filename`` for clients that know only that."""
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def schema_representation(request: HttpRequest) -> str:
    """What picks the schema's representation (its ETag differs with it)."""
    return f"{request.GET.get('format', '')}|{request.headers.get('Accept', '')}"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML, or JSON with ``?format=json`` or ``Accept: application/json``."""

    FORMATS = {"json": OpenApiJsonRenderer2, "yaml": OpenApiYamlRenderer}

    def perform_content_negotiation(self, request, force=False):
        renderer = self.FORMATS.get(request.query_params.get("format", ""))
        if renderer:
            return renderer(), renderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(FORMATS),
                description="yaml (default) or json; else the Accept header decides",
            )
        ],
        responses={
            (200, "application/vnd.oai.openapi"): OpenApiTypes.OBJECT,
            (200, "application/yaml"): OpenApiTypes.OBJECT,
            (200, "application/vnd.oai.openapi+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        operation_id="schema",
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        suffix = request.accepted_renderer.format
        title = settings.SPECTACULAR_SETTINGS["TITLE"]
        response["Content-Disposition"] = attachment_name(
            "inline", f"paju-pledges-api.{suffix}", f"{title}.{suffix}"
        )
        return response


class ApiDocsView(TemplateView):
    """Swagger UI from our own static files; its start script is a static file (CSP)."""

    template_name = "portal/api_docs.html"
