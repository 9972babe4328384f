"""Public pages; the open data API is in ``portal.api``.

Thin: reads come from ``selectors``, shaping from ``presenters``.
"""

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from . import charts, presenters, selectors
from . import glossary as glossary_entries
from .api.datapackage import describe

PAGE_SIZE = 12
DEPARTMENT_PAGE_SIZE = 50  # table rows of a department's pledges per page
ABOUT_INFERRED_SHOWN = 50  # the about page's inferred stages; the rest are in the CSV


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
    filtered = any(form.cleaned_data.get(name) for name in form.FILTERS)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page_range = list(page.paginator.get_elided_page_range(page.number))
    query = request.GET.copy()
    query.pop("page", None)
    query["term"] = str(term.number)  # the term shown (not "abc"): its pages and its CSV
    pledges = selectors.published_pledges(page)
    return render(
        request,
        "portal/pledge_list.html",
        {
            "term": term,
            "form": form,
            "page_obj": page,
            "pledges": pledges,
            "page_range": page_range,
            "query": query.urlencode(),
            "matches": selectors.search_matches(pledges, form.cleaned_data.get("q", "")),
            "statuses": selectors.milestone_status(pledges, timezone.localdate()),
            "adjusted": selectors.adjustment_kinds(pledges),
            "filtered": filtered,
            "visions": [] if filtered else selectors.vision_summary(term),
        },
    )


def pledge_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    """A pledge card as last published; with ``?as_of=YYYY-MM-DD`` as it was published at
    the end of that day. Its "변경 이력" lists every publication."""
    term = selectors.term_shown(request.GET.get("term"))
    try:
        when = selectors.as_of_moment(request.GET.get("as_of"), term)
    except selectors.BadQuery as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    try:
        pledge = selectors.pledge_card(code, term, when)
    except selectors.NotYetPublished as missing:
        return render(request, "404.html", {"message": str(missing)}, status=404)
    context = presenters.pledge_page(pledge, pledge.card.money)
    context["term"] = pledge.term  # the page's term: its footer's downloads and feed
    context["publications"] = presenters.change_history(pledge.published_history)
    context["status"] = selectors.status_for(
        pledge, pledge.card.milestones, when.date() if when else timezone.localdate()
    )
    context["open_data"] = presenters.open_data_links(pledge, when)
    return render(request, "portal/pledge_detail.html", context)


def department_list(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    departments = selectors.departments_with_counts(term)
    return render(
        request, "portal/department_list.html", {"departments": departments, "term": term}
    )


def department_detail(request: HttpRequest, name: str) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    department = selectors.department_shown(name, term)
    summary = selectors.department_summary(department, term)
    page = Paginator(
        selectors.department_pledges(department, term).columns(),
        DEPARTMENT_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/department_detail.html",
        {
            "department": department,
            "term": term,
            "page_obj": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number)),
            "query": query.urlencode(),
            **summary,
            "items": selectors.work_plan_items(department, term),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    term = selectors.term_shown(request.GET.get("term"))
    inferred = selectors.inferred_stages(term)
    shown = list(inferred[:ABOUT_INFERRED_SHOWN])
    return render(
        request,
        "portal/about.html",
        {
            "term": term,
            "inferred": shown,
            "inferred_count": len(shown) if len(shown) < ABOUT_INFERRED_SHOWN else inferred.count(),
            "definitions": presenters.DEFINITIONS,
        },
    )


def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/glossary.html", {"entries": glossary_entries.ENTRIES})


def data_dictionary(request: HttpRequest) -> HttpResponse:
    """데이터 사전: the open data's files and fields, rendered from the Data Package."""
    return render(request, "portal/data_dictionary.html", {"package": describe()})


# Health -----------------------------------------------------------------------------


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
