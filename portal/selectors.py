"""Reads of the public site: which term, which pledges, which totals. Views ask, then render.

Aggregates run in SQL over the pledges' stored totals; money of one card comes from
``budgets.finance.money_for``.
"""

from django.db.models import Count, F, Max, QuerySet, Sum
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from budgets.finance import execution_rate
from departments.models import Department
from pledges.forms import PledgeFilterForm
from pledges.models import Pledge, Stage, Term

MONEY_SUMS = {
    "current_total": Sum("current_total"),
    "secured_total": Sum("secured_total"),
    "executed_total": Sum("executed_total"),
}


def term_shown(number_text: str | None) -> Term:
    """The term asked for with ?term=N, else the current one."""
    number = Term.parse_number(number_text)
    terms = Term.objects.all()
    term = terms.filter(number=number).first() if number is not None else None
    term = term or terms.filter(is_current=True).first() or terms.first()
    if term is None:
        raise Http404(_("No pledges have been loaded yet."))
    return term


def _with_rate(row: dict) -> dict:
    return {**row, "execution_rate": execution_rate(row["executed_total"], row["current_total"])}


def home_summary(term: Term) -> dict:
    """Counts per stage, money overall and per department, the latest updates."""
    pledges = Pledge.objects.for_term(term)
    by_stage = dict(pledges.values_list("stage").annotate(n=Count("id")).order_by())
    stats = pledges.aggregate(
        count=Count("id"), as_of=Max("as_of"), updated=Max("updated_at"), **MONEY_SUMS
    )
    departments = [
        _with_rate(row)
        for row in pledges.values(name=F("department__name"))
        .annotate(pledges=Count("id"), **MONEY_SUMS)
        .order_by("name")
    ]
    return {
        "stats": stats,
        "stages": [(stage, by_stage.get(stage.value, 0)) for stage in Stage],
        "overall": _with_rate(stats),
        "departments": departments,
        "recent": pledges.public().order_by("-updated_at")[:5],
    }


def pledges_filtered(query: QueryDict, term: Term) -> tuple[PledgeFilterForm, QuerySet[Pledge]]:
    """The list's filter form bound to the query string, and the pledges it selects."""
    data = query.copy()
    data["term"] = term.number  # the term shown, also when the URL names none
    form = PledgeFilterForm(data, term=term)
    return form, form.filter(Pledge.objects.public().for_term(term))


def pledge_card(code: str, term_text: str | None) -> Pledge:
    """One pledge with everything its card shows; 404 when the term has no such code."""
    number = Term.parse_number(term_text)
    term = {"term__number": number} if number is not None else {"term__is_current": True}
    return get_object_or_404(Pledge.objects.with_card(), code=code, **term)


def as_of(term: Term):
    """The newest as-of date of the term's pledges (None before any is loaded)."""
    return Pledge.objects.for_term(term).aggregate(Max("as_of"))["as_of__max"]


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.select_related("bureau").annotate(
        pledge_count=Count("pledges", distinct=True),
        item_count=Count("work_plan_items", distinct=True),
    )


def department_shown(name: str) -> Department:
    return get_object_or_404(Department.objects.select_related("bureau"), name=name)


def department_pledges(department: Department, term: Term) -> QuerySet[Pledge]:
    return Pledge.objects.public().for_term(term).filter(department=department).order_by("sort_key")
