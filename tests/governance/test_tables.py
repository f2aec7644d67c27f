"""The one CSV/XLSX writer every export uses: formula-like text neutralised, numbers kept numbers,
typed cells, and no Django (it runs without a database or settings)."""

import io
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest

from governance import tables
from governance.tables import Column

INJECTION = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        (INJECTION, "'" + INJECTION),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Retail", "Retail"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_quotes_only_formula_starts(text, cell):
    assert tables.neutralise(text) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("=cmd|'/C calc'!A0", "'=cmd|'/C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Retail", "Retail"),
        (None, ""),
        (3, "3"),
        # A number is data, never a formula: the inventory CSV used to quote these too.
        (-2, "-2"),
        (-1.5, "-1.5"),
        (Decimal("-2.25"), "-2.25"),
        (Decimal("0.0000001"), "0.0000001"),
    ],
)
def test_csv_cells_neutralise_formula_text_and_keep_numbers(value, cell):
    assert tables.csv_cell(value) == cell


TYPED: list[Column[dict]] = [Column(key, lambda row, key=key: row[key]) for key in "abcdef"]


def test_typed_values_keep_their_type_and_numbers_are_never_quoted():
    row = {
        "a": -1.5,
        "b": Decimal("-2.25"),
        "c": datetime(2026, 1, 2, 10, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        "d": date(2026, 1, 31),
        "e": True,
        "f": None,
    }
    assert tables.to_csv([row], TYPED).decode("utf-8-sig").splitlines()[1] == (
        "-1.5,-2.25,2026-01-02 08:04:05,2026-01-31,Yes,"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx([row], TYPED, "T"))).active
    cells = sheet[2]
    # Excel has no time zones and no date type: UTC wall time, and a date read back as midnight.
    utc, day = datetime(2026, 1, 2, 8, 4, 5), datetime(2026, 1, 31)  # noqa: DTZ001
    assert [c.value for c in cells] == [-1.5, Decimal("-2.25"), utc, day, "Yes", None]
    assert [c.number_format for c in cells[2:4]] == [tables.DATETIME_FORMAT, tables.DATE_FORMAT]


def test_csv_streamed_line_by_line_is_the_csv_written_whole():
    rows = [{key: f"-{key}" for key in "abcdef"}, dict.fromkeys("abcdef")]
    lines = list(tables.csv_lines(rows, TYPED))
    assert len(lines) == 3 and lines[0].startswith("\ufeffa,b,")
    assert "".join(lines).encode() == tables.to_csv(rows, TYPED)
    assert tables.to_csv(rows, TYPED).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("text", ["#N/A", "bad\x0bbyte"])
def test_xlsx_keeps_awkward_text_as_text(text):
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx([{"a": text}], TYPED[:1], "T"))).active
    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == (text.replace("\x0b", "\ufffd"), "s")


def test_xlsx_cuts_text_excel_cannot_hold_and_says_so():
    sheet = openpyxl.load_workbook(
        io.BytesIO(tables.to_xlsx([{"a": "x" * 40_000}], TYPED[:1], "T"))
    ).active
    value = sheet["A2"].value
    assert len(value) == tables.XLSX_TEXT_LIMIT
    assert value.endswith(" [cut: 40,000 characters, Excel holds 32,767]")


def test_the_writer_loads_no_django():
    """Pure: registry and reports both import it, below every app (no import-linter contract
    guards the computation modules at the moment, so this test does)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, governance.tables; print(sorted(sys.modules))"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "'django'" not in loaded and "'celery'" not in loaded
