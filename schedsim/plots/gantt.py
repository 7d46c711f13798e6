"""Gantt charts of a protocol (its plan) and of a patient (planned versus actual), drawn from ``GanttData``.

Rows top to bottom: each phase (cycles as labelled segments), its agents' dosing days or its procedure steps,
then the assessments with window whiskers. Milestone lines mark each block's day 0 and each treatment start.
Hatched bars and hollow markers rest on an assumed value.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from datetime import timedelta

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation

from schedsim.plots.gantt_data import GanttData, GanttRow
from schedsim.plots.style import KIND_STYLE, PHASE_COLOURS, new_figure, place_labels, styled, text_fits, time_ticks

GHOST_ALPHA = 0.25
ALERT = "#CC0000"


@styled
def gantt_figure(data: GanttData, zoom: tuple[int, int] | None = None) -> Figure:
    """The chart; ``zoom`` = (first, last) day as ``t`` (days from study day 1) to show only that range (an
    open-ended zoom stops where the chart's content does)."""
    return _figure([data], data.title, zoom)


@styled
def panels_figure(panels: Sequence[GanttData], title: str, zoom: tuple[int, int] | None = None) -> Figure:
    """Several Gantt charts on one time axis, one panel under the other: the arms of a study (or the branches of a
    decision) side by side, each panel headed by its ``heading``; a phase keeps its colour in every panel."""
    return _figure(panels, title, zoom)


def _figure(panels: Sequence[GanttData], title_text: str, zoom: tuple[int, int] | None) -> Figure:
    extents = [panel.extent() for panel in panels]
    t_min, t_max = min(e[0] for e in extents), max(e[1] for e in extents)
    t0, t1 = (max(zoom[0], t_min), min(zoom[1], t_max)) if zoom is not None else (t_min, t_max)
    shown = [tuple(row for row in panel.rows if zoom is None or _shows(row, t0, t1)) for panel in panels]
    title = textwrap.wrap(title_text, 150)
    extra = 0.17 * (len(title) - 1)  # a long title wraps, and the chart makes room for its lines
    several = len(panels) > 1
    gap = 1.5 if several else 0.0  # room between panels for the next panel's heading and milestone labels
    heights = [0.27 * len(rows) + 0.35 for rows in shown]
    height = 2.25 + extra + sum(heights) + gap * (len(panels) - 1) + (0.25 if several else 0)
    figure = new_figure(13.0, height)
    colours = _phase_colours(tuple(row for panel in panels for row in panel.rows))  # the same in every panel
    labels: list[Annotation] = []
    top = height - 1.1 - extra - (0.25 if several else 0)
    pad = (t1 - t0) * 0.006  # a marker on the chart's first or last day is drawn whole, not cut by the frame
    left, right = t0 - 0.5 - (pad if t0 == t_min else 0), t1 + 1.5 + (pad if t1 == t_max else 0)
    for panel, rows, panel_height in zip(panels, shown, heights, strict=True):
        ax = figure.add_axes((0.2, (top - panel_height) / height, 0.77, panel_height / height))
        ax.set_xlim(left, right)
        _panel(figure, ax, panel, rows, t0, t1, colours, labels)
        if several:  # the heading above the milestone labels, at the top of the room left above the panel
            figure.text(0.01, (top + gap - 0.62) / height, panel.heading, ha="left", va="bottom", fontsize=9,
                        fontweight="bold", gid="panel")
        top -= panel_height + gap
    figure.suptitle("\n".join(title), x=0.01, y=0.995, ha="left", va="top", fontsize=10)
    _legend(figure, panels[0])
    place_labels(figure, labels)  # milestone labels above the chart, lifted level by level away from each other
    return figure


def _panel(figure: Figure, ax, data: GanttData, rows: tuple[GanttRow, ...], t0: int, t1: int,  # noqa: ANN001
           colours: dict[str, str], labels: list[Annotation]) -> None:
    ax.set_autoscale_on(False)  # the range is the figure's: markers and whiskers outside it must not widen it
    ax.set_ylim(len(rows) - 0.4, -0.6)
    if data.patient is not None:
        _closed_days(ax, data, t0, t1, len(rows))
    for y, row in enumerate(rows):
        colour = colours.get(row.key.split(".")[0], "#999999")
        if row.kind == "phase" or row.kind == "agent":
            ax.axhspan(y - 0.5, y + 0.5, color=colour, alpha=0.07, lw=0)
        _spans(figure, ax, row, y, colour, t0, t1)
        _marks(ax, row, y, colour, patient=data.patient is not None)
    ax.set_yticks([])  # row labels as plain texts: much cheaper than tick objects, same look
    for y, row in enumerate(rows):
        ax.text(-0.008, y, _row_label(row), transform=ax.get_yaxis_transform(), ha="right", va="center",
                fontsize=8, fontweight="bold" if row.kind == "phase" else "normal", gid="row")
    time_ticks(ax, t0, t1, data.start, data.day_zero)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    for band in data.bands:
        if band.t0 <= t1 and band.t1 >= t0:
            ax.axvspan(max(band.t0, t0 - 0.5) + 0.5, min(band.t1, t1 + 1) + 0.5, color=ALERT, alpha=0.06, lw=0,
                       zorder=0, gid="band")
            labels.append(ax.annotate(band.label, xy=((max(band.t0, t0) + min(band.t1, t1)) / 2 + 0.5, 1),
                                      xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                                      ha="center", va="bottom", fontsize=7.5, color=ALERT, annotation_clip=False,
                                      gid="milestone"))
    for milestone in data.milestones:
        if t0 <= milestone.t <= t1:
            x = milestone.t + 0.5
            ax.axvline(x, color="#444444", lw=0.9, ls="--" if milestone.kind == "line" else ":", zorder=1)
            edge = "right" if x > t1 - (t1 - t0) * 0.08 else "center"  # at the right edge (the horizon): inside
            text = ("◆ " if milestone.kind == "decision" else "") + milestone.label
            labels.append(ax.annotate(text, xy=(x, 1), xycoords=("data", "axes fraction"),
                                      xytext=(0, 3), textcoords="offset points", ha=edge, va="bottom",
                                      fontsize=7.5, color="#222222", annotation_clip=False, gid="milestone"))
    if data.today is not None and data.start is not None:
        today_t = (data.today - data.start).days
        if t0 <= today_t <= t1:
            ax.axvline(today_t + 0.5, color=ALERT, lw=1.4, zorder=4, gid="today")


def _shows(row: GanttRow, t0: int, t1: int) -> bool:
    return any(span.t0 <= t1 and span.t1 >= t0 for span in row.spans) or any(
        t0 <= mark.t <= t1 or (mark.planned_t is not None and t0 <= mark.planned_t <= t1) for mark in row.marks)


def _phase_colours(rows: tuple[GanttRow, ...]) -> dict[str, str]:
    phases = [row.key for row in rows if row.kind == "phase"]
    return {key: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, key in enumerate(phases)}


def _row_label(row: GanttRow) -> str:
    label = row.label if len(row.label) <= 34 else row.label[:33] + "…"  # * : a value drawn on the row is assumed
    prefix = "" if row.kind in ("phase", "assessment") else "   "
    return prefix + label + (" *" if row.assumed else "")


def _spans(figure: Figure, ax, row: GanttRow, y: float, colour: str, t0: int, t1: int) -> None:  # noqa: ANN001
    height = 0.62 if row.kind == "phase" else 0.36
    for span in row.spans:
        ax.broken_barh([(span.t0, span.t1 - span.t0 + 1)], (y - height / 2, height), facecolors=colour,
                       edgecolor="white", linewidth=0.8, hatch="////" if span.assumed else None, alpha=0.9,
                       gid=f"span:{row.key}", zorder=2)
        left = max(span.t0, t0) + (2 if span.t0 >= t0 else 0)  # room for a day-1 visit marker
        right = min(span.t1, t1) + 1
        if span.label and right - left > 0 and text_fits(figure, ax, span.label, right - left, 7):
            middle = (left + right) / 2
            ax.text(middle, y, span.label, ha="center", va="center", fontsize=7, color="#111111", zorder=3,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7}, gid="cycle")


def _marks(ax, row: GanttRow, y: float, colour: str, patient: bool) -> None:  # noqa: ANN001
    """All of a row's marks in a few artists (one per style): fast, and each artist's data is its marks' x."""
    groups: dict[tuple[str, str, bool, str], list[float]] = {}
    ghosts: dict[tuple[str, str], list[float]] = {}
    spans: list[tuple[float, float, str, bool]] = []
    alerts: list[float] = []
    for mark in row.marks:
        marker, kind_colour = KIND_STYLE.get(mark.kind, ("o", "#333333"))
        face = kind_colour if row.kind != "agent" else colour
        x = mark.t + 0.5
        if mark.early is not None and mark.late is not None and (mark.early or mark.late):
            spans.append((x - mark.early, x + mark.late, kind_colour, mark.window_assumed))
        if patient and mark.planned_t is not None:
            ghosts.setdefault((marker, face), []).append(mark.planned_t + 0.5)
        if patient and mark.status in ("missed", "skipped"):
            groups.setdefault(("x", "#777777", True, "missed"), []).append(x)
            continue
        state = "done" if not patient or mark.status == "done" else "open"
        groups.setdefault((marker, face, not mark.assumed or patient, state), []).append(x)
        if patient and mark.out_of_window:
            alerts.append(x)
    by_colour: dict[tuple[str, bool], list[float]] = {}
    for x0, x1, kind_colour, assumed in spans:  # one line per colour and style, windows separated by gaps (NaN)
        by_colour.setdefault((kind_colour, assumed), []).extend((x0, x1, math.nan))
    for (kind_colour, assumed), xs in by_colour.items():  # an assumed window: dotted
        ax.plot(xs, [y] * len(xs), color=kind_colour, lw=1, alpha=0.8, zorder=3, marker="|", ms=5,
                ls=(0, (1, 1)) if assumed else "-", gid=f"window:{row.key}")
    for (marker, face), xs in ghosts.items():
        ax.plot(xs, [y] * len(xs), marker=marker, ms=6, color=face, alpha=GHOST_ALPHA, ls="none", zorder=3,
                gid=f"planned:{row.key}")
    for (marker, face, filled, state), xs in groups.items():
        ax.plot(xs, [y] * len(xs), marker=marker, ms=5.5 if row.kind != "agent" else 5, ls="none", zorder=4,
                markerfacecolor=face if filled else "white", markeredgecolor=face, markeredgewidth=1.1,
                alpha=0.7 if state == "open" else 1.0, gid=f"marks:{row.key}")
    for mark in row.marks:
        if mark.label:
            ax.text(mark.t + 0.5, y - 0.22, mark.label, ha="center", va="bottom", fontsize=5.5, color="#333333",
                    zorder=5, gid="point")
    if alerts:
        ax.plot(alerts, [y] * len(alerts), marker="o", ms=11, ls="none", markerfacecolor="none",
                markeredgecolor=ALERT, markeredgewidth=1.4, zorder=5, gid=f"alert:{row.key}")


def _closed_days(ax, data: GanttData, t0: int, t1: int, n_rows: int) -> None:  # noqa: ANN001
    assert data.patient is not None and data.start is not None
    clinic = data.patient.clinic
    closed = [(t, 1) for t in range(t0, t1 + 1) if clinic.closed_reason(data.start + timedelta(days=t))]
    if closed:
        ax.broken_barh(closed, (-0.6, n_rows + 0.2), facecolors="#000000", alpha=0.05, lw=0, zorder=0,
                       gid="closed")


def _legend(figure: Figure, data: GanttData) -> None:
    handles = [Line2D([], [], marker=marker, color=colour, ls="none", label=kind)
               for kind, (marker, colour) in KIND_STYLE.items()]
    handles.append(Line2D([], [], color="#555555", marker="|", ls="-", label="window"))
    handles.append(Line2D([], [], color="#555555", marker="|", ls=(0, (1, 1)), label="assumed window"))
    handles.append(Line2D([], [], color="#444444", ls="--", label="milestone (day 0, start)"))
    if any(m.kind == "decision" for m in data.milestones):
        handles.append(Line2D([], [], color="#444444", ls=":", label="◆ decision (branch shown)"))
    handles.append(Patch(facecolor="#bbbbbb", hatch="////", edgecolor="white",
                         label="assumed value (hatched bar, hollow marker, * row)"))
    if data.patient is not None:
        handles += [Line2D([], [], marker="o", color="#0072B2", alpha=GHOST_ALPHA, ls="none", label="planned"),
                    Line2D([], [], marker="o", ms=9, markerfacecolor="none", markeredgecolor=ALERT, ls="none",
                           label="out of window"),
                    Line2D([], [], marker="x", color="#777777", ls="none", label="missed / skipped"),
                    Patch(facecolor="#000000", alpha=0.08, label="clinic closed"),
                    Line2D([], [], color=ALERT, lw=1.4, label="today")]
    figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.005), ncol=min(len(handles), 9),
                  fontsize=7.5, frameon=False)
