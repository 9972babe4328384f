"""Synthetic pledges for benchmarks: a realistic volume next to, never mixed into, the seed.

Everything synthetic lives in its own term (number 900, "합성 데이터") and its own bureau
("합성국"), so ``--clear`` removes exactly that and the seed is untouched. Deterministic
for a given ``--seed``; bulk inserts, so 10,000 pledges take well under a minute.
"""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from budgets.finance import Cells
from budgets.models import BudgetFigure, FigureKind, FundingSource
from budgets.services import planner_statistics_refresh, pledge_totals_refresh
from departments.models import Bureau, Department, Official, Role
from pledges.cache import public_version_bump
from pledges.models import (
    Milestone,
    Pledge,
    PledgeOfficial,
    Project,
    Stage,
    Term,
    Vision,
    code_sort_key,
)
from publications.models import PledgeReview, Publication, PublicationRound, PublishedPledge
from publications.services import publication_seed

TERM_NUMBER = 900
TITLES = ["센터 건립", "제도 운영", "도로 정비", "복지 확대"]
BUREAU = "합성국 (synthetic)"
YEARS = [2022, 2023, 2024, 2025, 2026]
SOURCES = [
    FundingSource.NATIONAL,
    FundingSource.PROVINCIAL,
    FundingSource.PRIVATE,
    FundingSource.SPECIAL_GRANT,
    FundingSource.OTHER,
]


def synthetic_pledges():
    return Pledge.objects.filter(term__number=TERM_NUMBER)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` cut into ``parts`` non-negative whole amounts that add up exactly."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


class Command(BaseCommand):
    help = "벤치마크용 합성 자료를 만듭니다 (시드와 분리). / Build synthetic data for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--departments", type=int, default=100)
        parser.add_argument(
            "--clear", action="store_true", help="remove the synthetic data only, then stop"
        )

    def handle(self, *args, **options):
        self._clear()
        if options["clear"]:
            self.stdout.write(self.style.SUCCESS("synthetic data removed"))
            return
        started = datetime.now()
        counts = self._build(options["pledges"], options["departments"], options["seed"])
        public_version_bump()
        # PostgreSQL: fresh statistics (and an all-visible pledge table), fast pages at once.
        planner_statistics_refresh(vacuum=[Pledge._meta.db_table])
        seconds = (datetime.now() - started).total_seconds()
        summary = ", ".join(f"{name} {n:,}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"synthetic data in {seconds:.1f} s: {summary}"))

    @transaction.atomic
    def _clear(self) -> None:
        """Delete synthetic rows with plain SQL deletes (no per-row history for test data)."""
        pledges = synthetic_pledges()
        ids = list(pledges.values_list("pk", flat=True))
        for model in (PublishedPledge, PledgeReview, Publication):
            for start in range(0, len(ids), 500):
                rows = model.objects.filter(pledge_id__in=ids[start : start + 500])
                rows._raw_delete(rows.db)
        PublicationRound.objects.filter(term__number=TERM_NUMBER).delete()
        for model, lookup in [
            (BudgetFigure, "project__pledge_id__in"),
            (Milestone, "pledge_id__in"),
            (PledgeOfficial, "pledge_id__in"),
            (Project, "pledge_id__in"),
        ]:
            for start in range(0, len(ids), 500):
                rows = model.objects.filter(**{lookup: ids[start : start + 500]})
                if model is Milestone:
                    rows.update(parent=None)
                rows._raw_delete(rows.db)
                history = model.history.filter(**{lookup: ids[start : start + 500]})
                history._raw_delete(history.db)
        Pledge.history.filter(id__in=ids)._raw_delete(Pledge.history.db)
        pledges._raw_delete(pledges.db)
        Vision.objects.filter(term__number=TERM_NUMBER).delete()
        Term.objects.filter(number=TERM_NUMBER).delete()
        departments = Department.objects.filter(bureau__name=BUREAU)
        Official.objects.filter(department__in=departments)._raw_delete(Official.objects.db)
        departments.delete()
        Bureau.objects.filter(name=BUREAU).delete()
        public_version_bump()

    @transaction.atomic
    def _build(self, pledge_count: int, department_count: int, seed: int) -> dict[str, int]:
        rng = random.Random(seed)
        term = Term.objects.create(
            number=TERM_NUMBER,
            name="합성 데이터",
            start=date(2022, 7, 1),
            end=date(2026, 6, 30),
        )
        visions = Vision.objects.bulk_create(
            Vision(term=term, number=n, title=f"합성 비전 {n}") for n in range(1, 21)
        )
        bureau = Bureau.objects.create(name=BUREAU)
        departments = Department.objects.bulk_create(
            Department(name=f"합성부서 {n:03d}", bureau=bureau)
            for n in range(1, department_count + 1)
        )
        officials = Official.objects.bulk_create(
            Official(
                department=department,
                role=role,
                name=f"합성{department.pk % 1000:03d}{index}",
                phone=f"940-{rng.randint(1000, 9999)}",
            )
            for department in departments
            for index, role in enumerate(Role.values)
        )
        by_department: dict[int, list[Official]] = {}
        for official in officials:
            by_department.setdefault(official.department_id, []).append(official)

        stages = rng.choices(Stage.values, weights=[10, 55, 30, 5], k=pledge_count)
        pledges = []
        for n in range(pledge_count):
            vision = visions[n % len(visions)]
            non_budget = rng.random() < 0.1
            pledges.append(
                Pledge(
                    term=term,
                    vision=vision,
                    code=(code := f"{vision.number}-{n // len(visions) + 1}"),
                    sort_key=code_sort_key(code),
                    title=f"합성 공약 {n + 1} {rng.choice(TITLES)}",
                    department=rng.choice(departments),
                    project_type=rng.choice(["new", "continuing"]),
                    implementer="city",
                    completion=rng.choice(["in_term", "after_term"]),
                    budget_type="non_budget" if non_budget else "budget",
                    central_support=rng.choice(["none", "legal", "financial", "authority"]),
                    stage=stages[n],
                    objective="합성 자료: 벤치마크 전용",
                    target_year=rng.choice(YEARS + [2027]),
                    target=rng.choice(["공사 준공", "제도 시행", "운영"]),
                    overview="합성 자료",
                    as_of=date(2026, 1, 31),
                )
            )
        pledges = Pledge.objects.bulk_create(pledges, batch_size=2000)
        tz = ZoneInfo(settings.TIME_ZONE)
        recorded = {f.attname for f in Pledge.history.model._meta.concrete_fields} & {
            f.attname for f in Pledge._meta.concrete_fields
        }
        Pledge.history.bulk_create(
            [
                Pledge.history.model(
                    **{f: getattr(p, f) for f in recorded},
                    history_date=datetime(2025, 1, 2, tzinfo=tz),
                    history_type="+",
                    history_change_reason="generate_synthetic",
                )
                for p in pledges
            ],
            batch_size=2000,
        )

        projects = Project.objects.bulk_create(
            (
                Project(pledge=pledge, name=f"세부사업 {k}" if count > 1 else "본사업", position=k)
                for pledge in pledges
                if pledge.budget_type == "budget"
                for count in [rng.choice([1, 1, 1, 2, 2, 3])]
                for k in range(1, count + 1)
            ),
            batch_size=2000,
        )
        figures = []
        for project in projects:
            figures += self._figures(project, rng)
        BudgetFigure.objects.bulk_create(figures, batch_size=5000)
        changed = rng.sample(figures, k=min(len(figures) // 50, 20_000))
        history = BudgetFigure.history.model
        BudgetFigure.history.bulk_create(
            [
                history(
                    id=f.pk,
                    project_id=f.project_id,
                    kind=f.kind,
                    source=f.source,
                    period=f.period,
                    amount=amount,
                    note="",
                    history_date=moment,
                    history_type=kind,
                    history_change_reason="generate_synthetic",
                )
                for f in changed
                for amount, moment, kind in [
                    (max(f.amount - rng.randint(0, 50), 0), datetime(2025, 1, 2, tzinfo=tz), "+"),
                    (f.amount, datetime(2025, 6, 30, tzinfo=tz), "~"),
                ]
            ],
            batch_size=5000,
        )

        milestones = []
        for pledge in pledges:
            day = date(2022, 7, 1) + timedelta(days=rng.randint(0, 60))
            for position in range(1, rng.randint(8, 12) + 1):
                day += timedelta(days=rng.randint(20, 120))
                milestones.append(
                    Milestone(
                        pledge=pledge,
                        position=position,
                        date_text=f"{day.year}. {day.month}.",
                        start=day.replace(day=1),
                        start_precision="month",
                        text=rng.choice(
                            ["계획 수립", "설계 착수", "공사 착공", "시범 운영", "준공"]
                        ),
                    )
                )
        Milestone.objects.bulk_create(milestones, batch_size=5000)
        links = [
            PledgeOfficial(pledge=pledge, official=official, position=index)
            for pledge in pledges
            for index, official in enumerate(by_department[pledge.department_id], start=1)
        ]
        PledgeOfficial.objects.bulk_create(links, batch_size=5000)
        pledge_totals_refresh(pledge_ids=[pledge.pk for pledge in pledges])
        # The change history is complete (the published state is a point in it): a "+"
        # row for every sub-project, milestone, official link and figure not already in it.
        created = datetime(2025, 1, 2, tzinfo=tz)
        recorded = {f.pk for f in changed}
        for model, rows in [
            (Project, projects),
            (Milestone, milestones),
            (PledgeOfficial, links),
            (BudgetFigure, [f for f in figures if f.pk not in recorded]),
        ]:
            _history_create(model, rows, created)
        publications = publication_seed(pledges=pledges)
        return {
            "pledges": len(pledges),
            "departments": len(departments),
            "sub-projects": len(projects),
            "figures": len(figures),
            "figure changes": len(changed),
            "milestones": len(milestones),
            "publications": len(publications),
        }

    def _figures(self, project: Project, rng: random.Random) -> list[BudgetFigure]:
        """One sub-project's tables, filled like a real card and adding up like one."""
        total = rng.randint(10, 5_000) * 10
        prior = rng.choice([0, 0, total // rng.randint(3, 8)])
        yearly = _split(total - prior, len(YEARS), rng)
        sources = [FundingSource.CITY, *rng.sample(SOURCES, k=rng.choice([0, 1, 2]))]
        cells: Cells = {}

        columns = {"prior": prior, **{str(y): a for y, a in zip(YEARS, yearly, strict=True)}}
        for period, amount in columns.items():
            if amount or period != "prior":
                cells[(FigureKind.INVESTMENT, FundingSource.TOTAL, period)] = amount
                for source, part in zip(sources, _split(amount, len(sources), rng), strict=True):
                    cells[(FigureKind.INVESTMENT, source, period)] = part
        cells[(FigureKind.INVESTMENT, FundingSource.TOTAL, "total")] = total
        for source in sources:
            cells[(FigureKind.INVESTMENT, source, "total")] = sum(
                a
                for (k, s, p), a in cells.items()
                if k == FigureKind.INVESTMENT and s == source and p != "total"
            )
        cells[(FigureKind.COST_INITIAL, FundingSource.TOTAL, "total")] = int(
            total * rng.uniform(0.8, 1.3)
        )
        cells[(FigureKind.COST_CURRENT, FundingSource.TOTAL, "total")] = total
        for year, amount in zip(YEARS, yearly, strict=True):
            cells[(FigureKind.IN_TERM_PLAN, FundingSource.TOTAL, str(year))] = amount
        cells[(FigureKind.IN_TERM_PLAN, FundingSource.TOTAL, "total")] = total - prior
        secured = [cells[(FigureKind.INVESTMENT, source, "total")] for source in sources]
        for source, amount in zip(sources, secured, strict=True):
            cells[(FigureKind.SECURED, source, "total")] = amount
        cells[(FigureKind.SECURED, FundingSource.TOTAL, "total")] = sum(secured)
        executed = 0
        for year, amount in zip(YEARS[:4], yearly, strict=False):
            spent = int(amount * rng.uniform(0.6, 1.05))
            cells[(FigureKind.EXECUTED, FundingSource.TOTAL, str(year))] = spent
            executed += spent
        cells[(FigureKind.EXECUTED, FundingSource.TOTAL, "total")] = executed
        return [
            BudgetFigure(project=project, kind=k, source=s, period=p, amount=a)
            for (k, s, p), a in cells.items()
        ]


def _history_create(model, rows: list, moment: datetime) -> None:
    """A "+" history row per row, at ``moment``, in bulk (the rows were bulk-created)."""
    history = model.history.model
    names = {f.attname for f in history._meta.concrete_fields} & {
        f.attname for f in model._meta.concrete_fields
    }
    model.history.bulk_create(
        (
            history(
                **{name: getattr(row, name) for name in names},
                history_date=moment,
                history_type="+",
                history_change_reason="generate_synthetic",
            )
            for row in rows
        ),
        batch_size=5000,
    )
