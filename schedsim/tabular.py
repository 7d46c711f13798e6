"""Tables as the usual tools read them: CSV whose first line is its header (dates ISO 8601, empty cells for
nothing), Excel workbooks with typed date cells and a frozen header row, and pandas DataFrames with datetime
columns. Every stage that writes rows (timelines, calendars, simulations) builds a ``Table`` and hands it here.

>>> from datetime import date
>>> table = Table("visits", ("id", "date", "day"), [("c1d1", date(2027, 1, 4), 1), ("eot", None, 90)])
>>> print(csv_text(table), end="")
id,date,day
c1d1,2027-01-04,1
eot,,90
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from schedsim.errors import SchedsimError

#: A UTF-8 byte-order mark: Excel on Windows reads a CSV that starts with it as UTF-8 (``--bom``).
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
#: Spreadsheet formulas are kept as written (``schedsim --raw-csv``): for programs, not for Excel.
_RAW: ContextVar[bool] = ContextVar("schedsim_raw_csv", default=False)


@contextmanager
def raw_csv(raw: bool = True) -> Iterator[None]:
    """Within the block, CSV cells are written as they are, formulas included (``safe_cell`` does nothing)."""
    token = _RAW.set(raw)
    try:
        yield
    finally:
        _RAW.reset(token)


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, a tab or a carriage return gets a
    leading ``'`` (OWASP's advice against formula injection); numbers such as ``-7`` stay numbers.

    >>> print(safe_cell('=HYPERLINK("http://x")'), safe_cell("-7"), safe_cell("Cycle 1"))
    '=HYPERLINK("http://x") -7 Cycle 1
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text) and not _RAW.get():
        return "'" + text
    return text
_SHEET_NAME_LIMIT = 31
_BAD_SHEET_CHARACTERS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


@dataclass(frozen=True, slots=True)
class Table:
    """Named columns and typed rows (``date`` for dates, ``int``/``float`` for numbers, ``None`` for nothing)."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)
    frozen: tuple[int, int] = (1, 0)  # in a workbook: the rows and columns kept in view when scrolling

    @property
    def date_columns(self) -> tuple[str, ...]:
        """The columns holding dates (a column whose cells are dates or empty, with at least one date)."""
        found = []
        for index, name in enumerate(self.columns):
            cells = [row[index] for row in self.rows if row[index] is not None]
            if cells and all(isinstance(cell, date) for cell in cells):
                found.append(name)
        return tuple(found)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return safe_cell("; ".join(str(v) for v in value))
    return safe_cell(str(value)) if isinstance(value, str) else str(value)


def csv_text(table: Table, bom: bool = False) -> str:
    """The table as CSV: the header first, dates ISO 8601, lists joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_cell_text(value) for value in row] for row in table.rows)
    return (BOM if bom else "") + buffer.getvalue()


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = (text.translate(_BAD_SHEET_CHARACTERS).strip("'") or "sheet")[:_SHEET_NAME_LIMIT]
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[:_SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """An ``.xlsx`` workbook, one sheet per table: a bold, frozen header row with filters, date cells typed as dates
    (shown YYYY-MM-DD), numbers as numbers, columns sized to their content. Deterministic: the same tables give
    the same bytes (the document's timestamps are fixed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables or [Table("empty", ())]:
        sheet = book.create_sheet(sheet_name(table.name, taken))
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = bold
        dates = set(table.date_columns)
        widths = [len(name) for name in table.columns]
        for row in table.rows:
            values = [_excel_value(value) for value in row]
            sheet.append(values)
            for cell, value in zip(sheet[sheet.max_row], values, strict=False):
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text: a workbook runs nothing
            for index, value in enumerate(values):
                widths[index] = max(widths[index], 10 if isinstance(value, date) else len(str(value or "")))
        for index, name in enumerate(table.columns):
            letter = get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = min(max(widths[index], 6) + 2, 60)
            if name in dates:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = f"{get_column_letter(table.frozen[1] + 1)}{table.frozen[0] + 1}"
        if table.columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(len(table.rows) + 1, 1)}"
    book.properties.creator = "schedsim"
    book.properties.created = datetime(2000, 1, 1)  # not "now": the same input gives the same file
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def _excel_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _reproducible(data: bytes) -> bytes:
    """The workbook with one fixed time for its zip members and its "modified" property (openpyxl stamps both with
    the current time when it saves)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2000-01-01T00:00:00Z\2", content)
            target.writestr(fixed, content)
    return out.getvalue()


def dataframe(table: Table) -> Any:
    """The table as a pandas DataFrame: date columns as ``datetime64``, empty cells as missing (needs pandas:
    ``pip install 'schedsim[pandas]'``)."""
    try:
        import pandas as pd
    except ImportError:
        raise SchedsimError("to_dataframe() needs pandas: pip install 'schedsim[pandas]'") from None
    frame = pd.DataFrame([[_excel_value(v) for v in row] for row in table.rows], columns=list(table.columns))
    for name in table.date_columns:
        frame[name] = pd.to_datetime(frame[name])
    return frame
