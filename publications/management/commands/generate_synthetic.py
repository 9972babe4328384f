"""Synthetic pledges for benchmarks: a realistic volume next to, never mixed into, the seed.

Everything synthetic lives in its own terms (numbers 900 and up, "합성 데이터") and its own
bureau ("합성국"), so ``--clear`` removes exactly that and the seed is untouched.
Deterministic for a given ``--seed``. The benchmark's two shapes (benchmarks/bench.py):

    generate_synthetic --terms 10 --pledges 300 --publications 8   (a city over decades)
    generate_synthetic --pledges 50000                              (stress: one big term)

``--terms N``: N four-year terms back to back, the newest 2022-2026 (numbers 900 … 900+N-1,
oldest first), each with ``--pledges`` pledges, sharing the departments and officials.
``--publications K`` (1-8): each term's pledges are published K times, two a year, through
the real service: first ``publication_seed``, then before each ``publication_publish`` the
cards move to the next half-year (``as_of``) and one pledge in five has its executed figures
corrected, so every publication is a real change. The service dates a publication "now";
the generator then dates it the month its figures are as of, as the seed is dated.

Fast enough for 50,000 pledges (2.6 million cells): every card is drawn in Python first,
so each pledge's stored totals are computed from its own cells with the read model's
rule (``stored_totals``) before it is inserted, instead of a second pass that reads the
cells back and updates 50,000 rows; the three big tables (cells, milestones, official
links) go in as plain multi-row ``INSERT``s of tuples (no model instance per row, no COPY:
the same SQL on PostgreSQL and SQLite). The change history is complete (a "+" row for
every row written, at one moment), because the published state is a point in it, and the
build ends with the first publication, like the seed's.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from budgets.finance import Cells, Finance, stored_totals
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
from publications.models import PledgeReview, Publication, PublicationRound
from publications.services import SEOUL, publication_publish, publication_seed
from publications.snapshots import month_end

TERM_NUMBER = 900
TITLES = ["센터 건립", "제도 운영", "도로 정비", "복지 확대"]
BUREAU = "합성국 (synthetic)"
YEARS = [2022, 2023, 2024, 2025, 2026]  # the newest term's; an older term's are shifted
SOURCES_NOTE = "합성 데이터: 성능 측정용으로 만든 가상의 공약이며, 파주시 문서가 아닙니다."
SOURCES_NOTE_EN = "Synthetic data: made-up pledges for measuring speed, not Paju City's."
MAX_PUBLICATIONS = 8  # two a year over a four-year term
SOURCES = [
    FundingSource.NATIONAL,
    FundingSource.PROVINCIAL,
    FundingSource.PRIVATE,
    FundingSource.SPECIAL_GRANT,
    FundingSource.OTHER,
]


def synthetic_pledges():
    return Pledge.objects.filter(term__number__gte=TERM_NUMBER)


def _months_back(day: date, months: int) -> date:
    """The last day of the month ``months`` before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return month_end(date(index // 12, index % 12 + 1, 1))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` cut into ``parts`` non-negative whole amounts that add up exactly."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def rows_insert(
    model: type[Model], columns: list[str], rows: list[tuple], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples of database-ready values for ``columns``, attnames) in
    multi-row ``INSERT`` statements; every other column gets its field's default.

    Bypasses model instances and ``save()`` (no signals, no history): for generated
    bulk data only. With ``returning`` the new ids, in the rows' order (PostgreSQL and
    SQLite return a multi-row insert's rows in order; Django's ``bulk_create`` relies on it).
    """
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    names = {field.attname for field in given}
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in names]
    now = timezone.now()
    constants = tuple(
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in rest
    )
    width = len(given) + len(rest)
    per_statement = min(1000, (connection.features.max_query_params or 65_535) // width)
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(f.column) for f in [*given, *rest])}) VALUES "
    )
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    placeholder = f"({', '.join(['%s'] * width)})"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            params = [value for row in batch for value in (*row, *constants)]
            cursor.execute(head + ", ".join([placeholder] * len(batch)) + tail, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _history_insert(
    model: type[Model], columns: list[str], ids: list[int], rows: list[tuple], moment: datetime
) -> None:
    """A "+" history row, at ``moment``, for each row just inserted with ``rows_insert``."""
    when = connection.ops.adapt_datetimefield_value(moment)
    # The history keeps the rows' own timestamps as plain fields (no auto_now there).
    stamps = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    rows_insert(
        model.history.model,
        ["id", *columns, *stamps, "history_date", "history_type", "history_change_reason"],
        [
            (pk, *row, *[when] * len(stamps), when, "+", "generate_synthetic")
            for pk, row in zip(ids, rows, strict=True)
        ],
    )


class Command(BaseCommand):
    help = "벤치마크용 합성 자료를 만듭니다 (시드와 분리). / Build synthetic data for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=10_000, help="per term")
        parser.add_argument("--terms", type=int, default=1)
        parser.add_argument(
            "--publications",
            type=int,
            default=1,
            choices=range(1, MAX_PUBLICATIONS + 1),
            help="publications of each pledge, two a year",
        )
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
        counts = self._build(
            options["pledges"],
            options["departments"],
            options["seed"],
            terms=options["terms"],
            publications=options["publications"],
        )
        public_version_bump()
        # PostgreSQL: fresh statistics (and all-visible tables), fast pages at once.
        planner_statistics_refresh(vacuum=[Pledge._meta.db_table, Publication._meta.db_table])
        seconds = (datetime.now() - started).total_seconds()
        summary = ", ".join(f"{name} {n:,}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"synthetic data in {seconds:.1f} s: {summary}"))

    @transaction.atomic
    def _clear(self) -> None:
        """Delete synthetic rows with plain SQL deletes (no per-row history for test data)."""
        pledges = synthetic_pledges()
        ids = list(pledges.values_list("pk", flat=True))
        links = (Publication.officials.through, Publication.work_plan_items.through)
        for model in (*links, PledgeReview, Publication):
            lookup = "publication__pledge_id__in" if model in links else "pledge_id__in"
            for start in range(0, len(ids), 500):
                rows = model.objects.filter(**{lookup: ids[start : start + 500]})
                rows._raw_delete(rows.db)
        PublicationRound.objects.filter(term__number__gte=TERM_NUMBER).delete()
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
        Vision.objects.filter(term__number__gte=TERM_NUMBER).delete()
        Term.objects.filter(number__gte=TERM_NUMBER).delete()
        departments = Department.objects.filter(bureau__name=BUREAU)
        Official.objects.filter(department__in=departments)._raw_delete(Official.objects.db)
        departments.delete()
        Bureau.objects.filter(name=BUREAU).delete()
        public_version_bump()

    @transaction.atomic
    def _build(
        self, pledge_count: int, department_count: int, seed: int, *, terms: int, publications: int
    ) -> dict[str, int]:
        rng = random.Random(seed)
        # with their "+" history rows, before the oldest term's first publication
        tz = ZoneInfo(settings.TIME_ZONE)
        born = datetime(2025, 1, 2, tzinfo=tz) if terms == 1 else datetime(2022, 7, 1, tzinfo=tz)
        first = {
            "default_change_reason": "generate_synthetic",
            "default_date": born.replace(year=born.year - 4 * (terms - 1)),
        }
        bureau = Bureau.objects.create(name=BUREAU)
        departments = bulk_create_with_history(
            [
                Department(name=f"합성부서 {n:03d}", bureau=bureau)
                for n in range(1, department_count + 1)
            ],
            Department,
            **first,
        )
        officials = bulk_create_with_history(
            [
                Official(
                    department=department,
                    role=role,
                    name=f"합성{department.pk % 1000:03d}{index}",
                    phone=f"940-{rng.randint(1000, 9999)}",
                )
                for department in departments
                for index, role in enumerate(Role.values)
            ],
            Official,
            batch_size=2000,
            **first,
        )
        by_department: dict[int, list[Official]] = {}
        for official in officials:
            by_department.setdefault(official.department_id, []).append(official)
        counts = {"terms": terms, "departments": len(departments)}
        for index in range(terms):
            back = 4 * (terms - 1 - index)  # years before the newest term
            term = Term.objects.create(
                number=TERM_NUMBER + index,
                name="합성 데이터" if terms == 1 else f"합성 데이터 {index + 1}",
                start=date(2022 - back, 7, 1),
                end=date(2026 - back, 6, 30),
                sources=SOURCES_NOTE,
                sources_en=SOURCES_NOTE_EN,
            )
            # the K publications' as-of days, every six months up to the term's last January
            days = [
                _months_back(date(2026 - back, 1, 1), 6 * (publications - 1 - k))
                for k in range(publications)
            ]
            built = self._term(term, pledge_count, departments, by_department, rng, days[0])
            for day in days[1:]:
                built["publications"] += self._republish(term, day, rng)
            for name, n in built.items():
                counts[name] = counts.get(name, 0) + n
        return counts

    def _term(
        self,
        term: Term,
        pledge_count: int,
        departments: list[Department],
        by_department: dict[int, list[Official]],
        rng: random.Random,
        as_of: date,
    ) -> dict[str, int]:
        """One term's pledges, cards and cells, published once (the seed)."""
        tz = ZoneInfo(settings.TIME_ZONE)
        # written before the first publication: 2025-01-02 for today's term, as before
        created = min(datetime(2025, 1, 2, tzinfo=tz), datetime.combine(as_of, time(), tz))
        first = {"default_change_reason": "generate_synthetic", "default_date": created}
        years = [term.start.year + n for n in range(len(YEARS))]
        visions = bulk_create_with_history(
            [Vision(term=term, number=n, title=f"합성 비전 {n}") for n in range(1, 21)],
            Vision,
            **first,
        )
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
                    target_year=rng.choice([*years, years[-1] + 1]),
                    target=rng.choice(["공사 준공", "제도 시행", "운영"]),
                    overview="합성 자료",
                    as_of=as_of,
                )
            )
        # Sub-projects and their cells, drawn before anything is written: each pledge's
        # stored totals come from its own cells (the total rows summed over its
        # sub-projects, as budgets.services.pledge_totals_refresh sums them).
        projects = [
            (index, count, k)
            for index, pledge in enumerate(pledges)
            if pledge.budget_type == "budget"
            for count in [rng.choice([1, 1, 1, 2, 2, 3])]
            for k in range(1, count + 1)
        ]
        project_cells = [self._cells(rng, years) for _project in projects]
        totals: dict[int, Cells] = {}
        for (index, _count, _k), cells in zip(projects, project_cells, strict=True):
            summed = totals.setdefault(index, {})
            for (kind, source, period), amount in cells.items():
                if source == FundingSource.TOTAL:
                    summed[(kind, source, period)] = summed.get((kind, source, period), 0) + amount
        for index, pledge in enumerate(pledges):
            for name, value in stored_totals(Finance(totals.get(index, {})), pledge.as_of).items():
                setattr(pledge, name, value)

        pledges = Pledge.objects.bulk_create(pledges, batch_size=2000)
        recorded = {f.attname for f in Pledge.history.model._meta.concrete_fields} & {
            f.attname for f in Pledge._meta.concrete_fields
        }
        Pledge.history.bulk_create(
            [
                Pledge.history.model(
                    **{f: getattr(p, f) for f in recorded},
                    history_date=created,
                    history_type="+",
                    history_change_reason="generate_synthetic",
                )
                for p in pledges
            ],
            batch_size=2000,
        )
        project_rows = [
            (pledges[index].pk, f"세부사업 {k}" if count > 1 else "본사업", k)
            for index, count, k in projects
        ]
        project_columns = ["pledge_id", "name", "position"]
        project_ids = rows_insert(Project, project_columns, project_rows, returning=True)
        _history_insert(Project, project_columns, project_ids, project_rows, created)
        figures = [
            (project_id, kind, source, period, amount)
            for project_id, cells in zip(project_ids, project_cells, strict=True)
            for (kind, source, period), amount in cells.items()
        ]
        figure_ids = rows_insert(
            BudgetFigure,
            ["project_id", "kind", "source", "period", "amount"],
            figures,
            returning=True,
        )
        changed = rng.sample(range(len(figures)), k=min(len(figures) // 50, 20_000))
        unchanged = sorted(set(range(len(figures))) - set(changed))
        _history_insert(
            BudgetFigure,
            ["project_id", "kind", "source", "period", "amount"],
            [figure_ids[n] for n in unchanged],
            [figures[n] for n in unchanged],
            created,
        )
        history = BudgetFigure.history.model
        BudgetFigure.history.bulk_create(
            [
                history(
                    id=figure_ids[n],
                    project_id=project_id,
                    kind=kind,
                    source=source,
                    period=period,
                    amount=value,
                    note="",
                    history_date=moment,
                    history_type=change,
                    history_change_reason="generate_synthetic",
                )
                for n in changed
                for project_id, kind, source, period, amount in [figures[n]]
                for value, moment, change in [
                    (max(amount - rng.randint(0, 50), 0), created, "+"),
                    (amount, created + timedelta(days=179), "~"),
                ]
            ],
            batch_size=5000,
        )

        milestones = []
        for pledge in pledges:
            day = term.start + timedelta(days=rng.randint(0, 60))
            for position in range(1, rng.randint(8, 12) + 1):
                day += timedelta(days=rng.randint(20, 120))
                milestones.append(
                    (
                        pledge.pk,
                        position,
                        f"{day.year}. {day.month}.",
                        connection.ops.adapt_datefield_value(day.replace(day=1)),
                        "month",
                        rng.choice(["계획 수립", "설계 착수", "공사 착공", "시범 운영", "준공"]),
                    )
                )
        milestone_columns = [
            "pledge_id",
            "position",
            "date_text",
            "start",
            "start_precision",
            "text",
        ]
        milestone_ids = rows_insert(Milestone, milestone_columns, milestones, returning=True)
        _history_insert(Milestone, milestone_columns, milestone_ids, milestones, created)
        links = [
            (pledge.pk, official.pk, index)
            for pledge in pledges
            for index, official in enumerate(by_department[pledge.department_id], start=1)
        ]
        link_columns = ["pledge_id", "official_id", "position"]
        link_ids = rows_insert(PledgeOfficial, link_columns, links, returning=True)
        _history_insert(PledgeOfficial, link_columns, link_ids, links, created)
        publications = publication_seed(pledges=pledges)
        return {
            "pledges": len(pledges),
            "sub-projects": len(projects),
            "figures": len(figures),
            "figure changes": len(changed),
            "milestones": len(milestones),
            "publications": len(publications),
        }

    def _republish(self, term: Term, as_of: date, rng: random.Random) -> int:
        """The term's next publication, through ``publication_publish``: every card moves to
        ``as_of`` and one pledge in five has an executed amount corrected (the year's cell
        and the total, so the table still adds up); dated the end of ``as_of``'s month."""
        moment = datetime.combine(as_of, time(23, 59, 59), tzinfo=SEOUL)
        edited = {"default_change_reason": "generate_synthetic", "default_date": moment}
        pledges = list(Pledge.objects.filter(term=term).order_by("pk"))
        for pledge in pledges:
            pledge.as_of = as_of
        bulk_update_with_history(pledges, Pledge, ["as_of"], batch_size=2000, **edited)
        corrected = [p.pk for p in pledges if rng.random() < 0.2]
        figures = list(
            BudgetFigure.objects.filter(
                project__pledge_id__in=corrected,
                kind=FigureKind.EXECUTED,
                source=FundingSource.TOTAL,
                period__in=[str(term.start.year), "total"],
            )
        )
        for figure in figures:
            figure.amount += 1 + figure.project_id % 7
        bulk_update_with_history(figures, BudgetFigure, ["amount"], batch_size=2000, **edited)
        pledge_totals_refresh(pledge_ids=corrected)
        created = publication_publish(pledges=[p.pk for p in pledges], by=None, note="합성 공표")
        if created:
            now = created[0].published_at  # the service's moment, shared by the batch
            rows = Publication.objects.filter(term=term)
            rows.filter(superseded_at=now).update(superseded_at=moment)
            rows.filter(published_at=now).update(published_at=moment)
        return len(created)

    def _cells(self, rng: random.Random, years: list[int]) -> Cells:
        """One sub-project's tables, filled like a real card and adding up like one."""
        total = rng.randint(10, 5_000) * 10
        prior = rng.choice([0, 0, total // rng.randint(3, 8)])
        yearly = _split(total - prior, len(years), rng)
        sources = [FundingSource.CITY, *rng.sample(SOURCES, k=rng.choice([0, 1, 2]))]
        cells: Cells = {}

        columns = {"prior": prior, **{str(y): a for y, a in zip(years, yearly, strict=True)}}
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
        for year, amount in zip(years, yearly, strict=True):
            cells[(FigureKind.IN_TERM_PLAN, FundingSource.TOTAL, str(year))] = amount
        cells[(FigureKind.IN_TERM_PLAN, FundingSource.TOTAL, "total")] = total - prior
        secured = [cells[(FigureKind.INVESTMENT, source, "total")] for source in sources]
        for source, amount in zip(sources, secured, strict=True):
            cells[(FigureKind.SECURED, source, "total")] = amount
        cells[(FigureKind.SECURED, FundingSource.TOTAL, "total")] = sum(secured)
        executed = 0
        for year, amount in zip(years[:4], yearly, strict=False):
            spent = int(amount * rng.uniform(0.6, 1.05))
            cells[(FigureKind.EXECUTED, FundingSource.TOTAL, str(year))] = spent
            executed += spent
        cells[(FigureKind.EXECUTED, FundingSource.TOTAL, "total")] = executed
        return cells
