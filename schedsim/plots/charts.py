"""Plotting entry points: protocol Gantt, patient Gantt, cohort swimmer plot and visit load, each to a file.

The figures draw engine and calendar records only (through ``gantt_data`` and ``cohort_data``); they compute no
schedule. Each function also returns the figure, for notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schedsim.engine.dates import parse_date, time_of_study_day
from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from schedsim.calendar.clinic import ClinicDays
    from schedsim.plots.cohort_data import SortKey

# each function imports what it draws with: one plot does not pay for the others' imports


def zoom_range(first: str | None, last: str | None, start: date | None, day_zero: bool = False
               ) -> tuple[int, int] | None:
    """``--from``/``--to`` as days from study day 1: each a study day (``63``) or, with a start date, a date."""
    if first is None and last is None:
        return None
    bounds = []
    for option, text, default in (("--from", first, -10**6), ("--to", last, 10**6)):
        if text is None:
            bounds.append(default)
            continue
        try:
            if text.lstrip("-").isdigit():
                bounds.append(time_of_study_day(int(text), day_zero))
            elif start is None:
                raise ValueError(f"{text!r}: a date needs --start (or give a study day, e.g. 63)")
            else:
                bounds.append((parse_date(text) - start).days)
        except ValueError as error:
            raise InputError(Problem(option, None, "", str(error))) from None
    if bounds[1] < bounds[0]:
        raise InputError(Problem("--to", None, "", "the range ends before it starts"))
    return bounds[0], bounds[1]


def _zoom_text(value: str | int | date | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else None if value is None else str(value)


def protocol_gantt(protocol: str | Path, start: date | str | None = None, output: str | Path | None = None, *,
                   first: str | int | None = None, last: str | int | None = None, arm: str | None = None,
                   branches: Mapping[str, str] | None = None, side_by_side: bool = False) -> Figure:
    """The protocol's Gantt chart (study days, or dates with ``start``: a date or "YYYY-MM-DD"), saved to ``output``
    (.png, .svg or .pdf) when given, optionally zoomed to ``first..last`` (study days or dates), on the path of
    ``arm`` and ``branches``; ``side_by_side`` draws every path (each arm, each branch; only those of
    ``arm``/``branches`` when given) in panels on one time axis. Same argument order as ``patient_gantt``."""
    start = as_date(start, "start")
    first, last = _zoom_text(first), _zoom_text(last)
    from schedsim.compile.compiler import compile_protocol
    from schedsim.compile.paths import all_paths, choose_path
    from schedsim.engine.schedule import build_schedule
    from schedsim.language.loader import load_protocol
    from schedsim.plots.gantt import gantt_figure, panels_figure
    from schedsim.plots.gantt_data import protocol_gantt_data
    from schedsim.plots.style import save_figure

    loaded = load_protocol(protocol)
    if side_by_side:
        panels = [protocol_gantt_data(build_schedule(compile_protocol(loaded, path), start))
                  for path in all_paths(loaded, arm, branches)]
        title = f"{loaded.protocol.title} ({loaded.protocol.id})"
        figure = panels_figure(panels, title, zoom_range(first, last, start, panels[0].day_zero))
    else:
        data = protocol_gantt_data(build_schedule(compile_protocol(loaded, choose_path(loaded, arm, branches)),
                                                  start))
        figure = gantt_figure(data, zoom_range(first, last, start, data.day_zero))
    if output is not None:
        save_figure(figure, output)
    return figure


def patient_gantt(protocol: str | Path, start: date | str, output: str | Path | None = None, *,
                  first: str | int | None = None, last: str | int | None = None, **calendar: Any) -> Figure:
    """A patient's Gantt chart: actual versus planned, closed days shaded, a today line, out-of-window visits;
    ``calendar`` takes ``calendar_for``'s options (actuals, clinic, today, arm, branches, patient_id)."""
    start = as_date(start, "start")
    first, last = _zoom_text(first), _zoom_text(last)
    from schedsim.calendar.patient import calendar_for
    from schedsim.plots.gantt import gantt_figure
    from schedsim.plots.gantt_data import patient_gantt_data
    from schedsim.plots.style import save_figure

    data = patient_gantt_data(calendar_for(protocol, start, **calendar))
    figure = gantt_figure(data, zoom_range(first, last, start, data.day_zero))
    if output is not None:
        save_figure(figure, output)
    return figure


def roster_swimmer(roster: str | Path, output: str | Path | None = None, *, clinic: ClinicDays | None = None,
                   today: date | str | None = None, sort: SortKey = "start") -> Figure:
    """Swimmer plot of a roster's patients (ordered by start date or by progress)."""
    today = as_date(today, "today")
    from schedsim.calendar.roster import roster_calendars
    from schedsim.plots.cohort import swimmer_figure
    from schedsim.plots.cohort_data import lanes_from_calendars
    from schedsim.plots.style import save_figure

    result = roster_calendars(roster, clinic=clinic, today=today, home_doses=False)
    lanes = lanes_from_calendars(result.calendars, sort)
    figure = swimmer_figure(lanes, f"{Path(roster).name}: {len(lanes)} patients", today)
    if output is not None:
        save_figure(figure, output)
    return figure


def roster_visit_load(roster: str | Path, output: str | Path | None = None, *, clinic: ClinicDays | None = None,
                      today: date | str | None = None) -> Figure:
    """Clinic events per week across a roster, stacked by kind."""
    today = as_date(today, "today")
    from schedsim.calendar.roster import roster_calendars
    from schedsim.plots.cohort import visit_load_figure
    from schedsim.plots.cohort_data import weekly_visit_load
    from schedsim.plots.style import save_figure

    result = roster_calendars(roster, clinic=clinic, today=today, home_doses=False)
    figure = visit_load_figure(weekly_visit_load(result.calendars),
                               f"{Path(roster).name}: clinic events per week ({len(result.calendars)} patients)")
    if output is not None:
        save_figure(figure, output)
    return figure

