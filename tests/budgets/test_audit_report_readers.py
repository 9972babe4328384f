"""The audit workbook as other programs read and print it: openpyxl, LibreOffice, paper.

Readers that do not recalculate (openpyxl, pandas, LibreOffice with a file from Excel)
show what the file stores for each formula, so every 합계 must store its value. The seed's
workbook is written once for this module and converted once to CSV and once to PDF by
headless LibreOffice (installed on every machine that runs the suite; see .ci/run).
"""

import csv
import re
import subprocess
from pathlib import Path

import openpyxl
import pypdf
import pytest

from budgets.report import TITLE, audit_report_write

pytestmark = pytest.mark.django_db

SHEETS = ["안내", "요약", "연도별", "부서×연도", "재원별", "추진현황", "변경이력", "점검"]
TOTALLED = ["요약", "연도별", "부서×연도", "재원별"]
# The seed's workbook on A4 landscape, measured with LibreOffice 7.4 and Noto Sans CJK
# (it printed on 39 pages, 요약's columns two by two, before each sheet had a page setup).
PAGES = {"안내": 1, "요약": 1, "연도별": 1, "부서×연도": 1, "재원별": 1, "추진현황": 2}
PAGES |= {"변경이력": 9, "점검": 2}  # 점검: the five source rules added findings


def _libreoffice(path: Path, target: str, outdir: Path) -> None:
    """Convert with headless LibreOffice under a profile of its own (runs in parallel)."""
    profile = outdir / "libreoffice-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def workbook(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("workbook") / "audit.xlsx"
    with django_db_blocker.unblock():
        audit_report_write(output=str(path), generated_by="pytest")
    return path


@pytest.fixture(scope="module")
def libreoffice_csv(workbook, tmp_path_factory) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice shows it, one CSV file per sheet (raw values, UTF-8)."""
    outdir = tmp_path_factory.mktemp("csv")
    # separator, quote, UTF-8, first line, -, language, -, -, values not as shown, no
    # formulas, -, -, every sheet (-1): LibreOffice's CSV filter options, by position
    _libreoffice(
        workbook,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        outdir,
    )
    return {
        sheet: list(csv.reader((outdir / f"audit-{sheet}.csv").open(encoding="utf-8")))
        for sheet in SHEETS
    }


@pytest.fixture(scope="module")
def pdf_pages(workbook, tmp_path_factory) -> list[str]:
    """The text of each printed page, as LibreOffice prints the whole workbook."""
    outdir = tmp_path_factory.mktemp("pdf")
    _libreoffice(workbook, "pdf", outdir)
    return [page.extract_text() for page in pypdf.PdfReader(outdir / "audit.pdf").pages]


def _number(text):
    return int(text) if re.fullmatch(r"-?\d+", text or "") else None


def _totals_against_column_sums(rows: list[list]) -> dict[str, tuple]:
    """{header: (the 합계 row's value, the sum of the column's numbers)} for each total."""
    header, *body = rows
    (total_row,) = [row for row in body if row[0] == "합계"]
    data = [row for row in body if row[0] != "합계"]
    return {
        name: (total_row[col], sum(row[col] for row in data if isinstance(row[col], int)))
        for col, name in enumerate(header)
        if col > 0 and isinstance(total_row[col], int)
    }


def test_every_total_stores_its_value_for_openpyxl(workbook):
    book = openpyxl.load_workbook(workbook, data_only=True)
    formulas = openpyxl.load_workbook(workbook)
    for name in TOTALLED:
        rows = [list(row) for row in book[name].iter_rows(values_only=True)]
        totals = _totals_against_column_sums(rows)
        assert totals, name
        assert all(stored == summed for stored, summed in totals.values()), (name, totals)
        last = formulas[name].max_row
        stored = [c for c in formulas[name][last] if str(c.value).startswith("=")]
        assert [c.value for c in stored] == [
            f"=SUM({c.column_letter}2:{c.column_letter}{last - 1})" for c in stored
        ]
        assert len(stored) == len(totals), name
    summary = _totals_against_column_sums(
        [list(r) for r in book["요약"].iter_rows(values_only=True)]
    )
    # the seed's six cards: 3,061 + 90 + 14,575 + 7,432 + 14,576 executed (12-2 has no budget)
    assert summary["임기내 집행"] == (39734, 39734)
    # 기투자: 12-7 335 + 12-8 12,208 + 12-9 14,105; 누적 = 기투자 + 임기내
    assert summary["기투자"] == (26648, 26648)
    assert summary["누적 집행"] == (66382, 66382)
    assert summary["총사업비 현재계획"] == (69103, 69103)
    assert summary["총사업비 초기계획"] == (70982, 70982)


def test_every_total_reads_the_same_in_libreoffice(libreoffice_csv):
    for name in TOTALLED:
        rows = [
            [_number(cell) if _number(cell) is not None else cell for cell in row]
            for row in libreoffice_csv[name]
        ]
        totals = _totals_against_column_sums(rows)
        assert totals, name
        assert all(stored == summed for stored, summed in totals.values()), (name, totals)
    (total_row,) = [row for row in libreoffice_csv["요약"] if row[0] == "합계"]
    # 요약: 초기, 현재, 확보, 기투자, 임기내 집행, 누적 집행 (after 관리번호 … 단계 추정 …)
    assert total_row[8:14] == ["70982", "69103", "69103", "26648", "39734", "66382"]
    (total_row,) = [row for row in libreoffice_csv["부서×연도"] if row[0] == "합계"]
    assert total_row[1:3] == ["36842", "7432"]  # ~2022 plan and execution of 공공건축과


def test_every_sheet_has_a_page_setup_for_a4_landscape_one_page_wide(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        # fitToWidth absent means 1, the schema's default; fitToHeight 0: as many as needed
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$1:$1"
        header = sheet.oddHeader
        assert header.left.text == f"{TITLE} · &A"
        assert header.right.text.startswith("기준: 현재 (")
        assert header.center.text == "부서: 전체 · 단위: 백만원"
        assert sheet.oddFooter.center.text == "&P / &N"


def _sheet_of(page: str) -> str:
    """The sheet a printed page belongs to, from its page header ("… · 요약 …")."""
    match = re.match(rf"{re.escape(TITLE)} · (\S+)", page)
    assert match, page[:80]
    return match.group(1)


def test_the_seed_workbook_prints_on_18_pages_each_sheet_one_page_wide(pdf_pages):
    sheets = [_sheet_of(page) for page in pdf_pages]
    assert {name: sheets.count(name) for name in SHEETS} == PAGES
    assert len(pdf_pages) == 18
    assert sheets == sorted(sheets, key=SHEETS.index)  # in the workbook's order
    assert all(f"{n} / 18" in page for n, page in enumerate(pdf_pages, start=1))
    assert all("기준: 현재 (" in page and "단위: 백만원" in page for page in pdf_pages)


def test_every_column_of_a_sheet_is_on_its_first_printed_page(workbook, pdf_pages):
    book = openpyxl.load_workbook(workbook, read_only=True)
    first_pages = {}
    for page in pdf_pages:
        first_pages.setdefault(_sheet_of(page), page)
    for name in SHEETS:
        text = re.sub(r"\s+", "", first_pages[name])  # a header may wrap inside its cell
        headers = next(book[name].iter_rows(max_row=1, values_only=True))
        missing = [h for h in headers if re.sub(r"\s+", "", h) not in text]
        assert missing == [], name
