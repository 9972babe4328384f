"""Users for each role, made the way the admin makes them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from departments.models import Department
from departments.roles import AUDITOR_GROUP, STAFF_GROUP


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


def make_pledges(count: int, *, department: str = "공공건축과") -> None:
    """Add ``count`` pledges with a sub-project, money, milestones and officials (bulk)."""
    from datetime import date

    from budgets.models import BudgetFigure
    from departments.models import Official
    from pledges.models import Milestone, Pledge, PledgeOfficial, Project, Term, Vision

    term = Term.objects.get(is_current=True)
    vision = Vision.objects.get(term=term, number=12)
    owner = Department.objects.get(name=department)
    pledges = Pledge.objects.bulk_create(
        Pledge(
            term=term,
            vision=vision,
            code=f"99-{n}",
            title=f"시험 공약 {n}",
            department=owner,
            stage=["review", "in_progress", "complete"][n % 3],
            budget_type="budget",
            target_year=2025,
            target="목표",
            as_of=date(2026, 1, 31),
        )
        for n in range(1, count + 1)
    )
    projects = Project.objects.bulk_create(Project(pledge=p, name="본사업") for p in pledges)
    figures = []
    for n, project in enumerate(projects, start=1):
        figures += [
            BudgetFigure(project=project, kind="cost_current", amount=1000 + n),
            BudgetFigure(project=project, kind="secured", amount=900),
            BudgetFigure(project=project, kind="executed", amount=500),
            BudgetFigure(project=project, kind="executed", period="2024", amount=500),
            BudgetFigure(project=project, kind="in_term_plan", period="2024", amount=600),
            BudgetFigure(project=project, kind="investment", source="city", amount=1000 + n),
        ]
    BudgetFigure.objects.bulk_create(figures)
    Milestone.objects.bulk_create(
        Milestone(
            pledge=p,
            position=1,
            date_text="2024. 1.",
            start=date(2024, 1, 1),
            start_precision="month",
            text="착수",
        )
        for p in pledges
    )
    official = Official.objects.filter(department=owner).first()
    PledgeOfficial.objects.bulk_create(
        PledgeOfficial(pledge=p, official=official, position=1) for p in pledges
    )
