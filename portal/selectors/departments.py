"""The department pages: departments named as their standing cards publish them, their
pledges, totals, contacts and work-plan items."""

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from departments.models import Department, Official, Role, WorkPlanItem
from pledges.models import BudgetType, Stage, Term
from publications.models import Publication
from publications.snapshots import row_instance

from .published import MONEY_SUMS, standing, with_rate


def departments_with_counts(term: Term) -> list[Department]:
    """Every department with its published pledges in the term and its work-plan items,
    named as its standing cards name it (a rename is public once a card is published)."""
    published = standing(term).filter(department=OuterRef("pk")).order_by()
    departments = Department.objects.select_related("bureau").annotate(
        pledge_count=Coalesce(
            Subquery(published.values("department").annotate(n=Count("pk")).values("n")), 0
        ),
        published_name=Subquery(published.values("department_name")[:1]),
        item_count=Count("work_plan_items", distinct=True),
    )
    found = list(departments)
    for department in found:
        department.name = department.published_name or department.name
    return sorted(found, key=lambda d: d.name)


def department_shown(name: str, term: Term) -> Department:
    """The department a page names: as the term's standing cards publish its name (its
    published links keep working through a rename until it is published), else by its
    own name (a department with no card)."""
    published = standing(term).filter(department_name=name).values("department")[:1]
    department = (
        Department.objects.select_related("bureau")
        .filter(Q(pk__in=published) | Q(name=name))
        .order_by(Case(When(pk__in=published, then=0), default=1))
        .first()
    )
    if department is None:
        raise Http404(_("There is no such department."))
    department.name = name
    return department


def department_pledges(department: Department, term: Term) -> QuerySet[Publication]:
    """A department's standing publications in card order."""
    return standing(term).filter(department=department).select_related("term").order_by("sort_key")


def department_summary(department: Department, term: Term) -> dict:
    """A department's pledges in the term as published: count, money totals and counts per
    stage in one aggregate, and its contacts (``department_contacts``)."""
    per_stage = {
        f"stage_{stage.value}": Count("pk", filter=Q(stage=stage.value)) for stage in Stage
    }
    totals = (
        standing(term)
        .filter(department=department)
        .aggregate(count=Count("pk"), **MONEY_SUMS, **per_stage)
    )
    stages = [(stage, totals.pop(f"stage_{stage.value}") or 0) for stage in Stage]
    # No money summed: say "해당 없음" where every pledge is non-budget (asked only then)
    totals["non_budget_only"] = (
        totals["count"] > 0
        and totals["current_total"] is None
        and not standing(term)
        .filter(department=department)
        .exclude(budget_type=BudgetType.NON_BUDGET)
        .exists()
    )
    return {
        "totals": with_rate(totals),
        "stages": stages,
        "contacts": department_contacts(department, term),
        "work_plan_bureaus": SimpleLazyObject(work_plan_bureaus),  # read only where needed
    }


def work_plan_bureaus() -> list[str]:
    """The bureaus whose work plans the portal holds (행정안전국): a department outside them
    has no work-plan items because the source does not cover it, not because none exist."""
    names = WorkPlanItem.objects.values_list("department__bureau__name", flat=True)
    return sorted({name for name in names.distinct() if name})


def department_contacts(department: Department, term: Term) -> list[Official]:
    """The department's officials named on the term's standing cards, with names and phones
    as the latest card naming each published them, in role order."""
    named = Publication.officials.through.objects.filter(
        Q(publication__department=department) | Q(official__department=department),
        publication__in=standing(term),
    )
    latest: dict[int, int] = {}  # official -> the latest publication naming them
    for official, pk in named.order_by(
        "official", "-publication__published_at", "-publication"
    ).values_list("official", "publication"):
        latest.setdefault(official, pk)
    found: dict[int, Official] = {}
    cards = Publication.objects.filter(pk__in=set(latest.values()))
    for pk, links in cards.values_list("pk", "card__officials"):  # that key of each card only
        for link in links:
            official = row_instance(Official, link["official"])  # their department then
            if latest.get(official.pk) == pk and official.department_id == department.pk:
                found.setdefault(official.pk, official)
    roles = list(Role.values)
    return sorted(found.values(), key=lambda o: (roles.index(o.role), o.name))


def work_plan_items(department: Department, term: Term) -> list[WorkPlanItem]:
    """The department's work-plan items, each with ``served``: the term's standing
    publications whose cards link it."""
    items = list(department.work_plan_items.all())
    links = standing(term).filter(work_plan_items__in=items).values_list("work_plan_items", "pk")
    serving: dict[int, list[int]] = {}
    for item_id, pk in links:
        serving.setdefault(item_id, []).append(pk)
    publications = (
        Publication.objects.select_related("term")
        .columns()
        .in_bulk([pk for pks in serving.values() for pk in pks])
    )
    for item in items:
        item.served = sorted(
            (publications[pk] for pk in serving.get(item.pk, [])), key=lambda p: p.sort_key
        )
    return items
