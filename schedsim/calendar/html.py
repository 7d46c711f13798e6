"""A self-contained, printable HTML page of patient calendars: an agenda or a month grid.

No scripts, no external files: styles are inline in the page, and everything shown comes from the inputs.
"""

from __future__ import annotations

import calendar as monthcal
from collections.abc import Sequence
from datetime import date
from html import escape
from itertools import groupby
from typing import Literal

from schedsim.calendar.export import calendar_header, window_text
from schedsim.calendar.patient import CalendarRow, PatientCalendar

Layout = Literal["agenda", "month"]

_STYLE = """
body { font: 11pt/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 .2em; } h2 { font-size: 12.5pt; margin: 1.2em 0 .4em; }
p.meta { margin: .1em 0; color: #444; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; page-break-inside: auto; }
th, td { border: 1px solid #bbb; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; } tr { page-break-inside: avoid; }
td.closed { background: #f1f1f1; color: #777; } td.out { background: #fafafa; color: #bbb; }
.grid td { height: 5.5em; width: 14.28%; font-size: 8.5pt; } .grid .num { font-weight: 600; font-size: 9.5pt; }
.item { margin: 1px 0; padding: 0 2px; border-left: 3px solid #0072B2; }
.kind-dose { border-color: #E69F00; } .kind-procedure { border-color: #D55E00; }
.kind-assessment { border-color: #009E73; } .kind-visit { border-color: #0072B2; }
.status-done { text-decoration: line-through; color: #555; } .status-overdue { font-weight: 700; color: #b00; }
.status-missed, .status-skipped { color: #888; font-style: italic; } .flag { color: #b00; font-weight: 700; }
.legend span { margin-right: 1.2em; } section.patient { page-break-after: always; }
@media print { body { margin: 0; } a { color: inherit; } }
"""


def calendars_to_html(calendars: Sequence[PatientCalendar], layout: Layout = "agenda") -> str:
    """The page for one or more patients (one section each)."""
    title = (f"Visit calendar — patient {calendars[0].patient_id}" if len(calendars) == 1
             else f"Visit calendars — {len(calendars)} patients")
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>"]
    for calendar in calendars:
        parts.append('<section class="patient">')
        header = calendar_header(calendar)
        parts.append(f"<h1>{escape(header[0])}</h1>")
        parts += [f'<p class="meta">{escape(line)}</p>' for line in header[1:]]
        parts.append('<p class="meta legend"><span>⚠ no open clinic day in the window</span>'
                     '<span>colours: <b style="color:#0072B2">visit</b> <b style="color:#009E73">assessment</b> '
                     '<b style="color:#E69F00">dose</b> <b style="color:#D55E00">procedure</b></span></p>')
        parts += _agenda(calendar) if layout == "agenda" else _grid(calendar)
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _agenda(calendar: PatientCalendar) -> list[str]:
    out = []
    for (year, month), rows in groupby(calendar.rows, key=lambda r: (r.scheduled_date.year, r.scheduled_date.month)):
        out.append(f"<h2>{date(year, month, 1):%B %Y}</h2>")
        out.append("<table><thead><tr><th>Date</th><th>Day</th><th>Visit</th><th>Window</th><th>Activities</th>"
                   "<th>Status</th><th>Note</th></tr></thead><tbody>")
        for row in rows:
            flag = ' <span class="flag">⚠</span>' if row.flagged else ""
            out.append(
                f'<tr class="status-{row.status}"><td>{row.scheduled_date:%a %d %b}</td><td>{row.day}</td>'
                f'<td><span class="item kind-{row.kind}">{escape(row.label)}</span></td>'
                f"<td>{escape(_window(row))}</td><td>{escape('; '.join(row.activities))}</td>"
                f"<td>{row.status}{flag}</td><td>{escape(row.shift_reason)}</td></tr>")
        out.append("</tbody></table>")
    return out


def _grid(calendar: PatientCalendar) -> list[str]:
    by_day: dict[date, list[CalendarRow]] = {}
    for row in calendar.rows:
        by_day.setdefault(row.scheduled_date, []).append(row)
    if not by_day:
        return ["<p>No visits.</p>"]
    months = sorted({(d.year, d.month) for d in by_day})
    out = []
    for year, month in months:
        out.append(f"<h2>{date(year, month, 1):%B %Y}</h2>")
        out.append('<table class="grid"><thead><tr>'
                   + "".join(f"<th>{name}</th>" for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
                   + "</tr></thead><tbody>")
        for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append('<td class="out"></td>')
                    continue
                closed = calendar.clinic.closed_reason(day)
                css = ' class="closed"' if closed else ""
                title = f' title="{escape(closed)}"' if closed else ""
                items = "".join(
                    f'<div class="item kind-{row.kind} status-{row.status}">'
                    f"{'⚠ ' if row.flagged else ''}{escape(row.label)}</div>"
                    for row in by_day.get(day, []))
                cells.append(f'<td{css}{title}><div class="num">{day.day}</div>{items}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    return out


def _window(row: CalendarRow) -> str:
    return window_text(row).replace("..", " – ")
