"""The Schedule of Activities as one self-contained, printable HTML page: no scripts, no external files.

Printed on A4 landscape (``@page``); the visits are cut into tables of at most ``HTML_BLOCK`` columns so none is
wider than the page, and each table's header rows (phase, visit, study day, date, window) repeat on every printed
page it spans. Footnotes follow the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from schedsim.standards.soa.groups import GROUPS, TITLES
from schedsim.standards.soa.model import SoA, Visit
from schedsim.standards.soa.rows import footnotes, header_rows

#: Visit columns per table: an A4 landscape page holds ten beside the activity column.
HTML_BLOCK = 10

_PAGE_STYLE = """
@page { size: A4 landscape; margin: 10mm; }
body { font: 8.5pt/1.3 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 0 auto;
       max-width: 277mm; padding: 4mm; }
h1 { font-size: 13pt; margin: 0 0 .2em; } p.meta { margin: .1em 0 .8em; color: #444; }
@media print { body { padding: 0; } }
"""
_TABLE_STYLE = """
table.soa { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0 0 6mm; page-break-inside: auto; }
table.soa th, table.soa td { border: 1px solid #999; padding: 2px 3px; overflow-wrap: break-word;
                             hyphens: auto; vertical-align: top; }
table.soa thead { display: table-header-group; } table.soa tr { break-inside: avoid; page-break-inside: avoid; }
table.soa col.activity { width: 22%; }
thead th { background: #eef1f5; font-weight: 600; text-align: center; } thead th.row { text-align: left; }
thead tr.group th { background: #dde3ea; } thead tr.meta th { font-weight: 400; font-size: 7.5pt; }
tbody th { text-align: left; font-weight: 400; } tbody tr.group th { background: #f4f4f4; font-weight: 600; }
td.mark { text-align: center; } ol.notes { font-size: 7.5pt; color: #333; padding-left: 1.5em; }
"""


def to_html(soa: SoA, block: int = HTML_BLOCK) -> str:
    title = escape(soa.title)
    meta = f"Schedule of activities — {escape(soa.protocol_id)}"
    if soa.path:
        meta += f" — {escape(soa.path)}"
    if soa.start is not None:
        meta += f" — day 1: {soa.start.isoformat()}"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{title} — schedule of activities</title>",
           f"<style>{_PAGE_STYLE}{_TABLE_STYLE}</style></head><body>",
           f"<h1>{title}</h1>", f'<p class="meta">{meta}</p>']
    out += [_tables(soa, block), "</body></html>"]
    return "\n".join(out) + "\n"


def tables_html(soa: SoA, block: int = HTML_BLOCK) -> str:
    """The SoA's tables and footnotes, with their own styles, to put in another page."""
    return f"<style>{_TABLE_STYLE}</style>\n" + _tables(soa, block)


def _tables(soa: SoA, block: int) -> str:
    out: list[str] = []
    visits = list(soa.visits)
    for start in range(0, max(len(visits), 1), block):
        out += _table(soa, visits[start:start + block], block)
    out.append('<ol class="notes">')
    out += [f"<li>{escape(line)}</li>" for line in footnotes(soa)]
    out.append("</ol>")
    return "\n".join(out)


def _table(soa: SoA, visits: Sequence[Visit], block: int) -> list[str]:
    width = (100 - 22) / block
    out = ['<table class="soa">', '<colgroup><col class="activity">']
    out += [f'<col style="width: {width:.2f}%">' for _ in visits]
    out.append("</colgroup><thead>")
    out.append('<tr class="group"><th class="row">Phase</th>' + "".join(
        f'<th colspan="{span}">{escape(group)}</th>' for group, span in _spans(visits)) + "</tr>")
    for name, cells in header_rows(soa, visits)[1:]:
        kind = "" if name == "visit" else ' class="meta"'
        out.append(f"<tr{kind}><th class=\"row\">{escape(name.capitalize())}</th>"
                   + "".join(f"<th>{escape(c)}</th>" for c in cells) + "</tr>")
    out.append("</thead><tbody>")
    for group in GROUPS:
        rows = [a for a in soa.activities if a.group == group and any(soa.cell(a, v) for v in visits)]
        if not rows:
            continue
        out.append(f'<tr class="group"><th colspan="{len(visits) + 1}">{escape(TITLES[group])}</th></tr>')
        for activity in rows:
            out.append(f"<tr><th>{escape(activity.name)}</th>" + "".join(
                f'<td class="mark">{escape(soa.cell(activity, v))}</td>' for v in visits) + "</tr>")
    out.append("</tbody></table>")
    return out


def _spans(visits: Sequence[Visit]) -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for visit in visits:
        if spans and spans[-1][0] == visit.group:
            spans[-1] = (visit.group, spans[-1][1] + 1)
        else:
            spans.append((visit.group, 1))
    return spans
