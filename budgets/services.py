"""Writes for budget figures: loading the printed money tables of a sub-project; audit
workbooks asked for in the admin and written in the background."""

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from departments.services import SEED_REASON, record_upsert
from pledges import periods
from pledges.cache import public_version_bump
from pledges.models import Pledge, Project

from .finance import execution_rate, stated_total_sums
from .models import AuditReportJob, BudgetFigure, FigureKind, FundingSource, ReportStatus

NOT_PUBLISHED = ("", "-")  # a printed blank or dash: no figure, which is not zero
BULK_ROWS = 1000  # an import that changes this many cells refreshes the planner statistics


def figure_cells(project_data: dict[str, Any]) -> dict[tuple[str, str, str], int]:
    """The published cells of one sub-project's fixture: {(kind, source, period): amount}."""
    cells: dict[tuple[str, str, str], int] = {}
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
    """Create, update or delete the figures of a pledge's sub-projects to match its fixture."""
    for project_data in data.get("projects", []):
        project = pledge.projects.get(name=project_data["name"])
        notes = project_data.get("notes", {})
        keep = []
        for (kind, source, period), amount in figure_cells(project_data).items():
            figure, status = record_upsert(
                BudgetFigure,
                lookup={"project": project, "kind": kind, "source": source, "period": period},
                values={"amount": amount, "note": _note_for(notes, kind, source, period)},
            )
            keep.append(figure.pk)
            counts[status] = counts.get(status, 0) + 1
        for stale in project.figures.exclude(pk__in=keep):
            stale._change_reason = SEED_REASON
            stale.delete()
            counts["deleted"] = counts.get("deleted", 0) + 1
    pledge_totals_refresh(pledge_ids=[pledge.pk])


Cell = tuple[str, str, str]  # (kind, source, period)


@dataclass(frozen=True)
class FigureChange:
    cell: Cell
    old: int | None
    new: int | None


@transaction.atomic
def project_figures_update(
    *,
    project: Project,
    cells: dict[Cell, int | None],
    reason: str = "",
    allow_unpublish: bool = False,
) -> list[FigureChange]:
    """Set the given cells of a sub-project's tables, all or nothing.

    ``None`` means "not published": the cell's row is deleted, which only
    ``allow_unpublish`` callers may do (department staff correct a figure with a new
    value, kept in history, rather than remove it). Cells not named are left alone.
    Each write is validated with ``full_clean()`` and carries ``reason`` into history;
    the sub-project's ``updated_at`` moves when anything changed.
    """
    existing = {(f.kind, f.source, f.period): f for f in project.figures.select_for_update()}
    changes: list[FigureChange] = []
    for cell, amount in cells.items():
        figure = existing.get(cell)
        old = figure.amount if figure else None
        if old == amount:
            continue
        if amount is None:
            if not allow_unpublish:
                raise ValidationError(
                    _(
                        "공표된 수치는 지울 수 없습니다. 새 값으로 고치세요. / "
                        "A published figure cannot be removed; correct it with a new value."
                    ),
                    code="unpublish",
                )
            figure._change_reason = reason
            figure.delete()
        else:
            kind, source, period = cell
            figure = figure or BudgetFigure(
                project=project, kind=kind, source=source, period=period
            )
            figure.amount = amount
            figure.full_clean()
            figure._change_reason = reason
            figure.save()
        changes.append(FigureChange(cell=cell, old=old, new=amount))
    if changes:
        _secured_within_current_total(project)
        project._change_reason = reason
        project.save(update_fields=["updated_at"])
        pledge_totals_refresh(pledge_ids=[project.pledge_id])
    return changes


def _secured_within_current_total(project: Project) -> None:
    """Secured (확보금액 계) may not exceed the current total cost (총사업비 현재계획)."""
    total = (FundingSource.TOTAL, periods.TOTAL)
    amounts = dict(
        project.figures.filter(
            kind__in=[FigureKind.SECURED, FigureKind.COST_CURRENT],
            source=total[0],
            period=total[1],
        ).values_list("kind", "amount")
    )
    secured, current = amounts.get(FigureKind.SECURED), amounts.get(FigureKind.COST_CURRENT)
    if secured is not None and current is not None and secured > current:
        raise ValidationError(
            _(
                "확보금액(%(secured)s)이 총사업비 현재계획(%(current)s)보다 큽니다. / "
                "Secured (%(secured)s) is above the current total cost (%(current)s)."
            )
            % {"secured": f"{secured:,}", "current": f"{current:,}"},
            code="secured_above_current",
        )


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
    versions: dict[str, str] | None = None,
    dry_run: bool = False,
) -> list[FigureChange]:
    """Apply an import file's cells, sub-project by sub-project, all or nothing.

    Amounts go through ``project_figures_update`` (the grid's rules); notes are set on
    the same figures. ``versions`` ({sub-project id: updated_at} as the dry run saw them)
    refuses a sub-project changed since its preview. Every sub-project's errors are
    collected, then ``FiguresImportRefused`` rolls everything back. ``dry_run`` checks
    the same way and rolls back at the end. Parsing and key lookups happen before, outside
    this transaction, so it stays short.
    """
    ids = sorted(set(amounts) | set(notes))
    projects = (
        Project.objects.select_for_update(of=("self",)).select_related("pledge__term").in_bulk(ids)
    )
    errors: dict[int, ValidationError] = {}
    changes: list[FigureChange] = []
    for pk in ids:
        project = projects.get(pk)
        if project is None:
            errors[pk] = ValidationError(
                _("세부사업이 삭제되었습니다. / The sub-project has been deleted."), code="gone"
            )
            continue
        if versions is not None and versions.get(str(pk)) != project.updated_at.isoformat():
            errors[pk] = ValidationError(
                _(
                    "미리 보기 뒤에 다른 사용자가 %(project)s의 수치를 바꿨습니다. 파일을 다시 "
                    "올려 바뀐 내용을 확인하세요. / %(project)s was changed by someone else "
                    "after the preview: upload the file again and check the changes."
                )
                % {"project": project},
                code="stale",
            )
            continue
        try:
            with transaction.atomic():
                changes += project_figures_update(
                    project=project, cells=amounts.get(pk, {}), reason=reason
                )
                _figure_notes_update(project=project, notes=notes.get(pk, {}), reason=reason)
        except ValidationError as error:
            errors[pk] = error
    if errors:
        raise FiguresImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    elif len(changes) >= BULK_ROWS:
        # A bulk load: fresh planner statistics once the rows are committed.
        tables = [BudgetFigure._meta.db_table, BudgetFigure.history.model._meta.db_table]
        transaction.on_commit(lambda: planner_statistics_refresh(tables=tables))
    return changes


def _figure_notes_update(*, project: Project, notes: dict[Cell, str], reason: str) -> None:
    if not notes:
        return
    figures = {(f.kind, f.source, f.period): f for f in project.figures.select_for_update()}
    for cell, note in notes.items():
        figure = figures.get(cell)
        if figure is not None and figure.note != note:
            figure.note = note
            figure.full_clean()
            figure._change_reason = reason
            figure.save()


def pledge_totals_refresh(*, pledge_ids: Iterable[int]) -> None:
    """Recompute the stored money totals of these pledges from their figures.

    The totals on ``Pledge`` are a read model for lists and sorting; every path that
    writes figures calls this (the grid, the import, the seed loader, the synthetic
    generator, the admin's single-figure form).
    """
    ids = list(set(pledge_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        sums = {
            row["project__pledge_id"]: row
            for row in BudgetFigure.objects.filter(project__pledge_id__in=batch)
            .values("project__pledge_id")
            .annotate(**stated_total_sums())
            .order_by()
        }
        pledges = list(Pledge.objects.filter(pk__in=batch))
        for pledge in pledges:
            row = sums.get(pledge.pk, {})
            pledge.current_total = row.get("current_total")
            pledge.secured_total = row.get("secured_total")
            pledge.executed_total = row.get("executed_total")
            pledge.execution_rate = execution_rate(pledge.executed_total, pledge.current_total)
        Pledge.objects.bulk_update(
            pledges, ["current_total", "secured_total", "executed_total", "execution_rate"]
        )
    public_version_bump()


def planner_statistics_refresh(
    *, tables: Iterable[str] | None = None, vacuum: Iterable[str] = ()
) -> None:
    """ANALYZE on PostgreSQL right after a bulk load (all tables, or the ones named).

    Until the planner has statistics for new rows it picks poor plans: issue 16 measured
    pages 3-5x slower after a load until autovacuum got round to it. ``vacuum`` names
    tables to VACUUM first (outside a transaction only), which marks their pages
    all-visible so index-only scans (a deep page's ids) need not visit the table.
    SQLite plans well enough without: nothing to do there.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in vacuum:
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
