"""Test data made through the paths production uses.

Users are made the way the admin makes them. Pledges, sub-projects, milestones and
official links are saved by the card's services (``pledge_save``, ``card_row_save``:
``full_clean()``, ``save()`` with a reason, and the stored search text rebuilt), so the
sort key, the change history and the search are what production has; figures go through
``project_figures_update``, the service the admin grid and the import call, so the
pledge's stored totals are refreshed as they are in production.
"""

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from budgets.finance import Cells
from budgets.models import FigureKind, FundingSource
from budgets.services import project_figures_update
from core.roles import AUDITOR_GROUP, REVIEWER_GROUP, STAFF_GROUP
from departments.models import Department, Official
from pledges.models import (
    BudgetType,
    DatePrecision,
    Milestone,
    Pledge,
    PledgeOfficial,
    Project,
    Stage,
    Term,
    Vision,
)
from pledges.services import card_row_save, pledge_save

FACTORY_REASON = "tests.factories"


def make_user(username: str, *, group: str | None = None, departments=(), superuser=False):
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.departments.set(Department.objects.filter(name__in=departments))
    return user


def department_staff(username: str = "staff", departments=("민원여권과",)):
    return make_user(username, group=STAFF_GROUP, departments=departments)


def auditor(username: str = "auditor"):
    return make_user(username, group=AUDITOR_GROUP)


def reviewer(username: str = "reviewer"):
    """공약 총괄: sees every department, publishes or returns; edits no card."""
    return make_user(username, group=REVIEWER_GROUP)


class ValidatedFactory(factory.django.DjangoModelFactory):
    """Rows made as production makes them: through the card's services, with a reason."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        if isinstance(obj, Pledge):
            return pledge_save(pledge=obj, reason=FACTORY_REASON)
        return card_row_save(obj=obj, reason=FACTORY_REASON)


class PledgeFactory(ValidatedFactory):
    """A budgeted pledge of the current term's vision 12, owned by 공공건축과."""

    class Meta:
        model = Pledge

    term = factory.LazyFunction(lambda: Term.objects.get(is_current=True))
    vision = factory.LazyAttribute(lambda o: Vision.objects.get(term=o.term, number=12))
    code = factory.Sequence(lambda n: f"99-{n + 1}")
    title = factory.LazyAttribute(lambda o: f"시험 공약 {o.code}")
    department = factory.LazyFunction(lambda: Department.objects.get(name="공공건축과"))
    stage = Stage.REVIEW
    budget_type = BudgetType.BUDGET
    target_year = 2025
    target = "목표"
    as_of = date(2026, 1, 31)


class ProjectFactory(ValidatedFactory):
    """A sub-project; ``figures={(kind, source, period): amount}`` sets its published cells."""

    class Meta:
        model = Project
        skip_postgeneration_save = True  # the service saves what it changes

    pledge = factory.SubFactory(PledgeFactory)
    name = "본사업"
    position = 1

    @factory.post_generation
    def figures(project, create: bool, cells: Cells | None, **kwargs) -> None:
        if create and cells:
            project_figures_update(project=project, cells=cells, reason=FACTORY_REASON)


class MilestoneFactory(ValidatedFactory):
    class Meta:
        model = Milestone

    pledge = factory.SubFactory(PledgeFactory)
    position = 1
    date_text = "2024. 1."
    start = date(2024, 1, 1)
    start_precision = DatePrecision.MONTH
    text = "착수"


class PledgeOfficialFactory(ValidatedFactory):
    class Meta:
        model = PledgeOfficial

    pledge = factory.SubFactory(PledgeFactory)
    official = factory.LazyAttribute(
        lambda o: Official.objects.filter(department=o.pledge.department).first()
    )
    position = 1


def money_cells(n: int) -> Cells:
    """A small, consistent set of published cells; ``n`` varies the current total."""
    total, city = FundingSource.TOTAL, FundingSource.CITY
    return {
        (FigureKind.COST_CURRENT, total, "total"): 1000 + n,
        (FigureKind.SECURED, total, "total"): 900,
        (FigureKind.EXECUTED, total, "total"): 500,
        (FigureKind.EXECUTED, total, "2024"): 500,
        (FigureKind.IN_TERM_PLAN, total, "2024"): 600,
        (FigureKind.INVESTMENT, city, "total"): 1000 + n,
    }


def make_pledges(count: int, *, department: str = "공공건축과") -> list[Pledge]:
    """Add ``count`` pledges "99-1"… with a sub-project, money, a milestone and an official."""
    owner = Department.objects.get(name=department)
    stages = [Stage.REVIEW, Stage.IN_PROGRESS, Stage.COMPLETE]
    pledges = []
    for n in range(1, count + 1):
        pledge = PledgeFactory(code=f"99-{n}", department=owner, stage=stages[n % 3])
        ProjectFactory(pledge=pledge, figures=money_cells(n))
        MilestoneFactory(pledge=pledge)
        PledgeOfficialFactory(pledge=pledge)
        pledges.append(pledge)
    return pledges
