"""Writes for budget figures: loading the printed money tables of a sub-project."""

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.locking import version_check
from core.services import SEED_REASON, record_delete, tally
from departments.models import Department
from pledges import periods
from pledges.models import Pledge, Project

from .finance import STORED_TOTALS, Cell, Cells, FigureChange, Finance, stored_totals
from .models import AuditReportJob, BudgetFigure, FigureKind, FundingSource, ReportStatus

NOT_PUBLISHED = ("", "-")  # a printed blank or dash: no figure, which is not zero
BULK_ROWS = 1000  # an import that changes this many cells refreshes the planner statistics


def figure_cells(project_data: dict[str, Any]) -> Cells:
    """The published cells of one sub-project's fixture: {(kind, source, period): amount}."""
    cells: Cells = {}
    investment = project_data.get("investment")
    finance = project_data.get("finance", {})
    unknown = (set(investment or {}) - {"columns", *FundingSource.values}) | (
        set(finance.get(FigureKind.SECURED, {})) - set(FundingSource.values)
    )
    if unknown:
        raise ValueError(f"{project_data['name']}: unknown funding source(s) {sorted(unknown)}")
    if investment:
        columns = investment["columns"]
        for source in FundingSource.values:
            if source not in investment:
                continue
            for period, amount in zip(columns, investment[source], strict=True):
                if amount not in NOT_PUBLISHED:
                    cells[(FigureKind.INVESTMENT, source, period)] = amount
    for kind in (FigureKind.COST_INITIAL, FigureKind.COST_CURRENT):
        if finance.get(kind) not in (None, *NOT_PUBLISHED):
            cells[(kind, FundingSource.TOTAL, periods.TOTAL)] = finance[kind]
    for kind in (FigureKind.IN_TERM_PLAN, FigureKind.EXECUTED):
        for period, amount in finance.get(kind, {}).items():
            if amount not in NOT_PUBLISHED:
                cells[(kind, FundingSource.TOTAL, str(period))] = amount
    for source, amount in finance.get(FigureKind.SECURED, {}).items():
        if amount not in NOT_PUBLISHED:
            cells[(FigureKind.SECURED, source, periods.TOTAL)] = amount
    return cells


def _note_for(notes: dict[str, str], kind: str, source: str, period: str) -> str:
    for key in (f"{kind}.{source}.{period}", f"{kind}.{source}", kind):
        if key in notes:
            return notes[key]
    return ""


@transaction.atomic
def figures_seed(*, pledge: Pledge, data: dict[str, Any], counts: dict[str, int]) -> None:
    """Create, update or delete the figures of a pledge's sub-projects to match its fixture.

    Through ``project_figures_update``, so the seed obeys the rules every door obeys.
    """
    for project_data in data.get("projects", []):
        project = pledge.projects.get(name=project_data["name"])
        wanted = figure_cells(project_data)
        stale = set(project.figures.values_list("kind", "source", "period")) - set(wanted)
        notes_in = project_data.get("notes", {})
        changes = project_figures_update(
            project=project,
            cells={**dict.fromkeys(stale), **wanted},
            notes={cell: _note_for(notes_in, *cell) for cell in wanted},
            reason=SEED_REASON,
            allow_unpublish=True,
        )
        for change in changes:
            status = (
                "created" if change.old is None else "deleted" if change.new is None else "updated"
            )
            tally(counts, status)
        unchanged = len(wanted) - sum(1 for c in changes if c.new is not None)
        if unchanged:
            counts["unchanged"] = counts.get("unchanged", 0) + unchanged
    pledge_totals_refresh(pledge_ids=[pledge.pk])


SECURED_TOTAL: Cell = (FigureKind.SECURED, FundingSource.TOTAL, periods.TOTAL)
CURRENT_TOTAL: Cell = (FigureKind.COST_CURRENT, FundingSource.TOTAL, periods.TOTAL)
RULE_CELLS = {SECURED_TOTAL, CURRENT_TOTAL}  # the stored cells a rule reads beyond those named


def cell_key(cell: Cell) -> str:
    """The name a cell's errors are filed under: ``kind__source__period``."""
    return "__".join(cell)


def _whole(amount: Any) -> int | None:
    """An amount as a whole number of 백만원 (an integral Decimal counts); else ``None``."""
    if isinstance(amount, bool):
        return None
    if isinstance(amount, int):
        return amount
    if isinstance(amount, Decimal) and amount.is_finite() and amount == amount.to_integral():
        return int(amount)
    return None


def _constraint_message(suffix: str) -> str:
    return next(
        c.violation_error_message for c in BudgetFigure._meta.constraints if c.name.endswith(suffix)
    )


def figure_check(figure: BudgetFigure) -> None:
    """The model's checks of one figure, without a query: what ``full_clean()`` checks.

    Field checks (choices, lengths, the 64-bit range), ``BudgetFigure.clean`` (the cell
    a table has, the year within the term) and the database's check constraints,
    evaluated in Python with their own messages. Uniqueness needs no query: callers key
    figures by their cell, so a cell is created once; the database constraint stands
    behind. The sub-project is the caller's (already loaded and locked), so its foreign
    key is not looked up again.
    """
    errors: dict = {}
    for check in (lambda: figure.clean_fields(exclude={"project"}), figure.clean):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    # As full_clean(): a constraint on a field that already failed is not checked again.
    if "amount" not in errors and figure.amount < 0:
        errors.setdefault("amount", []).append(_constraint_message("amount_not_negative"))
    if not {"kind", "source"} & set(errors) and (
        figure.kind not in FigureKind.values or figure.source not in FundingSource.values
    ):
        errors.setdefault("__all__", []).append(_constraint_message("known_kind_and_source"))
    if errors:
        raise ValidationError(errors)


def project_figures_validate(
    *,
    project: Project,
    cells: dict[Cell, Any],
    allow_unpublish: bool = False,
    notes: dict[Cell, str] | None = None,
    figures: dict[Cell, BudgetFigure] | None = None,
) -> dict[Cell, int | None]:
    """The money rules, for every door (grid, single figure, import, delete, command).

    Raises one ``ValidationError`` with the errors of every refused cell, filed under
    ``cell_key(cell)``: an amount that is not a whole number of 백만원 or is negative, a
    cell a table does not have (a year outside the term, a source the table is not split
    by), blanking a published figure without ``allow_unpublish``, and secured above the
    current total cost as they would stand after the change. Returns the cells with
    their amounts as ``int``. ``figures`` are the sub-project's stored figures by cell,
    when the caller has them (an import loads every sub-project's in one query); else
    they are read. No query per cell: ``figure_check`` holds the model's checks.
    """
    normalized: dict[Cell, int | None] = {}
    existing = figures if figures is not None else _figures_by_cell(project)
    errors: dict[str, list] = {}

    def refuse(cell: Cell, message) -> None:
        errors.setdefault(cell_key(cell), []).append(message)

    for cell, amount in cells.items():
        figure = existing.get(cell)
        if amount is None:
            if figure is not None and not allow_unpublish:
                refuse(
                    cell,
                    _("A published figure cannot be removed; correct it with a new value."),
                )
            normalized[cell] = None
            continue
        amount = _whole(amount)
        if amount is None:
            refuse(
                cell,
                _("Amounts are whole numbers of million won."),
            )
            continue
        normalized[cell] = amount
        note = (notes or {}).get(cell)
        if figure is not None and figure.amount == amount and note in (None, figure.note):
            continue  # unchanged
        kind, source, period = cell
        candidate = BudgetFigure(
            pk=figure.pk if figure else None,
            project=project,
            kind=kind,
            source=source,
            period=period,
            amount=amount,
            note=note if note is not None else (figure.note if figure else ""),
        )
        try:
            figure_check(candidate)
        except ValidationError as error:
            for message in error.messages:
                refuse(cell, message)
    after = {cell: f.amount for cell, f in existing.items()}
    after.update(normalized)
    secured, current = after.get(SECURED_TOTAL), after.get(CURRENT_TOTAL)
    if (
        isinstance(secured, int)
        and isinstance(current, int)
        and secured > current
        and (SECURED_TOTAL in cells or CURRENT_TOTAL in cells)
    ):
        refuse(
            SECURED_TOTAL if SECURED_TOTAL in cells else CURRENT_TOTAL,
            _("Secured (%(secured)s) is above the current total cost (%(current)s).")
            % {"secured": f"{secured:,}", "current": f"{current:,}"},
        )
    if errors:
        raise ValidationError(errors)
    return normalized


def _figures_by_cell(project: Project) -> dict[Cell, BudgetFigure]:
    return {(f.kind, f.source, f.period): f for f in project.figures.all()}


@dataclass
class FiguresPlan:
    """What a change to figures will write: rows to create, update and delete, and why.

    Filled by ``project_figures_plan`` (one sub-project at a time, after its rules
    passed), written by ``figures_write`` in bulk: one plan for a grid save, one for a
    whole import file.
    """

    created: list[BudgetFigure] = field(default_factory=list)
    updated: list[BudgetFigure] = field(default_factory=list)
    deleted: list[BudgetFigure] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    changes: list[FigureChange] = field(default_factory=list)


def project_figures_plan(
    *,
    plan: FiguresPlan,
    project: Project,
    cells: dict[Cell, Any],
    figures: dict[Cell, BudgetFigure],
    allow_unpublish: bool = False,
    notes: dict[Cell, str] | None = None,
) -> list[FigureChange]:
    """Check a sub-project's change with ``project_figures_validate`` and add it to ``plan``.

    ``figures`` are the sub-project's stored figures by cell, as its caller loaded (and
    locked) them. Nothing is written and ``plan`` is left alone when a rule refuses
    (``ValidationError``). Returns this sub-project's changes.
    """
    cells = project_figures_validate(
        project=project,
        cells=cells,
        allow_unpublish=allow_unpublish,
        notes=notes,
        figures=figures,
    )
    changes: list[FigureChange] = []
    for cell, amount in cells.items():
        figure = figures.get(cell)
        old = figure.amount if figure else None
        note = (notes or {}).get(cell)
        if old == amount and (note is None or figure is None or figure.note == note):
            continue
        if amount is None:
            plan.deleted.append(figure)
        elif figure is None:
            kind, source, period = cell
            plan.created.append(
                BudgetFigure(
                    project=project,
                    kind=kind,
                    source=source,
                    period=period,
                    amount=amount,
                    note=note or "",
                )
            )
        else:
            figure.amount = amount
            if note is not None:
                figure.note = note
            plan.updated.append(figure)
        changes.append(FigureChange(cell=cell, old=old, new=amount))
    if changes:
        plan.projects.append(project)
        plan.changes += changes
    return changes


@transaction.atomic
def figures_write(*, plan: FiguresPlan, user=None, reason: str = "") -> None:
    """Write a checked plan: figures in bulk, each with a history row (user, reason).

    The sub-projects' versions (``updated_at``) move, with their own history rows; the
    public data version does not (figures are drafts until published). Only the rules'
    own callers (``project_figures_update``, ``figures_import``) call this.
    """
    if not plan.changes:
        return
    history = {"default_user": user, "default_change_reason": reason, "batch_size": 500}
    for figure in plan.deleted:
        record_delete(obj=figure, user=user, reason=reason)
    if plan.created:
        bulk_create_with_history(plan.created, BudgetFigure, **history)
    if plan.updated:
        bulk_update_with_history(plan.updated, BudgetFigure, ["amount", "note"], **history)
    now = timezone.now()
    for project in plan.projects:
        project.updated_at = now
    bulk_update_with_history(plan.projects, Project, ["updated_at"], **history)


@transaction.atomic
def project_figures_update(
    *,
    project: Project,
    cells: dict[Cell, Any],
    reason: str = "",
    allow_unpublish: bool = False,
    user=None,
    expected_version: str | None = None,
    notes: dict[Cell, str] | None = None,
) -> list[FigureChange]:
    """Set the given cells of a sub-project's tables (and their notes), all or nothing.

    ``None`` means "not published": the cell's row is deleted, which only
    ``allow_unpublish`` callers may do (department staff correct a figure with a new
    value, kept in history, rather than remove it). Cells not named are left alone; a
    note is set only on a cell named in ``cells``. ``expected_version`` is the
    sub-project's version the caller's form was opened at (``core.locking``); a
    stale one is refused. The rules are ``project_figures_validate``'s
    (``project_figures_plan``), the writes ``figures_write``'s: each with a history row
    carrying ``user`` and ``reason``; the sub-project's version moves and the pledge's
    totals are refreshed when anything changed.
    """
    version_check(obj=project, expected=expected_version)
    figures = {(f.kind, f.source, f.period): f for f in project.figures.select_for_update()}
    plan = FiguresPlan()
    project_figures_plan(
        plan=plan,
        project=project,
        cells=cells,
        figures=figures,
        allow_unpublish=allow_unpublish,
        notes=notes,
    )
    figures_write(plan=plan, user=user, reason=reason)
    if plan.changes:
        pledge_totals_refresh(pledge_ids=[project.pledge_id])
    return plan.changes


class FiguresImportRefused(Exception):
    """An import the service refused: the errors of each sub-project, by its id."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(errors)
        self.errors = errors


@transaction.atomic
def figures_import(
    *,
    amounts: dict[int, dict[Cell, int]],
    notes: dict[int, dict[Cell, str]],
    reason: str,
    user=None,
    versions: dict[str, str] | None = None,
    dry_run: bool = False,
) -> list[FigureChange]:
    """Apply an import file's cells, sub-project by sub-project, all or nothing.

    Amounts and notes are checked sub-project by sub-project with the grid's rules
    (``project_figures_plan``) and written once for the whole file (``figures_write``:
    in bulk, history with ``user`` and ``reason``, the sub-projects' versions moved).
    ``versions`` ({sub-project id: updated_at} as the dry run saw them) refuses a
    sub-project changed since its preview. The sub-projects and their figures are read
    (and locked) once for the whole file, and the pledges' totals refreshed once at the
    end. Every
    sub-project's errors are collected, then ``FiguresImportRefused`` rolls everything
    back. ``dry_run`` checks the same way and rolls back at the end. Parsing and key
    lookups happen before, outside this transaction, so it stays short.
    """
    ids = sorted(set(amounts) | set(notes))
    projects: dict[int, Project] = {}
    figures: dict[int, dict[Cell, BudgetFigure]] = {pk: {} for pk in ids}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        projects.update(
            Project.objects.select_for_update(of=("self",))
            .select_related("pledge__term")
            .in_bulk(batch)
        )
        for figure in BudgetFigure.objects.select_for_update().filter(project_id__in=batch):
            cell = (figure.kind, figure.source, figure.period)
            named = amounts.get(figure.project_id, {}), notes.get(figure.project_id, {})
            if cell not in RULE_CELLS and cell not in named[0] and cell not in named[1]:
                continue  # the rules read only the named cells and the two totals
            if figure.project_id in projects:  # its pledge and term loaded: no query in clean()
                figure.project = projects[figure.project_id]
            figures[figure.project_id][cell] = figure
    errors: dict[int, ValidationError] = {}
    plan = FiguresPlan()
    for pk in ids:
        project = projects.get(pk)
        if project is None:
            errors[pk] = ValidationError(_("The sub-project has been deleted."), code="gone")
            continue
        if versions is not None and versions.get(str(pk)) != project.updated_at.isoformat():
            errors[pk] = ValidationError(
                _(
                    "%(project)s was changed by someone else after the preview: upload the "
                    "file again and check the changes."
                )
                % {"project": project},
                code="stale",
            )
            continue
        project_notes = notes.get(pk, {})
        cells: dict[Cell, Any] = {
            cell: figures[pk][cell].amount for cell in project_notes if cell in figures[pk]
        }
        cells.update(amounts.get(pk, {}))
        try:
            project_figures_plan(
                plan=plan, project=project, cells=cells, figures=figures[pk], notes=project_notes
            )
        except ValidationError as error:
            errors[pk] = error
    if errors:
        raise FiguresImportRefused(errors)
    figures_write(plan=plan, user=user, reason=reason)
    if plan.projects:
        pledge_totals_refresh(pledge_ids={project.pledge_id for project in plan.projects})
    if dry_run:
        transaction.set_rollback(True)
    elif len(plan.changes) >= BULK_ROWS:
        # A bulk load: fresh planner statistics once the rows are committed.
        tables = [BudgetFigure._meta.db_table, BudgetFigure.history.model._meta.db_table]
        transaction.on_commit(lambda: planner_statistics_refresh(tables=tables))
    return plan.changes


def pledge_totals_refresh(*, pledge_ids: Iterable[int]) -> None:
    """Recompute the stored money totals of these pledges from their figures.

    The totals on ``Pledge`` are a read model for lists and sorting; every path that
    writes figures calls this, in its own transaction (``project_figures_update``, behind
    the grid, the single figure form, the import and deletes; the seed loader; the
    synthetic generator). Deleting a sub-project never removes money: its figures
    protect it until they are cleared here.
    """
    ids = list(set(pledge_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        # The total row of every table, summed over each pledge's sub-projects.
        cells: dict[int, dict] = {}
        for pledge_id, kind, period, amount in (
            BudgetFigure.objects.filter(project__pledge_id__in=batch, source=FundingSource.TOTAL)
            .values_list("project__pledge_id", "kind", "period")
            .annotate(amount=Sum("amount"))
            .order_by()
        ):
            cells.setdefault(pledge_id, {})[(kind, FundingSource.TOTAL, period)] = amount
        pledges = list(Pledge.objects.filter(pk__in=batch))
        for pledge in pledges:
            totals = stored_totals(Finance(cells.get(pledge.pk, {})), pledge.as_of)
            for name, value in totals.items():
                setattr(pledge, name, value)
        Pledge.objects.bulk_update(pledges, STORED_TOTALS)


def planner_statistics_refresh(
    *, tables: Iterable[str] | None = None, vacuum: Iterable[str] = ()
) -> None:
    """ANALYZE on PostgreSQL right after a bulk load (all tables, or the ones named).

    Until the planner has statistics for new rows it picks poor plans, and autovacuum
    may take a while to gather them; analysing at once keeps pages fast. ``vacuum`` names
    tables to VACUUM first (outside a transaction only), which marks their pages
    all-visible so index-only scans (a deep page's ids) need not visit the table.
    SQLite plans well enough without: nothing to do there.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction block (a caller's atomic block, a test).
        for table in vacuum if not connection.in_atomic_block else ():
            cursor.execute(f"VACUUM {quote(table)}")
        if tables is None:
            cursor.execute("ANALYZE")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")


# Audit workbooks in the background ------------------------------------------------------


def audit_report_path(job: AuditReportJob) -> Path:
    return Path(settings.AUDIT_REPORTS_DIR) / f"audit-report-{job.pk}.xlsx"


def audit_report_request(
    *, user, as_of: date | None, department: Department | None
) -> AuditReportJob:
    """Record the request and queue the task that writes the workbook (after commit)."""
    from .tasks import audit_report_build

    job = AuditReportJob(owner=user, as_of=as_of, department=department)
    job.full_clean()
    job.save()

    def enqueue() -> None:
        result = audit_report_build.enqueue(job_id=job.pk)
        AuditReportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def audit_report_progress(*, job_id: int, done: int, total: int) -> None:
    """Store how many pledges are written; the progress page reads it."""
    AuditReportJob.objects.filter(pk=job_id).update(
        status=ReportStatus.RUNNING, pledges_done=min(done, total), pledges_total=total
    )


def audit_report_finish(
    *, job_id: int, error: str = "", now: datetime | None = None
) -> AuditReportJob:
    """Mark the job done (with its expiry) or failed (with the reason)."""
    now = now or timezone.now()
    job = AuditReportJob.objects.get(pk=job_id)
    job.finished_at = now
    if error:
        job.status = ReportStatus.FAILED
        job.error = error
        with suppress(OSError):
            audit_report_path(job).unlink(missing_ok=True)
    else:
        job.status = ReportStatus.DONE
        job.pledges_done = job.pledges_total
        job.file_name = audit_report_path(job).name
        job.expires_at = now + timedelta(hours=settings.AUDIT_REPORT_TTL_HOURS)
    job.save()
    return job


def audit_reports_expire(*, now: datetime | None = None) -> int:
    """Remove the files of workbooks past their expiry; the jobs stay, marked expired."""
    now = now or timezone.now()
    expired = 0
    for job in AuditReportJob.objects.filter(status=ReportStatus.DONE, expires_at__lte=now):
        with suppress(OSError):
            audit_report_path(job).unlink(missing_ok=True)
        job.status = ReportStatus.EXPIRED
        job.save(update_fields=["status"])
        expired += 1
    return expired
