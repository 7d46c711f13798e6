"""The Schedule of Activities written out: a text table (by default), Markdown, CSV, an Excel workbook or a
printable HTML page (``html``). Wide schedules are cut into blocks of visits, each repeating the activity column.

CSV and Excel hold one table, header first: the column names (``group``, ``activity``, then one column per visit),
then the visit rows (``visit``, ``phase``, ``study day``, ``date``, ``window``, ``assumptions``), then one row per
activity; a second sheet (Excel) or the lines after a blank row (text, Markdown) hold the footnotes.
"""

from __future__ import annotations

from collections.abc import Sequence

from schedsim.standards.soa.groups import TITLES
from schedsim.standards.soa.model import SoA, Visit
from schedsim.standards.soa.rows import footnotes, grouped_rows, header_rows
from schedsim.tabular import Table, csv_text, workbook_bytes

#: Visits per block of the text and Markdown tables.
TEXT_BLOCK = 8


def soa_table(soa: SoA) -> Table:
    """One table for CSV and Excel: the visit rows, then the activities; in Excel the visit rows and the activity
    names stay in view when scrolling."""
    keys = [v.key for v in soa.visits]
    rows: list[list[object]] = [["", name, *cells] for name, cells in header_rows(soa, soa.visits)]
    headers = len(rows)
    for activity in soa.activities:
        rows.append([TITLES[activity.group], activity.name, *(soa.cell(activity, v) for v in soa.visits)])
    return Table("schedule of activities", ("group", "activity", *keys), rows, frozen=(1 + headers, 2))


def to_csv(soa: SoA, bom: bool = False) -> str:
    return csv_text(soa_table(soa), bom)


def to_xlsx(soa: SoA) -> bytes:
    notes = Table("notes", ("note",), [[line] for line in footnotes(soa)])
    return workbook_bytes([soa_table(soa), notes])


def _blocks(visits: Sequence[Visit], size: int) -> list[Sequence[Visit]]:
    return [visits[i:i + size] for i in range(0, len(visits), size)] or [[]]


def to_text(soa: SoA, block: int = TEXT_BLOCK) -> str:
    """Plain text: blocks of ``block`` visits, columns padded to their widest cell."""
    lines = [soa.title, f"Schedule of activities — {soa.protocol_id}" + (f" — {soa.path}" if soa.path else ""), ""]
    for visits in _blocks(soa.visits, block):
        grid = [[name, *cells] for name, cells in header_rows(soa, visits)]
        for name, activity in grouped_rows(soa, visits):
            grid.append([f"{name}:", *([""] * len(visits))] if activity is None else
                        [f"  {name}", *(soa.cell(activity, v) for v in visits)])
        widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
        widths = [min(w, 44) for w in widths]
        for row in grid:
            lines.append("  ".join(_fit(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    lines += footnotes(soa)
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int) -> str:
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def to_markdown(soa: SoA, block: int = TEXT_BLOCK) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {cell(soa.title)}", "", f"Schedule of activities — `{soa.protocol_id}`"
             + (f" — {cell(soa.path)}" if soa.path else ""), ""]
    for visits in _blocks(soa.visits, block):
        head = header_rows(soa, visits)
        lines.append("| | " + " | ".join(cell(f"{v.group}: {v.label}") for v in visits) + " |")
        lines.append("|---|" + "---|" * len(visits))
        for name, cells in head[2:]:
            lines.append(f"| *{name}* | " + " | ".join(cell(c) for c in cells) + " |")
        for name, activity in grouped_rows(soa, visits):
            lines.append(f"| **{name}** |" + " |" * len(visits) if activity is None else
                         f"| {cell(name)} | " + " | ".join(soa.cell(activity, v) for v in visits) + " |")
        lines.append("")
    lines += [f"- {cell(line)}" for line in footnotes(soa)]
    return "\n".join(lines) + "\n"

