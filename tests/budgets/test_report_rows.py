"""The audit workbook writes its rows' XML itself (``budgets.report._row_xml``): every cell
must read back exactly as XlsxWriter's own cell-by-cell writing made it."""

from datetime import date, datetime

import openpyxl
import pytest
from django.core.management import call_command

from budgets import report
from budgets.report import FORMULA_STARTS, LINE_HEIGHT, _lines, audit_report_write
from pledges.models import Milestone
from pledges.spreadsheet import spreadsheet_safe

pytestmark = pytest.mark.django_db

# Texts XlsxWriter changes: XML's own characters, control characters and its "_xHHHH_"
# escapes, leading and trailing spaces, line breaks, formula starts, a long text.
AWKWARD = [
    "a < b & c > d",
    "탭\t문자와 \x01 제어 문자",
    "_x0041_ 은 그대로",
    "  앞뒤 공백  ",
    "줄\n바꿈\n",
    "=SUM(A1:A2)",
    "가" * 20000,
]


def _cell_by_cell(self, record) -> None:
    """The writer before it wrote rows itself: XlsxWriter's API, one call per cell."""
    self.rows += 1
    row = self.rows
    sheet = self.sheet
    lines = 1
    for col, value_of, cell_format, wrap_width, totalled, *_xml in self._cells:
        value = value_of(record)
        if isinstance(value, str):
            if not value:
                continue
            if wrap_width:
                lines = max(lines, _lines(value, wrap_width))
            if value.startswith(FORMULA_STARTS):
                value = "'" + value
            sheet.write_string(row, col, value, cell_format)
        elif isinstance(value, datetime | date):
            sheet.write_datetime(row, col, value, cell_format or self.formats[report.DAY])
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
            if totalled:
                self.totals[col] += value
        elif value is not None:
            sheet.write_string(row, col, spreadsheet_safe(str(value)), cell_format)
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * lines)


def _cells(path):
    book = openpyxl.load_workbook(path)
    found = {}
    for sheet in book.worksheets:
        found[sheet.title, "dimensions"] = sheet.dimensions
        found[sheet.title, "filter"] = sheet.auto_filter.ref
        for number, dimension in sheet.row_dimensions.items():
            found[sheet.title, "height", number] = dimension.height
        for row in sheet.iter_rows():
            for cell in row:
                if (sheet.title, cell.coordinate) == ("안내", "B5"):  # the moment it was written
                    continue
                found[sheet.title, cell.coordinate] = (
                    cell.value,
                    cell.data_type,
                    cell.number_format,
                    cell.font.b,
                    cell.alignment.wrap_text,
                    cell.alignment.vertical,
                )
    return found


def test_the_workbooks_rows_read_back_as_xlsxwriters_own_cells(tmp_path, monkeypatch):
    call_command("generate_synthetic", pledges=30, departments=2, seed=3, verbosity=0)
    milestones = list(Milestone.objects.order_by("pk")[: len(AWKWARD)])
    for milestone, text in zip(milestones, AWKWARD, strict=True):
        milestone.text = text
    Milestone.objects.bulk_update(milestones, ["text"])

    audit_report_write(output=str(tmp_path / "rows.xlsx"))
    monkeypatch.setattr(report._SheetWriter, "append", _cell_by_cell)
    audit_report_write(output=str(tmp_path / "cells.xlsx"))

    written, reference = _cells(tmp_path / "rows.xlsx"), _cells(tmp_path / "cells.xlsx")
    assert len(written) > 5000
    assert written == reference
    texts = {value[0] for key, value in written.items() if isinstance(value, tuple)}
    assert "'=SUM(A1:A2)" in texts and "  앞뒤 공백  " in texts and "가" * 20000 in texts
    # control characters as Excel encodes them (openpyxl does not decode them)
    assert "탭\t문자와 _x0001_ 제어 문자" in texts and "_x005F_x0041_ 은 그대로" in texts


def test_text_that_looks_like_rich_text_is_kept_as_written(tmp_path):
    """XlsxWriter wrote a text shaped "<r>…</r>" into the sheet unescaped (its rich-text
    path: staff text could reshape the cell, or break the file); it is escaped now."""
    milestone = Milestone.objects.order_by("pk").first()
    milestone.text = "<r><t>숨김</t></r>"
    milestone.save()
    audit_report_write(output=str(tmp_path / "rich.xlsx"))
    texts = {
        cell.value
        for row in openpyxl.load_workbook(tmp_path / "rich.xlsx")["추진현황"].iter_rows()
        for cell in row
    }
    assert "<r><t>숨김</t></r>" in texts


def _sheet(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "edge.xlsx"), {"constant_memory": True})
    formats = report._formats(book)
    page = report.Page(as_of="", scope="")
    writer = report._SheetWriter(book, formats, "점검", page).start(
        [report.Column("값", 10, lambda r: r[0], report.PERCENT)]
    )
    return book, writer


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_value_no_sheet_can_hold_is_refused_not_written(tmp_path, value):
    book, writer = _sheet(tmp_path)
    with pytest.raises(TypeError):
        writer.append((value,))
    book.close()


def test_rows_past_excels_last_row_are_refused_not_cut(tmp_path):
    book, writer = _sheet(tmp_path)
    writer.rows = 1_048_574  # the next two rows are Excel's last (1-based 1,048,576) and one past
    writer.append((1.5,))
    with pytest.raises(ValueError, match="1,048,576"):
        writer.append((2.5,))
    book.close()
