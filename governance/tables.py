"""Tables as CSV and XLSX, for every export Attest writes: a column is a header and how to read
its value from a row.

No Django here: rows are whatever objects the columns can read, values are plain Python. One rule
for spreadsheet formulas (OWASP "CSV injection"), in every export and both formats: a number cell
stays a number, never prefixed (-2.5 is data); text a spreadsheet would evaluate (starting with
= + - @, tab or carriage return, so "-1+2" and "=cmd" too) is neutralised, in CSV with a leading
apostrophe, in XLSX by storing it as text with Excel's own quote prefix, so the cell shows exactly
what was recorded and stays text even when someone edits it.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell = str | int | float | Decimal | bool | date | datetime | None
Row = TypeVar("Row")

# A cell starting with one of these is a formula in a spreadsheet; tab and carriage return start
# one too in some spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TEXT_LIMIT = 32_767  # Excel refuses longer cells; openpyxl would cut them silently
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a register: its header, how to read its value, its XLSX width (characters).

    Datetimes are written in UTC; say so in the header ("Raised at (UTC)").
    """

    header: str
    value: Callable[[Row], Cell]
    width: int = 16


def plain(value: Cell) -> Cell:
    """The value as every format writes it: datetimes in UTC to the second, without tzinfo
    (Excel has no time zones), Yes/No for booleans."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def as_text(value: Cell) -> str:
    """The value as text: ISO dates, UTC datetimes to the second, "" for nothing."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal):
        return f"{value:f}"  # str() would write 0.0000001 as 1E-7
    return value.isoformat() if isinstance(value, date) else str(value)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise(text: str) -> str:
    """Text that a spreadsheet would evaluate, quoted so that it is shown instead (CSV)."""
    return "'" + text if is_formula_like(text) else text


def csv_cell(value: Cell) -> str:
    """The value as a CSV cell: numbers stay numbers (a negative amount is data, not a formula),
    text a spreadsheet would evaluate is neutralised."""
    return neutralise(value) if isinstance(value, str) else as_text(value)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row], columns: Sequence[Column[Row]]) -> Iterator[str]:
    """The CSV line by line, so a download can stream it while the rows are read; the first line
    starts with a byte-order mark, so spreadsheet programs read accents and symbols right."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(column.header) for column in columns])
    for row in rows:
        yield writer.writerow([csv_cell(column.value(row)) for column in columns])


def to_csv(rows: Iterable[Row], columns: Sequence[Column[Row]]) -> bytes:
    """The whole CSV as UTF-8, byte-order mark first."""
    return "".join(csv_lines(rows, columns)).encode("utf-8")


def xml_safe(text: str) -> str:
    """Control characters XML cannot hold (XLSX and DOCX are XML) shown as U+FFFD, not dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _xlsx_text(text: str) -> str:
    """XML-safe, and an over-long text cut with a visible note (Excel would refuse it)."""
    text = xml_safe(text)
    if len(text) <= XLSX_TEXT_LIMIT:
        return text
    note = f" [cut: {len(text):,} characters, Excel holds {XLSX_TEXT_LIMIT:,}]"
    return text[: XLSX_TEXT_LIMIT - len(note)] + note


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> SheetCell:
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl would store "=..." as a formula and "#N/A" as an error
    cell.quotePrefix = is_formula_like(text)
    return cell


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> Cell | SheetCell:
    """The value, or a cell when the value alone would be read wrong (formula, error, date)."""
    value = plain(value)
    if isinstance(value, str):
        text = _xlsx_text(value)
        plain_text = not is_formula_like(text) and text not in ERROR_CODES
        return text if plain_text else _text_cell(sheet, text)
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(sheet)
        cell.value = value  # types-openpyxl's WriteOnlyCell(value=) leaves out date; Cell takes it
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return cell
    return value


def _header(sheet: WriteOnlyWorksheet, columns: Sequence[Column[Any]]) -> list[SheetCell]:
    bold = Font(bold=True)
    cells = [_text_cell(sheet, _xlsx_text(column.header)) for column in columns]
    for cell in cells:
        cell.font = bold
    return cells


def to_xlsx(rows: Iterable[Row], columns: Sequence[Column[Row]], sheet_title: str) -> bytes:
    """One sheet: a bold header row that stays in view, filters on every column, real dates.

    Written in openpyxl's write-only mode, so each row goes to the file as it is read.
    """
    book = Workbook(write_only=True)
    book.properties.creator = "Attest"
    book.properties.title = sheet_title
    sheet = book.create_sheet(sheet_title)
    for index, column in enumerate(columns, start=1):
        width = max(column.width, len(column.header) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, columns))
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column.value(row)) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
