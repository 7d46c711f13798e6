"""One self-contained HTML page about a protocol, for people without the command line: an interactive Gantt chart
(Bokeh, its JavaScript inlined: zoom, pan, and hovering an event shows its date, window, the chain of anchors that
fixes it and the assumptions it rests on), the Schedule of Activities, the check findings, every assumption with its
rationale and where it is written, and with a scenario the simulated milestone forecast. Nothing is fetched when the
page is viewed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from schedsim.check.checker import check_file
from schedsim.compile.compiler import compile_file
from schedsim.engine.explain import explain
from schedsim.engine.schedule import Schedule, build_schedule
from schedsim.standards.soa.html import tables_html
from schedsim.standards.soa.model import build_soa

_KIND_COLOURS = {"dose": "#E69F00", "procedure": "#D55E00", "assessment": "#0072B2", "visit": "#009E73",
                 "milestone": "#555555"}
_STYLE = """
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 1.2em auto;
       max-width: 1200px; padding: 0 1em; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table.plain { border-collapse: collapse; } table.plain th, table.plain td { border: 1px solid #bbb; padding: 2px 6px;
  text-align: left; vertical-align: top; } .error { color: #b00; } .warning { color: #a60; } p.meta { color: #444; }
"""


def gantt_figure(schedule: Schedule) -> Any:
    """The protocol's events on a time axis, a row per phase (and one for the assessments outside them): one glyph
    per event, named ``events``; the hover shows each event's date, window, anchor chain and assumptions."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    timeline = schedule.timeline
    labels = {p.id: p.label for p in timeline.phases}
    rows = [labels[p.id] for p in timeline.phases] + ["Assessments"]
    data: dict[str, list[Any]] = {k: [] for k in ("x", "width", "row", "id", "label", "kind", "when", "window",
                                                  "chain", "assumed", "colour")}
    dated = schedule.start is not None
    for item in schedule.events:
        event = item.event
        data["x"].append(_x(item.date, item.t, dated))
        data["width"].append(_width(dated))
        data["row"].append(labels.get(event.phase or "", "Assessments"))
        data["id"].append(event.id)
        data["label"].append(event.label)
        data["kind"].append(event.kind)
        data["when"].append(f"day {item.day}" + (f", {item.date.isoformat()}" if item.date else ""))
        data["window"].append(f"day {item.day - (item.t - item.earliest)} to {item.day + (item.latest - item.t)}"
                              if item.earliest is not None and item.latest is not None else "none")
        data["chain"].append("<br>".join(escape(line) for line in list(explain(schedule, event.id))[:6]))
        data["assumed"].append(", ".join(item.assumptions) or "none")
        data["colour"].append(_KIND_COLOURS.get(event.kind, "#333333"))
    source = ColumnDataSource(data, name="events")
    plot = figure(name="gantt", y_range=list(reversed(rows)), height=90 + 34 * len(rows), sizing_mode="stretch_width",
                  x_axis_type="datetime" if dated else "linear", tools="xpan,xwheel_zoom,box_zoom,reset,save",
                  active_scroll="xwheel_zoom", title=f"{timeline.title} — events by phase")
    plot.rect(x="x", y="row", width="width", height=0.6, source=source, color="colour", line_color="colour",
              name="event_glyphs", legend_field="kind")
    plot.legend.orientation = "horizontal"
    plot.add_layout(plot.legend[0], "above")  # the colours' key, above the rows: never over an event
    plot.add_tools(HoverTool(tooltips="""<div style="max-width: 420px"><b>@label</b> (@id, @kind)<br>
        When: @when<br>Window: @window<br><div style="font-size: 85%">@{chain}{safe}</div>Assumptions: @assumed
        </div>""", renderers=plot.renderers))
    plot.xaxis.axis_label = "date" if dated else "days from study day 1"
    return plot


def _x(day: date | None, t: int, dated: bool) -> Any:
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12) if dated and day is not None else t


def _width(dated: bool) -> float:
    return 86_400_000.0 * 0.9 if dated else 0.9  # a day: milliseconds on a date axis


def report_html(path: str | Path, start: date | None = None, scenario: str | Path | None = None,
                patients: int = 20, replicates: int = 5, seed: int = 0, arm: str | None = None,
                branches: Mapping[str, str] | None = None) -> str:
    """The page for a protocol file — of one path through a study with arms or decisions (``arm``, ``branches``;
    the first arm's by default, and the page names the others) — dated from ``start`` when given; with
    ``scenario``, a simulated forecast of ``patients`` x ``replicates`` (``seed``) of the whole study."""
    try:
        from bokeh.embed import components
        from bokeh.resources import Resources
    except ImportError:
        from schedsim.errors import InputError, Problem

        raise InputError(Problem("report", None, "", "the report's interactive chart needs bokeh: install "
                                                     "schedsim[report]")) from None

    inline = Resources(mode="inline", components=["bokeh"])  # the plotting library only: about 1.3 MB

    timeline = compile_file(path, arm=arm, branches=branches)
    schedule = build_schedule(timeline, start)
    script, div = _stable_ids(*components(gantt_figure(schedule)), timeline.protocol_id)
    report = check_file(path, start=start)
    parts = [f"<h1>{escape(timeline.title)}</h1>",
             f'<p class="meta">Protocol <code>{escape(timeline.protocol_id)}</code> — {escape(str(path))}'
             + (f" — day 1: {start.isoformat()}" if start else " — study days (no start date)")
             + (f" — {escape(timeline.design.label)}" if timeline.design.label else "") + "</p>",
             _paths_note(timeline),
             "<h2>Timeline</h2>", "<p>Drag to pan, scroll to zoom, hover an event for its date, window, the chain "
                                  "of anchors that fixes it and the assumptions it rests on.</p>", div,
             "<h2>Schedule of activities</h2>", tables_html(build_soa(timeline, start)),
             "<h2>Check findings</h2>", _findings(report), "<h2>Assumptions</h2>",
             _assumptions(timeline, set(schedule.used_assumptions), path)]
    if scenario is not None:
        parts += ["<h2>Simulated forecast</h2>", _forecast(path, scenario, patients, replicates, seed)]
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(timeline.title)}</title>'
            f"<style>{_STYLE}</style>{inline.render_js()}{inline.render_css()}{script}</head>")
    return head + "<body>" + "\n".join(parts) + "</body></html>\n"


def _stable_ids(script: str, div: str, name: str) -> tuple[str, str]:
    """Bokeh names its document and root with random UUIDs and its models from a counter that runs on in a process:
    ids derived from the protocol and numbered in order of appearance instead, so that the same input gives the same
    page byte for byte, in a fresh command or the tenth call in a notebook."""
    found = list(dict.fromkeys(_UUID.findall(script + div)))
    stable = {old: str(uuid.uuid5(uuid.NAMESPACE_URL, f"schedsim-report:{name}:{k}")) for k, old in enumerate(found)}
    models = list(dict.fromkeys(_MODEL_ID.findall(script)))
    stable.update({old: f"p{1000 + k}" for k, old in enumerate(models)})
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(old) for old in sorted(stable, key=len, reverse=True))
                         + r")(?![\w-])") if stable else None

    def swap(text: str) -> str:
        return pattern.sub(lambda match: stable[match.group(0)], text) if pattern else text

    return swap(script), swap(div)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MODEL_ID = re.compile(r'"id":"(p\d+)"')


def _findings(report: Any) -> str:
    if not report.findings:
        return "<p>No findings: the protocol passes every rule.</p>"
    rows = "".join(f'<tr><td class="{escape(f.severity)}">{escape(f.severity)}</td><td>{escape(f.rule)}</td>'
                   f"<td>{escape(f.message)}</td><td>{escape(f.file)}:{f.line or ''}</td></tr>"
                   for f in report.findings)
    return f'<table class="plain"><tr><th>level</th><th>rule</th><th>finding</th><th>where</th></tr>{rows}</table>'


def _paths_note(timeline: Any) -> str:
    """For a study with arms or decisions: which path this page shows, and the others (``--arm``, ``--branch``)."""
    design = timeline.design
    if len(design.arms) < 2 and not design.decisions:
        return ""
    parts = []
    if len(design.arms) > 1:
        others = ", ".join(f"{escape(a)} ({escape(label)})" for a, label in design.arms if a != design.arm)
        parts.append(f"arm <b>{escape(design.arm or '')}</b> ({escape(design.arm_label or '')}); other arms: "
                     f"{others} (choose with <code>--arm</code>)")
    for decision in design.decisions:
        others = ", ".join(escape(b) for b, _ in decision.branches if b != decision.branch)
        parts.append(f"at {escape(decision.id)} ({escape(decision.label)}) the branch <b>{escape(decision.branch)}"
                     f"</b>; other branches: {others} (choose with <code>--branch {escape(decision.id)}=...</code>)")
    return (f'<p class="meta">This study has more than one path; this page shows {"; ".join(parts)}. The check '
            f"findings cover every path; the forecast simulates the whole study.</p>")


_ITEMS = ("phases", "assessments", "time_points", "timepoints", "decisions", "constraints", "outcomes", "follow_up",
          "blocks", "regimens", "visits")


def _assumptions(timeline: Any, used: set[str], path: str | Path) -> str:
    """The assumptions this path rests on: those some scheduled event rests on, and the protocol's own study-wide
    ones (conventions, horizon ...). A library file's other blocks, and another arm's items, are not this page's."""
    own = Path(path).resolve()
    shown = [a for a in timeline.assumptions.values() if a.id in used or (
        Path(a.file).resolve() == own and a.field.split(".")[0] not in _ITEMS)]
    rows = "".join(f"<tr><td>{escape(a.id)}</td><td>{escape(a.rationale)}</td><td>{escape(a.file)}:{a.line or ''} "
                   f"{escape(a.field)}</td></tr>" for a in shown)
    count = (f"<p>{len(shown)} assumptions this page's path rests on, of {len(timeline.assumptions)} written in the "
             f"protocol and the library files it includes (the check's SCH302 counts them all).</p>")
    return (f'{count}<table class="plain"><tr><th>id</th><th>assumed, and why</th><th>written at</th></tr>{rows}'
            f"</table>" if rows else "<p>No assumptions.</p>")


def _forecast(path: str | Path, scenario: str | Path, patients: int, replicates: int, seed: int) -> str:
    from schedsim.simulation.run import simulate

    summary = simulate(path, patients=patients, replicates=replicates, seed=seed, scenario=scenario).summary()
    completion = summary.get("completion") or {}
    runs = patients * replicates
    found = sorted(((name, m) for name, m in summary["milestones"].items() if m.get("dates")),
                   key=lambda item: (item[1]["dates"]["p50"], item[1]["p50"]))  # in time order
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{m['dates']['p5']}</td><td>{m['dates']['p50']}</td>"
                   f"<td>{m['dates']['p95']}</td><td>{m['p50']:g}</td><td>{m['reached']} of {runs}</td></tr>"
                   for name, m in found)
    return (f"<p>{patients} patients x {replicates} replicates, seed {seed}, scenario {escape(str(scenario))}. The "
            f"simulated study opens on the scenario's start, <b>{escape(str(summary['start']))}</b>, and enrols "
            f"patients from then on (the day 1 above dates one patient's timeline; it does not move the forecast). "
            f"The last patient's last primary assessment: p50 {completion.get('p50')} (p5 {completion.get('p5')}, "
            f"p95 {completion.get('p95')}). Dates are quantiles over every simulated patient who reached the "
            f"milestone; patients who left the study before it are not counted.</p>"
            f'<table class="plain"><tr><th>milestone</th><th>date p5</th><th>date p50</th><th>date p95</th>'
            f"<th>study day p50</th><th>reached</th></tr>{rows}</table>")
