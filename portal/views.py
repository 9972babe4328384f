"""Public pages and open data. Thin: reads come from ``selectors``, shaping from ``presenters``."""

import csv

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from budgets.finance import money_for, rate_definitions
from pledges.models import Pledge
from pledges.spreadsheet import spreadsheet_safe

from . import charts, presenters, selectors
from . import glossary as glossary_entries
from .opendata import LIST_FIELDS, pledge_detail, pledge_summary

PAGE_SIZE = 12
API_PAGE_SIZE = 100


def home(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    summary = selectors.home_summary(term)
    context = {
        "term": term,
        **summary,
        "department_chart": charts.money_by_department(summary["departments"]),
        "definitions": presenters.DEFINITIONS,
        "visions": selectors.vision_summary(term),
    }
    return render(request, "portal/home.html", context)


def pledge_list(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    form, queryset = selectors.pledges_filtered(request.GET, term)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(form.cleaned_data.get(name) for name in form.FILTERS)
    return render(
        request,
        "portal/pledge_list.html",
        {
            "term": term,
            "form": form,
            "page_obj": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number)),
            "query": query.urlencode(),
            "matches": selectors.search_matches(list(page), form.cleaned_data.get("q", "")),
            "statuses": selectors.milestone_status(list(page), timezone.localdate()),
            "filtered": filtered,
            "visions": [] if filtered else selectors.vision_summary(term),
        },
    )


def pledge_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    pledge = selectors.pledge_card(code, request.GET.get("term"))
    money = money_for([pledge])[pledge.pk]
    context = presenters.pledge_page(pledge, money)
    context["status"] = selectors.status_for(pledge, pledge.milestones.all(), timezone.localdate())
    return render(request, "portal/pledge_detail.html", context)


def department_list(request: HttpRequest) -> HttpResponse:
    departments = selectors.departments_with_counts()
    return render(request, "portal/department_list.html", {"departments": departments})


def department_detail(request: HttpRequest, name: str) -> HttpResponse:
    department = selectors.department_shown(name)
    term = selectors.term_shown(request.GET.get("term"))
    return render(
        request,
        "portal/department_detail.html",
        {
            "department": department,
            "term": term,
            "pledges": selectors.department_pledges(department, term),
            **selectors.department_summary(department, term),
            "items": department.work_plan_items.prefetch_related("pledges"),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    pledges = Pledge.objects.for_term(term).order_by("code")
    return render(
        request,
        "portal/about.html",
        {
            "term": term,
            "pledges": pledges,
            "definitions": presenters.DEFINITIONS,
        },
    )


def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/glossary.html", {"entries": glossary_entries.ENTRIES})


# Open data -------------------------------------------------------------------------


def api_pledge_list(request: HttpRequest) -> JsonResponse:
    term = selectors.term_shown(request.GET.get("term"))
    _form, queryset = selectors.pledges_filtered(request.GET, term)
    page = Paginator(queryset, API_PAGE_SIZE).get_page(request.GET.get("page"))

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    as_of = selectors.as_of(term)
    return JsonResponse(
        {
            "as_of": as_of.isoformat() if as_of else None,
            "unit": "백만원",
            "definitions": rate_definitions(),
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [pledge_summary(pledge, request) for pledge in page],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def api_pledge_detail(request: HttpRequest, code: str) -> JsonResponse:
    try:
        pledge = selectors.pledge_card(code, request.GET.get("term"))
    except Http404:
        return JsonResponse(
            {"error": "not_found", "detail": f"공약 {code}이(가) 없습니다 / no pledge {code}"},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    money = money_for([pledge])[pledge.pk]
    return JsonResponse(
        pledge_detail(pledge, money, request), json_dumps_params={"ensure_ascii": False}
    )


def csv_pledge_list(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    _form, queryset = selectors.pledges_filtered(request.GET, term)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="paju-pledges-{term.number}.csv"'
    response.write("\ufeff")  # BOM: Excel then opens Korean text correctly
    writer = csv.DictWriter(response, fieldnames=LIST_FIELDS)
    writer.writeheader()
    for pledge in queryset.iterator(chunk_size=500):
        writer.writerow(_csv_safe(pledge_summary(pledge, request)))
    return response


def _csv_safe(row: dict) -> dict:
    return {key: spreadsheet_safe(value) for key, value in row.items()}


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
