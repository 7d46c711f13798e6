"""Reading small CSV inputs (actuals, rosters) with the line number of every row, for error messages."""

from __future__ import annotations

import csv
import io

from schedsim.errors import InputError, Problem


def csv_rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of ``text`` with the line each starts on; ``InputError`` for text that is not CSV."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = []
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as error:
        raise InputError(Problem(name, reader.line_num or None, "", f"not valid CSV: {error}")) from None
    return rows
