"""The auditor's workbook: what was promised, secured and spent, what changed, what is off.

Written with XlsxWriter in constant-memory mode, streaming pledges in batches from the
database (a fixed number of queries per batch, none per row), so memory stays flat as
the data grows. ``as_of`` rebuilds every figure, stage and milestone as it stood at the
end of that day (Asia/Seoul) from the change history.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import BinaryIO
from zoneinfo import ZoneInfo

import xlsxwriter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name

from departments.models import Department
from pledges import periods
from pledges.models import Milestone, Pledge, PledgeOfficial, Project, Vision
from pledges.spreadsheet import spreadsheet_safe

from .finance import SOURCE_NAMES
from .models import BudgetFigure, FigureKind, FundingSource
from .quality import PledgeContext, contexts_for, pledge_findings
from .resources import PERIOD_NAMES, TABLE_NAMES

UNIT = "백만원"
MONEY = "#,##0"
DAY = "yyyy-mm-dd"
MOMENT = "yyyy-mm-dd hh:mm:ss"
PERCENT = "0.0"
SOURCES_TEXT = (
    "파주시 민선8기 공약 이행 현황 12장 「시민중심 자족도시 – 행정은 새롭다」 (공약 카드 12-1, "
    "12-2, 12-3, 12-7, 12-8, 12-9); 파주시 행정안전국 2025 주요업무 추진계획. 이후 변경은 "
    "포털의 변경이력(누가, 언제, 무엇을, 왜)."
)
TRACKED_MODELS = [Pledge, Project, BudgetFigure, Milestone, PledgeOfficial]
IGNORED_FIELDS = {"updated_at", "created_at", "id"}


@dataclass
class ReportSummary:
    as_of: date | None
    pledges: int = 0
    findings: int = 0
    changes: int = 0
    sheets: list[str] = field(default_factory=list)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the portal's time zone."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))


def report_filename(as_of: date | None, department: Department | None = None) -> str:
    day = (as_of or timezone.localdate()).isoformat()
    scope = f"-{department.name}" if department else ""
    return f"paju-audit-report-asof-{day}{scope}.xlsx"


class _Sheet:
    """A sheet written row by row: styled, frozen, filtered header and a SUM totals row."""

    def __init__(self, book: xlsxwriter.Workbook, formats: dict, title: str, columns: list):
        self.sheet = book.add_worksheet(title)
        self.formats = formats
        self.columns = columns
        for index, (_name, width, _fmt) in enumerate(columns):
            self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(1, 0)
        self.sheet.write_row(0, 0, [name for name, _w, _f in columns], formats["header"])
        self.rows = 0

    def append(self, values: list) -> None:
        self.rows += 1
        row = self.rows
        for col, ((_name, _width, number_format), value) in enumerate(
            zip(self.columns, values, strict=True)
        ):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(row, col, spreadsheet_safe(value))
            elif isinstance(value, datetime | date):
                self.sheet.write_datetime(row, col, value, self.formats[number_format or DAY])
            elif isinstance(value, int | float):
                self.sheet.write_number(row, col, value, self.formats.get(number_format))
            else:
                self.sheet.write_string(row, col, spreadsheet_safe(str(value)))

    def finish(self, label: str | None = None, sums: Iterable[int] = ()) -> None:
        """Autofilter over the rows, and a totals row of SUM formulas an auditor can check."""
        last = self.rows + 1  # 1-based Excel row of the last data row
        self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)
        sums = list(sums)
        if label and sums:
            row = self.rows + 1
            self.sheet.write_string(row, 0, label, self.formats["total"])
            for index in sums:
                letter = xl_col_to_name(index)
                self.sheet.write_formula(
                    row, index, f"=SUM({letter}2:{letter}{last})", self.formats["total_money"]
                )


def _batches(iterator: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(iterator, size)):
        yield batch


def _stage_changed_on(pledges: list[Pledge], when: datetime | None) -> dict[int, date]:
    """Date of each pledge's last stage change: ``stage_since`` if set, else from history.

    Only a change counts: a pledge whose stage was never changed since it was recorded
    has no date (the seed's stages were inferred, not changed on the load date).
    """
    found: dict[int, date] = {}
    records = Pledge.history.filter(id__in=[p.pk for p in pledges])
    if when:
        records = records.filter(history_date__lte=when)
    previous_stage: dict[int, str] = {}
    for pk, stage, moment in records.order_by("id", "history_date", "history_id").values_list(
        "id", "stage", "history_date"
    ):
        if pk in previous_stage and previous_stage[pk] != stage:
            found[pk] = timezone.localtime(moment).date()
        previous_stage[pk] = stage
    for pledge in pledges:
        if pledge.stage_since:
            found[pledge.pk] = pledge.stage_since
    return found


def audit_report_write(
    *,
    output: BinaryIO | str,
    as_of: date | None = None,
    department: Department | None = None,
    generated_by: str = "",
    changes_since: date | None = None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> ReportSummary:
    """Write the audit workbook to ``output`` (a path or a binary file).

    ``progress(pledges_written, pledges_total)`` is called before the first pledge and
    after every batch (the background task shows it as a percentage).
    """
    when = end_of_day(as_of) if as_of else None
    report_day = as_of or timezone.localdate()
    changes_since = changes_since or (report_day - timedelta(days=365))
    summary = ReportSummary(as_of=as_of)

    book = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,  # rows go to disk as written: memory stays flat
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": DAY,
        },
    )
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDE3EA", "text_wrap": True}),
        "total": book.add_format({"bold": True}),
        "total_money": book.add_format({"bold": True, "num_format": MONEY}),
        MONEY: book.add_format({"num_format": MONEY}),
        PERCENT: book.add_format({"num_format": PERCENT}),
        DAY: book.add_format({"num_format": DAY}),
        MOMENT: book.add_format({"num_format": MOMENT}),
        "0": book.add_format({"num_format": "0"}),
        None: None,
    }
    cover = _Sheet(book, formats, "안내", [("항목", 22, None), ("내용", 110, None)])
    summary_sheet = _Sheet(
        book,
        formats,
        "요약",
        [
            ("관리번호", 10, None),
            ("공약명", 40, None),
            ("비전", 24, None),
            ("부서", 14, None),
            ("이행단계", 10, None),
            ("단계 변경일", 12, DAY),
            ("달성연도", 10, None),
            ("총사업비 초기계획", 16, MONEY),
            ("총사업비 현재계획", 16, MONEY),
            ("확보", 14, MONEY),
            ("집행", 14, MONEY),
            ("집행률(%)", 10, PERCENT),
            ("점검 건수", 10, "0"),
        ],
    )
    yearly = _Sheet(
        book,
        formats,
        "연도별",
        [
            ("관리번호", 10, None),
            ("세부사업", 24, None),
            ("기간", 10, None),
            ("연도별 투자계획", 16, MONEY),
            ("임기내 계획", 14, MONEY),
            ("집행", 14, MONEY),
            ("차이(집행-계획)", 16, MONEY),
            ("차이율(%)", 10, PERCENT),
        ],
    )
    by_source = _Sheet(
        book,
        formats,
        "재원별",
        [
            ("관리번호", 10, None),
            ("세부사업", 24, None),
            ("재원", 10, None),
            ("투자계획(총사업비)", 18, MONEY),
            ("확보", 14, MONEY),
        ],
    )
    milestones = _Sheet(
        book,
        formats,
        "추진현황",
        [
            ("관리번호", 10, None),
            ("세부사업", 24, None),
            ("순서", 6, "0"),
            ("날짜(인쇄)", 18, None),
            ("시작", 12, DAY),
            ("종료", 12, DAY),
            ("내용", 70, None),
            ("상위 항목 순서", 12, "0"),
        ],
    )
    changes = _Sheet(
        book,
        formats,
        "변경이력",
        [
            ("일시", 20, MOMENT),
            ("사용자", 14, None),
            ("대상", 12, None),
            ("기록", 40, None),
            ("변경", 8, None),
            ("필드", 18, None),
            ("이전 값", 24, None),
            ("새 값", 24, None),
            ("사유", 40, None),
        ],
    )
    checks = _Sheet(
        book,
        formats,
        "점검",
        [
            ("규칙", 36, None),
            ("관리번호", 10, None),
            ("세부사업", 24, None),
            ("설명", 90, None),
            ("관련 수치", 50, None),
        ],
    )

    visions = {v.pk: f"{v.number} {v.title}" for v in Vision.objects.all()}
    departments = dict(Department.objects.values_list("pk", "name"))
    pledges = Pledge.history.as_of(when) if when else Pledge.objects.all()
    if department:
        pledges = pledges.filter(department_id=department.pk)
    pledge_codes: dict[int, str] = {}
    total = pledges.count() if progress else 0
    if progress:
        progress(0, total)

    for batch in _batches(pledges.order_by("pk").iterator(chunk_size=batch_size), batch_size):
        stage_dates = _stage_changed_on(batch, when)
        for context in contexts_for(batch, when=when, today=report_day):
            pledge = context.pledge
            pledge_codes[pledge.pk] = pledge.code
            findings = pledge_findings(context)
            summary.pledges += 1
            summary.findings += len(findings)
            _write_pledge(
                context,
                findings,
                summary_sheet=summary_sheet,
                yearly=yearly,
                by_source=by_source,
                milestones=milestones,
                checks=checks,
                vision=visions.get(pledge.vision_id, ""),
                department=departments.get(pledge.department_id, ""),
                stage_date=stage_dates.get(pledge.pk),
            )
        if progress:
            progress(summary.pledges, total)

    summary.changes = _write_changes(changes, pledge_codes, since=changes_since, when=when)

    summary_sheet.finish("합계", sums=range(7, 11))
    yearly.finish("합계", sums=(3, 4, 5, 6))
    by_source.finish("합계", sums=(3, 4))
    milestones.finish()
    changes.finish()
    checks.finish()
    scope = department.name if department else "전체"
    for label, value in [
        ("보고서", "파주시 공약 이행 감사 보고서"),
        ("기준일", f"{report_day.isoformat()} 24:00 (Asia/Seoul)" if as_of else "현재"),
        (
            "기준일 방식",
            "변경이력으로 그날 끝의 수치·이행단계·추진현황을 재구성" if as_of else None,
        ),
        ("생성 일시", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("생성자", generated_by or None),
        ("범위", f"부서: {scope}"),
        ("단위", f"금액은 {UNIT}. 빈칸은 미공개(0이 아님)."),
        ("출처", SOURCES_TEXT),
        ("변경이력 기간", f"{changes_since.isoformat()} ~ {report_day.isoformat()}"),
        ("공약 수", summary.pledges),
        ("점검 결과", summary.findings),
        ("시트", "요약, 연도별, 재원별, 추진현황, 변경이력, 점검"),
    ]:
        cover.append([label, value])
    cover.finish()
    summary.sheets = [sheet.get_name() for sheet in book.worksheets()]
    book.close()
    return summary


def _write_pledge(
    context: PledgeContext,
    findings: list,
    *,
    summary_sheet: _Sheet,
    yearly: _Sheet,
    by_source: _Sheet,
    milestones: _Sheet,
    checks: _Sheet,
    vision: str,
    department: str,
    stage_date: date | None,
) -> None:
    pledge, total = context.pledge, context.money.total
    rate = total.execution_rate
    summary_sheet.append(
        [
            pledge.code,
            pledge.title,
            vision,
            department,
            pledge.get_stage_display(),
            stage_date,
            pledge.target_year,
            total.get(FigureKind.COST_INITIAL),
            total.current_total,
            total.secured_total,
            total.executed_total,
            float(rate) if rate is not None else None,
            len(findings),
        ]
    )
    for project, finance in context.money.projects:
        investment = finance.row(FigureKind.INVESTMENT)
        plan = finance.row(FigureKind.IN_TERM_PLAN)
        executed = finance.row(FigureKind.EXECUTED)
        for period in sorted(set(investment) | set(plan) | set(executed), key=periods.sort_key):
            planned, spent = plan.get(period), executed.get(period)
            variance = spent - planned if planned is not None and spent is not None else None
            variance_rate = (
                round(variance * 100 / planned, 1) if variance is not None and planned else None
            )
            yearly.append(
                [
                    pledge.code,
                    project.name,
                    PERIOD_NAMES.get(period, period),
                    investment.get(period),
                    planned,
                    spent,
                    variance,
                    variance_rate,
                ]
            )
        for source in FundingSource.values:
            if source == FundingSource.TOTAL:
                continue
            planned = finance.get(FigureKind.INVESTMENT, source)
            secured = finance.get(FigureKind.SECURED, source)
            if planned is not None or secured is not None:
                by_source.append(
                    [pledge.code, project.name, SOURCE_NAMES[source], planned, secured]
                )
    projects = {project.pk: project.name for project, _f in context.money.projects}
    positions = {m.pk: m.position for m in context.milestones}
    for milestone in context.milestones:
        milestones.append(
            [
                pledge.code,
                projects.get(milestone.project_id, ""),
                milestone.position,
                milestone.date_text,
                milestone.start,
                milestone.end,
                milestone.text,
                positions.get(milestone.parent_id),
            ]
        )
    for finding in findings:
        checks.append(
            [
                finding.rule,
                finding.pledge,
                finding.project,
                finding.explanation,
                "; ".join(f"{k}: {v}" for k, v in finding.figures.items()),
            ]
        )


def _label(model, record, pledge_codes: dict[int, str], projects: dict[int, tuple]) -> str:
    if model is Pledge:
        return f"{record.code} {record.title}"
    if model is Project:
        return f"{pledge_codes.get(record.pledge_id, '?')} {record.name}"
    if model is BudgetFigure:
        pledge_id, name = projects.get(record.project_id, (None, "?"))
        return " ".join(
            [
                pledge_codes.get(pledge_id, "?"),
                name,
                TABLE_NAMES.get(record.kind, record.kind),
                SOURCE_NAMES.get(record.source, record.source),
                PERIOD_NAMES.get(record.period, record.period),
            ]
        )
    if model is Milestone:
        code = pledge_codes.get(record.pledge_id, "?")
        return f"{code} 추진현황 {record.position} {record.date_text}"
    return f"{pledge_codes.get(record.pledge_id, '?')} 담당자 {record.official_id}"


def _pledge_of(model, record, projects: dict[int, tuple]) -> int | None:
    if model is Pledge:
        return record.id
    if model is BudgetFigure:
        return projects.get(record.project_id, (None,))[0]
    return record.pledge_id


def _write_changes(
    sheet: _Sheet, pledge_codes: dict[int, str], *, since: date, when: datetime | None
) -> int:
    """Every create, change and delete in the period, field by field, old → new."""
    users = dict(get_user_model().objects.values_list("pk", "username"))
    projects = {
        pk: (pledge_id, name)
        for pk, pledge_id, name in Project.history.values_list("id", "pledge_id", "name")
    }
    start = end_of_day(since - timedelta(days=1))
    written = 0
    kinds = {"+": "생성", "~": "변경", "-": "삭제"}
    for model in TRACKED_MODELS:
        recorded = {f.attname for f in model.history.model._meta.concrete_fields}
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.attname in recorded and f.attname not in IGNORED_FIELDS
        ]
        records = model.history.all()
        if when:
            records = records.filter(history_date__lte=when)
        previous = None
        for record in records.order_by("id", "history_date", "history_id").iterator(
            chunk_size=2000
        ):
            same_object = previous is not None and previous.id == record.id
            if record.history_date > start and _pledge_of(model, record, projects) in pledge_codes:
                common = [
                    timezone.localtime(record.history_date).replace(tzinfo=None),
                    users.get(record.history_user_id, "(시스템)"),
                    str(model._meta.verbose_name),
                    _label(model, record, pledge_codes, projects),
                    kinds.get(record.history_type, record.history_type),
                ]
                reason = record.history_change_reason or ""
                if record.history_type == "~" and same_object:
                    for f in fields:
                        old, new = getattr(previous, f.attname), getattr(record, f.attname)
                        if old != new:
                            sheet.append(
                                [*common, str(f.verbose_name), _text(old), _text(new), reason]
                            )
                            written += 1
                else:
                    sheet.append([*common, None, None, None, reason])
                    written += 1
            previous = record
    return written


def _text(value):
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)
