"""Writes for budget figures: loading the printed money tables of a sub-project."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from departments.locking import version_check
from departments.services import SEED_REASON, record_delete, record_save, tally
from pledges import periods
from pledges.cache import public_version_bump
from pledges.models import Pledge, Project

from .finance import STORED_TOTALS, Cell, Cells, FigureChange, Finance, stored_totals
from .models import BudgetFigure, FigureKind, FundingSource

NOT_PUBLISHED = ("", "-")  # a printed blank or dash: no figure, which is not zero


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


def project_figures_validate(
    *,
    project: Project,
    cells: dict[Cell, Any],
    allow_unpublish: bool = False,
    notes: dict[Cell, str] | None = None,
) -> dict[Cell, int | None]:
    """The money rules, for every door (grid, single figure, import, delete, command).

    Raises one ``ValidationError`` with the errors of every refused cell, filed under
    ``cell_key(cell)``: an amount that is not a whole number of 백만원 or is negative, a
    cell a table does not have (a year outside the term, a source the table is not split
    by), blanking a published figure without ``allow_unpublish``, and secured above the
    current total cost as they would stand after the change. Returns the cells with
    their amounts as ``int``.
    """
    normalized: dict[Cell, int | None] = {}
    existing = {(f.kind, f.source, f.period): f for f in project.figures.all()}
    errors: dict[str, list] = {}

    def refuse(cell: Cell, message) -> None:
        errors.setdefault(cell_key(cell), []).append(message)

    for cell, amount in cells.items():
        figure = existing.get(cell)
        if amount is None:
            if figure is not None and not allow_unpublish:
                refuse(
                    cell,
                    _(
                        "공표된 수치는 지울 수 없습니다. 새 값으로 고치세요. / "
                        "A published figure cannot be removed; correct it with a new value."
                    ),
                )
            normalized[cell] = None
            continue
        amount = _whole(amount)
        if amount is None:
            refuse(
                cell,
                _(
                    "금액은 백만원 단위의 정수여야 합니다. / "
                    "Amounts are whole numbers of million won."
                ),
            )
            continue
        normalized[cell] = amount
        note = (notes or {}).get(cell)
        if figure is not None and figure.amount == amount and note in (None, figure.note):
            continue  # unchanged
        kind, source, period = cell
        candidate = figure or BudgetFigure(project=project, kind=kind, source=source, period=period)
        candidate.amount = amount
        if note is not None:
            candidate.note = note
        try:
            candidate.full_clean()
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
            _(
                "확보금액(%(secured)s)이 총사업비 현재계획(%(current)s)보다 큽니다. / "
                "Secured (%(secured)s) is above the current total cost (%(current)s)."
            )
            % {"secured": f"{secured:,}", "current": f"{current:,}"},
        )
    if errors:
        raise ValidationError(errors)
    return normalized


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
    """Set the given cells of a sub-project's tables, all or nothing.

    ``None`` means "not published": the cell's row is deleted, which only
    ``allow_unpublish`` callers may do (department staff correct a figure with a new
    value, kept in history, rather than remove it). Cells not named are left alone.
    ``expected_version`` is the sub-project's version the caller's form was opened at
    (``departments.locking``); a stale one is refused. The rules are
    ``project_figures_validate``'s. Each write carries ``user`` and ``reason`` into
    history; the sub-project's version moves and the pledge's totals are refreshed
    when anything changed.
    """
    version_check(obj=project, expected=expected_version)
    cells = project_figures_validate(
        project=project, cells=cells, allow_unpublish=allow_unpublish, notes=notes
    )
    existing = {(f.kind, f.source, f.period): f for f in project.figures.select_for_update()}
    changes: list[FigureChange] = []
    for cell, amount in cells.items():
        figure = existing.get(cell)
        old = figure.amount if figure else None
        note = (notes or {}).get(cell)
        if old == amount and (note is None or figure is None or figure.note == note):
            continue
        if amount is None:
            record_delete(obj=figure, user=user, reason=reason)
        else:
            kind, source, period = cell
            figure = figure or BudgetFigure(
                project=project, kind=kind, source=source, period=period
            )
            figure.amount = amount
            if note is not None:
                figure.note = note
            record_save(obj=figure, user=user, reason=reason)
        changes.append(FigureChange(cell=cell, old=old, new=amount))
    if changes:
        project._change_reason = reason
        if user is not None:
            project._history_user = user
        project.save(update_fields=["updated_at"])
        pledge_totals_refresh(pledge_ids=[project.pledge_id])
    return changes


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
    writes figures calls this (``project_figures_update``, behind the grid, the single
    figure form, the import and deletes; the seed loader; the synthetic generator; and
    ``pledge_money_changed`` when sub-projects are deleted).
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
    public_version_bump()
