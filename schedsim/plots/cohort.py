"""Cohort plots: a swimmer plot (a lane per patient) and the clinic's visit load per week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from matplotlib.collections import PolyCollection
from matplotlib.dates import AutoDateFormatter, AutoDateLocator, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from schedsim.plots.cohort_data import LOAD_KINDS, Lane, phase_order
from schedsim.plots.style import KIND_STYLE, PHASE_COLOURS, new_figure, styled

ALERT = "#CC0000"


@styled
def swimmer_figure(lanes: Sequence[Lane], title: str = "Cohort", today: date | None = None) -> Figure:
    """One lane per patient, phases as coloured bars, procedures and assessments as markers (hollow: not done)."""
    n = len(lanes)
    height = min(2.2 + 0.22 * n, 60.0)
    figure = new_figure(13.0, height)
    ax = figure.add_axes((0.12, 1.0 / height, 0.85, (height - 1.6) / height))
    phases = phase_order(lanes)
    colours = {phase: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, (phase, _) in enumerate(phases)}
    for phase, _label in phases:  # one collection of rectangles per phase: fast for thousands of lanes
        boxes = []
        for y, lane in enumerate(lanes):
            for span in lane.spans:
                if span.phase == phase:
                    x0, x1 = date2num(span.first), date2num(span.last) + 1
                    boxes.append([(x0, y - 0.32), (x1, y - 0.32), (x1, y + 0.32), (x0, y + 0.32)])
        ax.add_collection(PolyCollection(boxes, facecolors=colours[phase], edgecolors="none", gid=f"phase:{phase}"))
    ax.autoscale_view()
    for kind in ("procedure", "assessment"):
        marker, colour = KIND_STYLE[kind][0], "#111111"  # dark on the coloured phase bars
        for done in (True, False):
            points = [(date2num(m.day) + 0.5, y) for y, lane in enumerate(lanes) for m in lane.marks
                      if m.kind == kind and m.done == done]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker=marker, ls="none", ms=4 if n > 60 else 5.5, markeredgecolor=colour,
                        markerfacecolor=colour if done else "white", markeredgewidth=0.9, zorder=3,
                        gid=f"marks:{kind}:{'done' if done else 'open'}")
    if today is not None:
        ax.axvline(date2num(today), color=ALERT, lw=1.3, zorder=4, gid="today")
    ax.set_ylim(n - 0.4, -0.6)
    if n <= 80:
        ax.set_yticks(range(n))
        ax.set_yticklabels([lane.label for lane in lanes], fontsize=7 if n > 30 else 8)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{n} patients", fontsize=8)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(AutoDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    figure.suptitle(title, x=0.01, y=0.995, ha="left", va="top", fontsize=10)
    handles = [Patch(color=colours[phase], label=label) for phase, label in phases]
    handles += [Line2D([], [], marker=KIND_STYLE[k][0], color="#111111", ls="none", label=k)
                for k in ("procedure", "assessment")]
    handles.append(Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="#555555", ls="none",
                          label="not done yet"))
    if today is not None:
        handles.append(Line2D([], [], color=ALERT, lw=1.3, label="today"))
    figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.002), ncol=min(len(handles), 8),
                  fontsize=7.5, frameon=False)
    return figure


@styled
def visit_load_figure(load: dict[date, Counter[str]], title: str = "Clinic visits per week") -> Figure:
    """Stacked bars: clinic events per week by kind."""
    figure = new_figure(13.0, 4.5)
    ax = figure.add_axes((0.06, 0.2, 0.92, 0.7))
    weeks = sorted(load)
    xs = [date2num(week) for week in weeks]
    bottom = [0] * len(weeks)
    for kind in LOAD_KINDS:
        heights = [load[week].get(kind, 0) for week in weeks]
        if not any(heights):
            continue
        ax.bar(xs, heights, width=6, bottom=bottom, align="edge", color=KIND_STYLE[kind][1], label=kind,
               gid=f"load:{kind}")
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(AutoDateFormatter(locator))
    ax.tick_params(labelsize=8)
    ax.set_ylabel("clinic events per week", fontsize=9)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    figure.suptitle(title, x=0.01, y=0.99, ha="left", va="top", fontsize=10)
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.005), ncol=4, fontsize=8, frameon=False)
    return figure
