"""Public pages and open data. Thin: reads come from querysets and budgets.finance."""

import csv

from django.db.models import Count, F, Max, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from budgets.finance import SOURCE_NAMES, execution_rate, money_for
from budgets.models import FigureKind, FundingSource
from departments.models import Department, WorkPlanItem

from . import charts, periods
from .forms import PledgeFilterForm
from .models import Milestone, Pledge, PledgeOfficial, RelatedMaterial, Stage, Term, YearPlan
from .opendata import LIST_FIELDS, pledge_detail, pledge_summary, spreadsheet_safe
from .paging import DeepPaginator

PAGE_SIZE = 12
API_PAGE_SIZE = 100


def _term(request: HttpRequest) -> Term:
    """The term asked for with ?term=N, else the current one."""
    number = Term.parse_number(request.GET.get("term"))
    terms = Term.objects.all()
    term = terms.filter(number=number).first() if number is not None else None
    term = term or terms.filter(is_current=True).first() or terms.first()
    if term is None:
        raise Http404(_("No pledges have been loaded yet."))
    return term


MONEY_SUMS = {
    "current_total": Sum("current_total"),
    "secured_total": Sum("secured_total"),
    "executed_total": Sum("executed_total"),
}


def _with_rate(row: dict) -> dict:
    return {**row, "execution_rate": execution_rate(row["executed_total"], row["current_total"])}


def home(request: HttpRequest) -> HttpResponse:
    term = _term(request)
    pledges = Pledge.objects.filter(term=term)
    by_stage = dict(pledges.values_list("stage").annotate(n=Count("id")).order_by())
    stats = pledges.aggregate(
        count=Count("id"), as_of=Max("as_of"), updated=Max("updated_at"), **MONEY_SUMS
    )
    overall = _with_rate(stats)
    departments = [
        _with_rate(row)
        for row in pledges.values(name=F("department__name"))
        .annotate(pledges=Count("id"), **MONEY_SUMS)
        .order_by("name")
    ]
    context = {
        "term": term,
        "stats": stats,
        "stages": [(stage, by_stage.get(stage.value, 0)) for stage in Stage],
        "overall": overall,
        "departments": departments,
        "department_chart": charts.money_by_department(departments),
        "recent": pledges.public().order_by("-updated_at")[:5],
    }
    return render(request, "pledges/home.html", context)


def _filtered(request: HttpRequest, term: Term) -> tuple[PledgeFilterForm, object]:
    data = request.GET.copy()
    data["term"] = term.number  # the term shown, also when the URL names none
    form = PledgeFilterForm(data, term=term)
    queryset = Pledge.objects.public().filter(term=term)
    return form, form.filter(queryset)


def pledge_list(request: HttpRequest) -> HttpResponse:
    term = _term(request)
    form, queryset = _filtered(request, term)
    page = DeepPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pledges/pledge_list.html",
        {"term": term, "form": form, "page_obj": page, "query": query.urlencode()},
    )


def _pledge(request: HttpRequest, code: str) -> Pledge:
    number = Term.parse_number(request.GET.get("term"))
    term = {"term__number": number} if number is not None else {"term__is_current": True}
    return get_object_or_404(
        Pledge.objects.public().prefetch_related(
            Prefetch("year_plans", YearPlan.objects.select_related("project")),
            Prefetch("milestones", Milestone.objects.select_related("project", "parent")),
            Prefetch(
                "pledgeofficial_set",
                PledgeOfficial.objects.select_related("official").order_by("position"),
            ),
            Prefetch("work_plan_items", WorkPlanItem.objects.select_related("department")),
            Prefetch("materials", RelatedMaterial.objects.select_related("project")),
            "progress",
        ),
        code=code,
        **term,
    )


def pledge_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    pledge = _pledge(request, code)
    money = money_for([pledge])[pledge.pk]
    sections = (
        [(None, money.total)] if len(money.projects) < 2 else [(None, money.total), *money.projects]
    )
    finance_sections = []
    for project, finance in sections:
        columns = _investment_columns(finance, pledge.term.years)
        rows = charts.plan_vs_executed_rows(
            finance.row(FigureKind.IN_TERM_PLAN), finance.row(FigureKind.EXECUTED)
        )
        finance_sections.append(
            {
                "project": project,
                "finance": finance,
                "investment_columns": columns,
                "investment_rows": _investment_rows(finance, columns),
                "plan_rows": rows,
                "plan_after": finance.get(FigureKind.IN_TERM_PLAN, period=periods.AFTER),
                "plan_total": finance.get(FigureKind.IN_TERM_PLAN),
                "initial_total": finance.get(FigureKind.COST_INITIAL),
                "secured": [
                    (SOURCE_NAMES[s], a) for s, a in finance.column(FigureKind.SECURED).items()
                ],
                "chart": charts.planned_vs_executed(rows),
                "secured_chart": charts.secured_by_source(
                    finance.column(FigureKind.SECURED), SOURCE_NAMES
                ),
                "key": f"p{project.pk}" if project else "all",
                "chart_id": f"figure-plan-{project.pk if project else 'all'}",
                "secured_chart_id": f"figure-secured-{project.pk if project else 'all'}",
            }
        )
    context = {
        "pledge": pledge,
        "money": money,
        "finance_sections": finance_sections if money.total.has_money else [],
        "plans": _plans(pledge),
        "years": [str(y) for y in pledge.term.years],
        "progress": _progress_tables(pledge),
        "stages": STEPS,
        "stage_index": STEPS.index(pledge.stage) if pledge.stage in STEPS else -1,
        "timeline": _timeline(pledge),
    }
    return render(request, "pledges/pledge_detail.html", context)


STEPS = [Stage.REVIEW, Stage.IN_PROGRESS, Stage.COMPLETE]


def _timeline(pledge: Pledge) -> list[dict]:
    """Milestones grouped by sub-project, each with its nested notes, in published order."""
    groups: dict = {}
    notes: dict[int, list[Milestone]] = {}
    for milestone in pledge.milestones.all():
        if milestone.parent_id:
            notes.setdefault(milestone.parent_id, []).append(milestone)
        else:
            groups.setdefault(milestone.project, []).append(milestone)
    return [
        {"project": project, "items": [(m, notes.get(m.pk, [])) for m in items]}
        for project, items in groups.items()
    ]


def _investment_columns(finance, years: range) -> list[str]:
    """The printed columns: 총사업비, 기투자, every year of the term, and 임기후 if used."""
    used = set(finance.investment_periods())
    return [
        periods.TOTAL,
        periods.PRIOR,
        *sorted(
            (used | {str(year) for year in years}) - {periods.TOTAL, periods.PRIOR, periods.AFTER},
            key=periods.sort_key,
        ),
        *([periods.AFTER] if periods.AFTER in used else []),
    ]


def _investment_rows(finance, columns: list[str]) -> list[dict]:
    rows = []
    for source in FundingSource.values:
        cells = [finance.get(FigureKind.INVESTMENT, source, period) for period in columns]
        if any(cell is not None for cell in cells):
            rows.append(
                {"source": SOURCE_NAMES[source], "cells": cells, "total": source == "total"}
            )
    return rows


def _plans(pledge: Pledge) -> list[dict]:
    """Plan texts per period, grouped by sub-project where the card prints them so."""
    groups: dict = {}
    for plan in pledge.year_plans.all():
        groups.setdefault(plan.project, {})[plan.period] = plan
    return [{"project": project, "by_period": by_period} for project, by_period in groups.items()]


def _progress_tables(pledge: Pledge) -> list[dict]:
    tables: dict[str, dict] = {}
    for count in pledge.progress.all():
        table = tables.setdefault(count.indicator, {"categories": [], "rows": {}, "notes": {}})
        if count.category not in table["categories"]:
            table["categories"].append(count.category)
        table["rows"].setdefault(count.period, {})[count.category] = count.value
        if count.note:
            table["notes"][count.period] = count.note
    result = []
    for indicator, table in tables.items():
        categories = sorted(table["categories"], key=lambda c: (c != "", 0))
        rows = sorted(table["rows"].items(), key=lambda item: periods.sort_key(item[0]))
        result.append(
            {
                "indicator": indicator,
                "categories": categories,
                "rows": [
                    {
                        "period": p,
                        "values": [v.get(c) for c in categories],
                        "note": table["notes"].get(p, ""),
                    }
                    for p, v in rows
                ],
            }
        )
    return result


def department_list(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.select_related("bureau").annotate(
        pledge_count=Count("pledges", distinct=True),
        item_count=Count("work_plan_items", distinct=True),
    )
    return render(request, "pledges/department_list.html", {"departments": departments})


def department_detail(request: HttpRequest, name: str) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("bureau"), name=name)
    term = _term(request)
    pledges = Pledge.objects.public().filter(department=department, term=term).order_by("sort_key")
    return render(
        request,
        "pledges/department_detail.html",
        {
            "department": department,
            "term": term,
            "pledges": pledges,
            "items": department.work_plan_items.prefetch_related("pledges"),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    term = _term(request)
    pledges = Pledge.objects.filter(term=term).order_by("code")
    return render(
        request,
        "pages/about.html",
        {"term": term, "pledges": pledges, "as_of": pledges.aggregate(Max("as_of"))["as_of__max"]},
    )


# Open data -------------------------------------------------------------------------


def api_pledge_list(request: HttpRequest) -> JsonResponse:
    term = _term(request)
    form, queryset = _filtered(request, term)
    page = DeepPaginator(queryset, API_PAGE_SIZE).get_page(request.GET.get("page"))

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    as_of = Pledge.objects.filter(term=term).aggregate(Max("as_of"))["as_of__max"]
    return JsonResponse(
        {
            "as_of": as_of.isoformat() if as_of else None,
            "unit": "백만원",
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [pledge_summary(pledge, request) for pledge in page],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def api_pledge_detail(request: HttpRequest, code: str) -> JsonResponse:
    try:
        pledge = _pledge(request, code)
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
    term = _term(request)
    _form, queryset = _filtered(request, term)
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
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
