"""The auditor's workbook: what was promised, secured and spent, what changed, what is off.

Each sheet is declared as data below (``SUMMARY``, ``YEARLY``, …): a list of ``Column``s,
each with its header, width, number format and how to get its value from one row
record, and one writer loop (``_SheetWriter``) turns records into rows. Every sheet
prints on A4 landscape, one page wide, with its header row repeated, the report's title
and as-of date in the page header and page numbers in the footer. Its totals are SUM
formulas that also store the value they compute, so readers that do not recalculate
(LibreOffice with a file from Excel, pandas, openpyxl) show the same totals as Excel.

Written with XlsxWriter in constant-memory mode (the data rows' XML built a row at a time,
``_row_xml``), streaming pledges in batches from the database (a fixed number of queries
per batch, none per row). The change history sheet reads only the records in its window,
filtered by date and scope in SQL, in one query per tracked model. ``as_of`` rebuilds
every figure, stage and milestone as it stood at the end of that day (Asia/Seoul) from
the change history.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from math import isfinite
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import xlsxwriter
from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from departments.models import Department
from pledges import periods
from pledges.labels import STAGE_NAMES
from pledges.models import Milestone, Pledge, PledgeOfficial, Project, Term, Vision
from pledges.spreadsheet import FORMULA_STARTS, spreadsheet_safe

from .finance import (
    ALL_SOURCES,
    CUMULATIVE_DEFINITION,
    PERIOD_NAMES,
    RATE_DEFINITION,
    RATE_IN_TERM_DEFINITION,
    SOURCE_NAMES,
    TABLE_NAMES,
    closed_through,
)
from .models import BudgetFigure, FigureKind, FundingSource
from .quality import PledgeContext, contexts_for, pledge_findings

TITLE = "파주시 공약 이행 감사 보고서"
UNIT = "백만원"
TOTAL_LABEL = "합계"
MONEY = "#,##0"
DAY = "yyyy-mm-dd"
MOMENT = "yyyy-mm-dd hh:mm:ss"
PERCENT = "0.0"
COUNT = "0"
WRAP = "wrap"  # text that wraps inside its column instead of widening the page
CHANGES_SOURCE = "이후 변경은 포털의 변경이력(누가, 언제, 무엇을, 왜)."


def sources_text() -> str:
    """The cover's "출처": each term's source documents (``Term.sources``), then where
    later changes come from."""
    cited = [
        f"{term.name}: {'; '.join(korean for korean, _english in term.source_lines)}"
        for term in Term.objects.order_by("number")
        if term.source_lines
    ]
    return " / ".join([*cited, CHANGES_SOURCE])


IGNORED_FIELDS = {"updated_at", "created_at", "id"}
A4 = 9  # Excel's paper code


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


# Row records: what one row of a sheet is about ------------------------------------------


@dataclass(frozen=True)
class PledgeRow:
    """One pledge of 요약."""

    context: PledgeContext
    findings: int
    vision: str
    department: str
    stage_date: date | None

    @property
    def pledge(self) -> Pledge:
        return self.context.pledge

    def money(self, kind: str) -> int | None:
        return self.context.money.total.get(kind)

    @property
    def execution_rate(self) -> float | None:
        rate = self.context.money.total.execution_rate
        return float(rate) if rate is not None else None

    @property
    def execution_rate_in_term(self) -> float | None:
        total = self.context.money.total
        rate = total.execution_rate_in_term(closed_through(self.pledge.as_of))
        return float(rate) if rate is not None else None

    @property
    def stage_inferred(self) -> str:
        reason = self.pledge.stage_inference
        return f"추정: {reason}" if reason else ""


@dataclass(frozen=True)
class YearRow:
    """One period of one sub-project (연도별); also the input of 부서×연도."""

    code: str
    project: str
    department: str
    period: str
    investment: int | None
    plan: int | None
    executed: int | None

    @property
    def variance(self) -> int | None:
        if self.plan is None or self.executed is None:
            return None
        return self.executed - self.plan

    @property
    def variance_rate(self) -> float | None:
        if self.variance is None or not self.plan:
            return None
        return float(round(Decimal(self.variance * 100) / self.plan, 1))


@dataclass(frozen=True)
class SourceRow:
    """One funding source of one sub-project (재원별)."""

    code: str
    project: str
    source: str
    planned: int | None
    secured: int | None


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone in published order (추진현황)."""

    code: str
    project: str
    milestone: Milestone
    parent_position: int | None
    as_of: date | None = None

    @property
    def start(self) -> str:
        return _as_printed(self.milestone.start, self.milestone.start_precision)

    @property
    def end(self) -> str:
        if self.milestone.open_ended:
            return "(끝 없음)"
        return _as_printed(self.milestone.end, self.milestone.end_precision)

    @property
    def status(self) -> str:
        if self.as_of is None:
            return ""
        return STATUS_NAMES.get(self.milestone.status_on(self.as_of), "")


STATUS_NAMES = {"done": "완료", "ongoing": "진행 중", "planned": "예정"}


def _as_printed(day: date | None, precision: str) -> str:
    """A date as precisely as printed: "2022", "2022-07" or "2022-07-01" (text, not a day)."""
    if day is None:
        return ""
    return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(precision, day.isoformat())


def _definitions() -> list[tuple[str, str]]:
    """The rate definitions the page and the API show, in Korean, for the cover sheet."""
    with translation.override("ko"):
        return [
            ("정의: 누적 집행", str(CUMULATIVE_DEFINITION)),
            ("정의: 집행률", str(RATE_DEFINITION)),
            ("정의: 임기내 집행률", str(RATE_IN_TERM_DEFINITION)),
        ]


@dataclass(frozen=True)
class ChangeRow:
    """One created, changed or deleted record, or one changed field (변경이력)."""

    moment: datetime
    user: str
    model: str
    record: str
    kind: str
    field: str | None = None
    old: Any = None
    new: Any = None
    reason: str = ""


# Sheets as data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its header, width (characters), how to get its value, format, totalled."""

    header: str
    width: float
    value: Callable[[Any], Any]
    format: str | None = None
    total: bool = False  # a SUM in the sheet's 합계 row


COVER = [
    Column("항목", 16, lambda r: r[0]),
    Column("내용", 110, lambda r: r[1], WRAP),
]
SUMMARY = [
    Column("관리번호", 9, lambda r: r.pledge.code),
    Column("공약명", 30, lambda r: r.pledge.title, WRAP),
    Column("비전", 18, lambda r: r.vision, WRAP),
    Column("부서", 12, lambda r: r.department, WRAP),
    Column("이행단계", 8, lambda r: STAGE_NAMES.get(r.pledge.stage, r.pledge.stage)),
    Column("단계 추정", 30, lambda r: r.stage_inferred, WRAP),
    Column("단계 변경일", 11, lambda r: r.stage_date, DAY),
    Column("달성연도", 8, lambda r: r.pledge.target_year),
    Column("총사업비 초기계획", 11, lambda r: r.money(FigureKind.COST_INITIAL), MONEY, total=True),
    Column("총사업비 현재계획", 11, lambda r: r.money(FigureKind.COST_CURRENT), MONEY, total=True),
    Column("확보", 10, lambda r: r.money(FigureKind.SECURED), MONEY, total=True),
    Column("기투자", 10, lambda r: r.context.money.total.prior_invested, MONEY, total=True),
    Column("임기내 집행", 10, lambda r: r.money(FigureKind.EXECUTED), MONEY, total=True),
    Column("누적 집행", 10, lambda r: r.context.money.total.executed_cumulative, MONEY, total=True),
    Column("집행률(%)", 8, lambda r: r.execution_rate, PERCENT),
    Column("임기내 집행률(%)", 9, lambda r: r.execution_rate_in_term, PERCENT),
    Column("점검 건수", 7, lambda r: r.findings, COUNT),
]
YEARLY = [
    Column("관리번호", 9, lambda r: r.code),
    Column("세부사업", 24, lambda r: r.project, WRAP),
    Column("기간", 9, lambda r: PERIOD_NAMES.get(r.period, r.period)),
    Column("연도별 투자계획", 13, lambda r: r.investment, MONEY, total=True),
    Column("임기내 계획", 12, lambda r: r.plan, MONEY, total=True),
    Column("집행", 12, lambda r: r.executed, MONEY, total=True),
    Column("차이(집행-계획)", 13, lambda r: r.variance, MONEY, total=True),
    Column("차이율(%)", 9, lambda r: r.variance_rate, PERCENT),
]
BY_SOURCE = [
    Column("관리번호", 9, lambda r: r.code),
    Column("세부사업", 24, lambda r: r.project, WRAP),
    Column("재원", 8, lambda r: r.source),
    Column("투자계획(총사업비)", 16, lambda r: r.planned, MONEY, total=True),
    Column("확보", 12, lambda r: r.secured, MONEY, total=True),
]
MILESTONES = [
    Column("관리번호", 9, lambda r: r.code),
    Column("세부사업", 18, lambda r: r.project, WRAP),
    Column("순서", 5, lambda r: r.milestone.position, COUNT),
    Column("날짜(인쇄)", 14, lambda r: r.milestone.date_text, WRAP),
    Column("시작", 11, lambda r: r.start),
    Column("종료", 11, lambda r: r.end),
    Column("상태", 7, lambda r: r.status),
    Column("내용", 70, lambda r: r.milestone.text, WRAP),
    Column("상위 항목 순서", 8, lambda r: r.parent_position, COUNT),
]
CHANGES = [
    Column("일시", 18, lambda r: r.moment, MOMENT),
    Column("사용자", 12, lambda r: r.user, WRAP),
    Column("대상", 16, lambda r: r.model, WRAP),
    Column("기록", 32, lambda r: r.record, WRAP),
    Column("변경", 6, lambda r: r.kind),
    Column("필드", 16, lambda r: r.field, WRAP),
    Column("이전 값", 20, lambda r: r.old, WRAP),
    Column("새 값", 20, lambda r: r.new, WRAP),
    Column("사유", 30, lambda r: r.reason, WRAP),
]
CHECKS = [
    Column("규칙", 36, lambda f: f.rule, WRAP),
    Column("관리번호", 9, lambda f: f.pledge),
    Column("세부사업", 16, lambda f: f.project, WRAP),
    Column("설명", 70, lambda f: f.explanation, WRAP),
    Column("관련 수치", 40, lambda f: "; ".join(f"{k}: {v}" for k, v in f.figures.items()), WRAP),
]
PLAN_VS_EXECUTION = "부서×연도"
PLAN, EXECUTED = "계획", "집행"


def _plan_vs_execution_columns(keys: list[tuple[str, str]]) -> list[Column]:
    """부서×연도: the department, then 계획 and 집행 of each period that has a figure."""

    def cell(key: tuple[str, str]):
        return lambda r: r[1].get(key)

    return [Column("부서", 14, lambda r: r[0], WRAP)] + [
        Column(
            f"{PERIOD_NAMES.get(period, period)} {measure}",
            11,
            cell((measure, period)),
            MONEY,
            total=True,
        )
        for measure, period in keys
    ]


# Writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What every printed page carries: the report's title, scope and as-of date."""

    as_of: str
    scope: str


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # a lone & starts a header/footer code


LINE_HEIGHT = 15  # points: one line of the default 11 pt font


class _Widths(dict):
    """{character: 1 or 2}, each character's width looked up once (then a dict read)."""

    def __missing__(self, character: str) -> int:
        width = self[character] = 2 if unicodedata.east_asian_width(character) in "WF" else 1
        return width


_WIDTHS = _Widths()


def _text_width(text: str) -> int:
    """Width in Excel's column unit (a digit): Hangul and other wide characters take two."""
    return sum(map(_WIDTHS.__getitem__, text))


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` digits wide (by words)."""
    usable = max(int(width) - 1, 1)
    if len(text) * 2 <= usable and "\n" not in text:
        return 1  # fits even if every character is wide: the common case, no counting
    return _wrapped_lines(text, usable)


@lru_cache(maxsize=8192)  # names and labels repeat row after row
def _wrapped_lines(text: str, usable: int) -> int:
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            size = _text_width(word)
            if used and used + 1 + size <= usable:
                used += 1 + size
                continue
            if used:
                lines += 1
            lines += (size - 1) // usable if size else 0  # a word longer than the column
            used = size % usable or (usable if size else 0)
    return lines


class _SheetWriter:
    """One sheet: styled, frozen, filtered header row, a 합계 row of SUM formulas, paper."""

    def __init__(self, book: xlsxwriter.Workbook, formats: dict, title: str, page: Page):
        self.sheet = book.add_worksheet(title)
        self.formats = formats
        self.columns: list[Column] = []
        self.rows = 0
        self.totals: dict[int, int] = {}
        self._page_setup(page)

    def _page_setup(self, page: Page) -> None:
        sheet = self.sheet
        sheet.set_paper(A4)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
        sheet.repeat_rows(0)
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        sheet.set_header(
            f"&L{_header_text(TITLE)} · &A&C{_header_text(page.scope)}&R{_header_text(page.as_of)}",
            {"margin": 0.3},
        )
        sheet.set_footer("&C&P / &N", {"margin": 0.3})

    def start(self, columns: list[Column]) -> "_SheetWriter":
        self.columns = columns
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width, self.formats.get(column.format))
        self.sheet.freeze_panes(1, 0)
        headers = [c.header for c in columns]
        self._fit_height(0, [(c.header, c.width) for c in columns])
        self.sheet.write_row(0, 0, headers, self.formats["header"])
        self.totals = {index: 0 for index, column in enumerate(columns) if column.total}
        # Everything a cell needs that does not depend on the row, worked out once per sheet:
        # its column, value, format, wrap width, whether totalled, and its XML (column
        # letter, style attribute).
        self._cells = [
            (
                index,
                column.value,
                self.formats.get(column.format),
                column.width if column.format == WRAP else 0,
                column.total,
                xl_col_to_name(index),
                _style(self.formats.get(column.format)),
            )
            for index, column in enumerate(columns)
        ]
        return self

    def _fit_height(self, row: int, texts: list[tuple[str, float]]) -> None:
        """Set the row's height to its wrapped text: not every reader does it on opening
        (LibreOffice keeps one line, and prints the rest over the next row)."""
        lines = max((_lines(text, width) for text, width in texts), default=1)
        if lines > 1:
            self.sheet.set_row(row, LINE_HEIGHT * lines)

    def append(self, record) -> None:
        """One row: each value with its column's format, written as the row's XML at once.

        Runs for every row of every sheet (1.6 million cells for the whole platform), so
        it writes the XML XlsxWriter would write for these cells (``_row_xml``) instead of
        a call per cell: the same cells, a fraction of the work. The fast paths below are
        the common types; anything else goes through ``_other``.
        """
        self.rows += 1
        row = self.rows
        number = row + 1  # the sheet's 1-based row
        lines = 1
        cells = []
        for col, value_of, _format, wrap_width, totalled, letter, style in self._cells:
            value = value_of(record)
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if wrap_width:
                    lines = max(lines, _lines(value, wrap_width))
                if value.startswith(FORMULA_STARTS):
                    value = "'" + value  # as ``spreadsheet_safe``: text, never a formula
                cells.append(_string_xml(f"{letter}{number}", style, value))
            elif kind is int or kind is float:
                cells.append(_number_xml(f"{letter}{number}", style, value))
                if totalled:
                    self.totals[col] += value
            elif value is not None:
                cells.append(self._other(f"{letter}{number}", col, value, _format))
        if cells:
            _row_xml(self.sheet, row, "".join(cells), LINE_HEIGHT * lines if lines > 1 else None)

    def _other(self, ref: str, col: int, value, cell_format) -> str:
        if isinstance(value, datetime | date):
            serial = self.sheet._convert_date_time(value)
            return (
                f'<c r="{ref}"{_style(cell_format or self.formats[DAY])}><v>{serial:.16G}</v></c>'
            )
        if isinstance(value, int | float):
            if col in self.totals:
                self.totals[col] += value
            return _number_xml(ref, _style(cell_format), value)
        return _string_xml(ref, _style(cell_format), spreadsheet_safe(str(value)))

    def finish(self) -> None:
        """Autofilter over the rows; a 합계 row whose formulas carry their value."""
        self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)
        if not self.totals or not self.rows:
            return
        row, last = self.rows + 1, self.rows + 1  # 0-based totals row; 1-based last data row
        self.sheet.write_string(row, 0, TOTAL_LABEL, self.formats["total"])
        for col, value in self.totals.items():
            letter = xl_col_to_name(col)
            self.sheet.write_formula(
                row, col, f"=SUM({letter}2:{letter}{last})", self.formats["total_money"], value
            )


def _style(cell_format) -> str:
    """A cell's style attribute, as XlsxWriter writes it (none for the default style)."""
    index = cell_format._get_xf_index() if cell_format is not None else 0
    return f' s="{index}"' if index else ""


# What XlsxWriter changes in a string cell's text: characters XML must escape, control
# characters and its own "_xHHHH_" escapes (written "_x005F_xHHHH_").
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_STRING_MAX = 32767  # UTF-16 units in a cell


def _number_xml(ref: str, style: str, value: float) -> str:
    """A number cell as XlsxWriter writes it; NaN and infinity refused, as it does."""
    if not isfinite(value):
        raise TypeError(f"not a number a sheet can hold: {value!r}")
    return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'


def _string_xml(ref: str, style: str, text: str) -> str:
    """An inline-string cell as XlsxWriter's constant-memory mode writes it."""
    if len(text) > _STRING_MAX // 2 and _utf16_len(text) > _STRING_MAX:
        text = _utf16_truncate(text, _STRING_MAX)
    if _XML_SPECIAL.search(text):
        text = XMLwriter._escape_control_characters(text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _row_xml(sheet, row: int, cells: str, height: float | None) -> None:
    """Write a whole row into XlsxWriter's constant-memory row file, as it would.

    Rows before it that XlsxWriter holds (the header) are flushed first; the sheet's
    dimensions take the row in (its columns are the header's); ``height`` (points) as
    ``set_row`` sets it. The row stays out of XlsxWriter's own table, so it is written
    once. Relies on XlsxWriter's constant-memory internals (``previous_row``,
    ``_write_single_row``, ``fh``; the version is pinned): tested against XlsxWriter's own
    cell-by-cell writing, every cell's value, type and format compared.
    """
    if row > sheet.previous_row:
        sheet._write_single_row(row)
    if sheet._check_dimensions(row, 0, ignore_col=True):  # the header row spans every column
        # past Excel's last row (1,048,576): a file Excel refuses; never cut silently
        raise ValueError(
            f"'{sheet.name}' 시트가 엑셀의 최대 행 수를 넘습니다. / Sheet '{sheet.name}' has "
            "more rows than Excel allows (1,048,576): ask for a narrower workbook."
        )
    if height is None:
        sheet.fh.write(f'<row r="{row + 1}">{cells}</row>')
    else:
        pixels = int(height * 4.0 / 3.0 + 0.5)
        sheet.fh.write(
            f'<row r="{row + 1}" ht="{pixels * 0.75:.16g}" customHeight="1">{cells}</row>'
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
            found[pk] = timezone.localdate(moment)
        previous_stage[pk] = stage
    for pledge in pledges:
        if pledge.stage_since:
            found[pledge.pk] = pledge.stage_since
    return found


def _formats(book: xlsxwriter.Workbook) -> dict:
    return {
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDE3EA", "text_wrap": True, "valign": "top"}
        ),
        "total": book.add_format({"bold": True}),
        "total_money": book.add_format({"bold": True, "num_format": MONEY}),
        MONEY: book.add_format({"num_format": MONEY, "valign": "top"}),
        PERCENT: book.add_format({"num_format": PERCENT, "valign": "top"}),
        DAY: book.add_format({"num_format": DAY, "valign": "top"}),
        MOMENT: book.add_format({"num_format": MOMENT, "valign": "top"}),
        COUNT: book.add_format({"num_format": COUNT, "valign": "top"}),
        WRAP: book.add_format({"text_wrap": True, "valign": "top"}),
        None: book.add_format({"valign": "top"}),
    }


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
    generated = timezone.localtime()
    summary = ReportSummary(as_of=as_of)
    scope = department.name if department else "전체"
    page = Page(
        as_of=(
            f"기준일 {report_day.isoformat()} 24:00 (Asia/Seoul)"
            if as_of
            else f"기준: 현재 ({generated:%Y-%m-%d %H:%M} 생성)"
        ),
        scope=f"부서: {scope} · 단위: {UNIT}",
    )

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
    formats = _formats(book)

    def sheet(title: str, columns: list[Column] | None = None) -> _SheetWriter:
        writer = _SheetWriter(book, formats, title, page)
        return writer.start(columns) if columns else writer

    cover = sheet("안내", COVER)
    summary_sheet = sheet("요약", SUMMARY)
    yearly = sheet("연도별", YEARLY)
    pivot = sheet(PLAN_VS_EXECUTION)  # its columns depend on the periods found
    by_source = sheet("재원별", BY_SOURCE)
    milestones = sheet("추진현황", MILESTONES)
    changes = sheet("변경이력", CHANGES)
    checks = sheet("점검", CHECKS)

    visions = {v.pk: f"{v.number} {v.title}" for v in Vision.objects.all()}
    departments = dict(Department.objects.values_list("pk", "name"))
    pledges = Pledge.history.as_of(when) if when else Pledge.objects.all()
    if department:
        pledges = pledges.filter(department_id=department.pk)
    pledge_codes: dict[int, str] = {}
    plan_and_execution = PlanVsExecution()
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
            department_name = departments.get(pledge.department_id, "")
            summary_sheet.append(
                PledgeRow(
                    context=context,
                    findings=len(findings),
                    vision=visions.get(pledge.vision_id, ""),
                    department=department_name,
                    stage_date=stage_dates.get(pledge.pk),
                )
            )
            for record in _year_rows(context, department_name):
                yearly.append(record)
                plan_and_execution.add(record)
            for record in _source_rows(context):
                by_source.append(record)
            for record in _milestone_rows(context):
                milestones.append(record)
            for finding in findings:
                checks.append(finding)
        if progress:
            progress(summary.pledges, total)

    keys, departments_rows = plan_and_execution.table()
    pivot.start(_plan_vs_execution_columns(keys))
    for record in departments_rows:
        pivot.append(record)

    for record in _change_rows(pledges.values("id"), pledge_codes, since=changes_since, when=when):
        changes.append(record)
        summary.changes += 1

    for writer in (summary_sheet, yearly, pivot, by_source, milestones, changes, checks):
        writer.finish()
    sheet_names = [ws.get_name() for ws in book.worksheets()]
    for label, value in [
        ("보고서", TITLE),
        ("기준일", f"{report_day.isoformat()} 24:00 (Asia/Seoul)" if as_of else "현재"),
        (
            "기준일 방식",
            "변경이력으로 그날 끝의 수치·이행단계·추진현황을 재구성" if as_of else None,
        ),
        ("생성 일시", generated.strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("생성자", generated_by or None),
        ("범위", f"부서: {scope}"),
        ("단위", f"금액은 {UNIT}. 빈칸은 원문 표에 값이 없는 칸(빈칸 또는 '-'): 0이 아님."),
        *_definitions(),
        (
            "이행단계 추정",
            "원문 추출본에 이행단계·속성의 체크 표시가 남지 않아, 모든 이행단계는 카드의 "
            "서술과 수치로 추정한 것입니다(요약 시트 '단계 추정' 열에 근거).",
        ),
        (
            "추진현황 날짜",
            "인쇄된 정밀도 그대로(연·월·일): '2022-07'은 월, '~'로 끝나는 기간은 종료일 없음. "
            "상태 '예정'은 카드 기준일 뒤의 일정.",
        ),
        ("출처", sources_text()),
        ("변경이력 기간", f"{changes_since.isoformat()} ~ {report_day.isoformat()}"),
        ("공약 수", summary.pledges),
        ("점검 결과", summary.findings),
        ("시트", ", ".join(sheet_names[1:])),
        (
            PLAN_VS_EXECUTION,
            "부서별·기간별 임기내 계획과 집행의 합(연도별 시트의 행을 부서와 기간으로 집계)",
        ),
    ]:
        cover.append((label, value))
    cover.finish()
    summary.sheets = sheet_names
    book.close()
    return summary


def _year_rows(context: PledgeContext, department: str) -> Iterator[YearRow]:
    for project, finance in context.money.projects:
        investment = finance.row(FigureKind.INVESTMENT)
        plan = finance.row(FigureKind.IN_TERM_PLAN)
        executed = finance.row(FigureKind.EXECUTED)
        for period in sorted(set(investment) | set(plan) | set(executed), key=periods.sort_key):
            yield YearRow(
                code=context.pledge.code,
                project=project.name,
                department=department,
                period=period,
                investment=investment.get(period),
                plan=plan.get(period),
                executed=executed.get(period),
            )


def _source_rows(context: PledgeContext) -> Iterator[SourceRow]:
    for project, finance in context.money.projects:
        for source in ALL_SOURCES:
            if source == FundingSource.TOTAL:
                continue
            planned = finance.get(FigureKind.INVESTMENT, source)
            secured = finance.get(FigureKind.SECURED, source)
            if planned is not None or secured is not None:
                yield SourceRow(
                    context.pledge.code, project.name, SOURCE_NAMES[source], planned, secured
                )


def _milestone_rows(context: PledgeContext) -> Iterator[MilestoneRow]:
    projects = {project.pk: project.name for project, _f in context.money.projects}
    positions = {m.pk: m.position for m in context.milestones}
    for milestone in context.milestones:
        yield MilestoneRow(
            context.pledge.code,
            projects.get(milestone.project_id, ""),
            milestone,
            positions.get(milestone.parent_id),
            context.pledge.as_of,
        )


PivotKey = tuple[str, str]  # (measure, period): ("계획", "2023")


class PlanVsExecution:
    """The auditors' pivot, summed as the 연도별 rows are written (no row list kept)."""

    def __init__(self) -> None:
        self.sums: dict[str, dict[PivotKey, int]] = {}

    def add(self, row: YearRow) -> None:
        for measure, amount in ((PLAN, row.plan), (EXECUTED, row.executed)):
            if amount is not None:  # unpublished stays absent: a blank cell, never 0
                cells = self.sums.setdefault(row.department, {})
                key = (measure, row.period)
                cells[key] = cells.get(key, 0) + amount

    def table(self) -> tuple[list[PivotKey], list[tuple[str, dict[PivotKey, int]]]]:
        keys = sorted(
            {key for cells in self.sums.values() for key in cells},
            key=lambda key: (periods.sort_key(key[1]), not key[1].startswith("~"), key[0] != PLAN),
        )
        return keys, [
            (department, {key: cells[key] for key in keys if key in cells})
            for department, cells in sorted(self.sums.items())
        ]


def plan_vs_execution(
    rows: Iterable[YearRow],
) -> tuple[list[PivotKey], list[tuple[str, dict[PivotKey, int]]]]:
    """The auditors' pivot: 임기내 계획 and 집행 summed by department × period.

    Returns the (measure, period) keys in period order, 계획 before 집행, and one
    ``(department, {key: amount})`` per department in name order. A cell no row
    publishes is absent (blank), never 0; a department with no published cell has no row.
    Plain dictionaries: importing pandas for this took 1–2 s, as much as a whole
    department's workbook is allowed (≤ 2 s at 10,000 pledges).
    """
    pivot = PlanVsExecution()
    for row in rows:
        pivot.add(row)
    return pivot.table()


# The change history, read by date in SQL ------------------------------------------------

# The models whose changes the 변경이력 sheet lists, in its order.
TRACKED_MODELS = [Pledge, Project, BudgetFigure, Milestone, PledgeOfficial]
KINDS = {"+": "생성", "~": "변경", "-": "삭제"}


def _latest(records: QuerySet, when: datetime | None) -> QuerySet:
    if when:
        records = records.filter(history_date__lte=when)
    return records.order_by("-history_date", "-history_id")


def _history_for(
    model, pledge_ids: QuerySet, *, start: datetime, when: datetime | None
) -> QuerySet:
    """``model``'s history records in (start, when] for the report's pledges, and for each
    object changed then, its last record before ``start`` (to show what a change changed).

    One query, in (object, time) order; labels (user, project, pledge) joined in SQL.
    """
    history = model.history
    if model is Pledge:
        scope = Q(id__in=pledge_ids)
    elif model is BudgetFigure:
        scope = Q(project_id__in=Project.history.filter(pledge_id__in=pledge_ids).values("id"))
    else:
        scope = Q(pledge_id__in=pledge_ids)
    window = Q(history_date__gt=start) & scope
    if when:
        window &= Q(history_date__lte=when)
    before = history.filter(id=OuterRef("id"), history_date__lte=start).order_by(
        "-history_date", "-history_id"
    )
    baselines = (
        history.filter(window, history_type="~")
        .annotate(baseline=Subquery(before.values("history_id")[:1]))
        .values("baseline")
    )
    records = history.filter(window | Q(history_id__in=baselines)).annotate(
        username=F("history_user__username")
    )
    if model is BudgetFigure:
        project = _latest(Project.history.filter(id=OuterRef("project_id")), when)
        records = records.annotate(
            project_name=Subquery(project.values("name")[:1]),
            project_pledge_id=Subquery(project.values("pledge_id")[:1]),
        )
    if model is PledgeOfficial:
        records = records.annotate(official_name=F("official__name"))
    return records.order_by("id", "history_date", "history_id")


def _label(model, record, pledge_codes: dict[int, str]) -> str:
    if model is Pledge:
        return f"{record.code} {record.title}"
    if model is Project:
        return f"{pledge_codes.get(record.pledge_id, '?')} {record.name}"
    if model is BudgetFigure:
        return " ".join(
            [
                pledge_codes.get(record.project_pledge_id, "?"),
                record.project_name or "?",
                TABLE_NAMES.get(record.kind, record.kind),
                SOURCE_NAMES.get(record.source, record.source),
                PERIOD_NAMES.get(record.period, record.period),
            ]
        )
    code = pledge_codes.get(record.pledge_id, "?")
    if model is Milestone:
        return f"{code} 추진현황 {record.position} {record.date_text}"
    if record.official_name:
        return f"{code} 담당자 {record.official_name}"
    return f"{code} 담당자 (이름 없음, 번호 {record.official_id})"


def _change_rows(
    pledge_ids: QuerySet, pledge_codes: dict[int, str], *, since: date, when: datetime | None
) -> Iterator[ChangeRow]:
    """Every create, change and delete from ``since`` to ``when``, field by field, old → new.

    Reads, per tracked model, only the records in that window (and the record before
    each changed object's first change in it): one query each, streamed.
    """
    start = end_of_day(since - timedelta(days=1))
    for model in TRACKED_MODELS:
        recorded = {f.attname for f in model.history.model._meta.concrete_fields}
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.attname in recorded and f.attname not in IGNORED_FIELDS
        ]
        previous = None
        records = _history_for(model, pledge_ids, start=start, when=when)
        for record in records.iterator(chunk_size=2000):
            same_object = previous is not None and previous.id == record.id
            if record.history_date > start:
                common = {
                    "moment": timezone.localtime(record.history_date).replace(tzinfo=None),
                    "user": record.username or "(시스템)",
                    "model": str(model._meta.verbose_name),
                    "record": _label(model, record, pledge_codes),
                    "kind": KINDS.get(record.history_type, record.history_type),
                    "reason": record.history_change_reason or "",
                }
                if record.history_type == "~" and same_object:
                    for f in fields:
                        old, new = getattr(previous, f.attname), getattr(record, f.attname)
                        if old != new:
                            yield ChangeRow(
                                **common,
                                field=str(f.verbose_name),
                                old=_text(old),
                                new=_text(new),
                            )
                else:
                    yield ChangeRow(**common)
            previous = record


def _text(value):
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)
