"""Patient calendars as CSV, JSON, a terminal table and Markdown (ICS and HTML have modules of their own).

CSV and JSON carry exactly ``CALENDAR_FIELDS`` per row; a roster's calendars are one list, patient after patient.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import groupby

from schedsim.calendar.patient import CALENDAR_FIELDS, CalendarRow, PatientCalendar
from schedsim.tabular import safe_cell

WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def all_rows(calendars: Iterable[PatientCalendar]) -> list[CalendarRow]:
    return [row for calendar in calendars for row in calendar.rows]


def rows_to_json(rows: Iterable[CalendarRow]) -> str:
    return json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False) + "\n"


def rows_to_csv(rows: Iterable[CalendarRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CALENDAR_FIELDS)
    for row in rows:
        record = row.to_dict()
        record["activities"] = "; ".join(row.activities)
        record["assumptions"] = " ".join(row.assumptions)
        writer.writerow("" if record[name] is None else safe_cell(record[name]) if isinstance(record[name], str)
                        else record[name] for name in CALENDAR_FIELDS)
    return buffer.getvalue()


def window_text(row: CalendarRow) -> str:
    if row.window_earliest is None or row.window_latest is None:
        return ""
    return f"{row.window_earliest:%m-%d}..{row.window_latest:%m-%d}"


def calendar_header(calendar: PatientCalendar) -> list[str]:
    timeline = calendar.timeline
    lines = [f"Patient {calendar.patient_id}: {timeline.title}",
             f"protocol {timeline.protocol_id} ({timeline.file}); day 1: {calendar.start}"
             + (f"; arm {calendar.arm}" if calendar.arm else "")
             + "".join(f"; {d.id}: {d.branch_label}" for d in timeline.design.decisions),
             f"clinic: {calendar.clinic.description}" + (f"; status as of {calendar.today}" if calendar.today else "")]
    return lines


def calendars_to_table(calendars: Sequence[PatientCalendar]) -> str:
    """A fixed-width listing per patient; ``!`` marks a visit no open day could take (see its note)."""
    out: list[str] = []
    for calendar in calendars:
        if out:
            out.append("")
        out += calendar_header(calendar)
        out.append("")
        out.append(f"  {'date':<14}  {'day':>5}  {'tag':<5}  {'status':<8}  {'window':<12}  {'kind':<10}  "
                   f"{'event':<42}  note")
        for row in calendar.rows:
            mark = "!" if row.flagged else " "
            out.append(f"{mark} {_day(row.scheduled_date):<14}  {row.day:>5}  {row.tag:<5}  {row.status:<8}  "
                       f"{window_text(row):<12}  {row.kind:<10}  {row.event_id:<42}  {row.label}"
                       + (f"  [{row.shift_reason}]" if row.shift_reason else ""))
    return "\n".join(out) + "\n"


def due_to_table(rows: Sequence[CalendarRow], first: date, last: date) -> str:
    """The visits due between two dates across patients, with windows and what to do."""
    out = [f"Visits due {first} → {last}: {len(rows)}", ""]
    if rows:
        out.append(f"  {'date':<14}  {'patient':<10}  {'status':<8}  {'window':<12}  {'visit':<44}  activities")
    for row in rows:
        mark = "!" if row.flagged else " "
        out.append(f"{mark} {_day(row.scheduled_date):<14}  {row.patient_id:<10}  {row.status:<8}  "
                   f"{window_text(row):<12}  {row.label[:44]:<44}  {'; '.join(row.activities)}")
    return "\n".join(out) + "\n"


def calendars_to_markdown(calendars: Sequence[PatientCalendar]) -> str:
    """One section per patient, one table per month."""
    out: list[str] = []
    for calendar in calendars:
        header = calendar_header(calendar)
        out += [f"# {_md(header[0])}", "", *(f"{_md(line)}  " for line in header[1:]), ""]
        for (year, month), rows in groupby(calendar.rows, key=_month):
            out += [f"## {date(year, month, 1):%B %Y}", "",
                    "| date | study day | tag | visit | window | activities | status | note |",
                    "|---|---:|---|---|---|---|---|---|"]
            for row in rows:
                window = (f"{row.window_earliest} – {row.window_latest}"
                          if row.window_earliest and row.window_latest else "")
                flag = " ⚠" if row.flagged else ""
                out.append(f"| {_day(row.scheduled_date)} | {row.day} | {row.tag} | {_md(row.label)} | {window} | "
                           f"{_md('; '.join(row.activities))} | {row.status}{flag} | {_md(row.shift_reason)} |")
            out.append("")
    return "\n".join(out)


def _month(row: CalendarRow) -> tuple[int, int]:
    return row.scheduled_date.year, row.scheduled_date.month


def _day(day: date) -> str:
    return f"{day.isoformat()} {WEEKDAY[day.weekday()]}"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("*", "\\*")
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # no HTML from a label
            .replace("[", "\\[").replace("]", "\\]").replace("`", "\\`"))  # no links, no code spans
