"""A simulation's output folder with its cohort plots: swimmer lanes and weekly visit load built from the record
columns, and ``write_outputs``, which writes the tables (``schedsim.simulation.outputs``) and the plots together.

matplotlib is imported only when plots are drawn: ``schedsim simulate --no-plots`` never loads it."""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from schedsim.fileio import replace_folder
from schedsim.plots.cohort_data import LOAD_KINDS, MARKED_KINDS, Lane, LaneMark, LaneSpan
from schedsim.simulation.outputs import write_tables
from schedsim.simulation.records import MISSING
from schedsim.simulation.run import SimulationResult

MAX_LANES = 200  # the swimmer plot shows the first patients of replicate 0


def lanes(result: SimulationResult, limit: int = MAX_LANES) -> list[Lane]:
    """Swimmer lanes of replicate 0's first patients: phases from first to last event, procedures and assessments."""
    if not result.replicates:
        return []
    replicate = result.replicates[0]
    timelines = result.cohort.timelines if result.cohort is not None else (result.timeline,)
    labels = {phase.id: phase.label for timeline in reversed(timelines) for phase in timeline.phases}
    spans: dict[int, dict[str, list[date]]] = {}
    marks: dict[int, list[LaneMark]] = {}
    for r in result.records(replicate.replicate, limit):
        if r.date is None:
            continue
        event = result.event(r.event_id)
        if event.phase is not None:
            spans.setdefault(r.subject, {}).setdefault(event.phase, []).append(r.date)
        if r.kind in MARKED_KINDS:
            marks.setdefault(r.subject, []).append(LaneMark(r.date, r.kind, r.event_id, True))
    found = []
    for subject in sorted(spans):
        phase_spans = tuple(LaneSpan(phase, labels[phase], min(days), max(days))
                            for phase, days in sorted(spans[subject].items(), key=lambda kv: min(kv[1])))
        found.append(Lane(f"#{subject}", result.day1_date(replicate, subject), phase_spans,
                          tuple(marks.get(subject, ())), 1.0))
    return found


def visit_load(result: SimulationResult) -> dict[date, Counter[str]]:
    """Clinic events per week of replicate 0 (keyed by Monday), by kind (from the record columns)."""
    if not result.replicates:
        return {}
    replicate = result.replicates[0]
    table = replicate.records
    events = result.events
    kinds = list(LOAD_KINDS)
    clinic = {e for params in result.all_params for e in params.visits}
    kind_of = np.array([kinds.index(e.kind) if e.kind in kinds and e.id in clinic else -1 for e in events] or [-1],
                       dtype=np.int64)
    event = np.frombuffer(table.event, dtype=np.int32)
    actual = np.frombuffer(table.actual, dtype=np.int32)
    kind = kind_of[event]
    keep = (kind >= 0) & (actual != MISSING)
    ordinal = result.start.toordinal() + np.asarray(replicate.day1, dtype=np.int64)[
        np.frombuffer(table.subject, dtype=np.int32)[keep]] + actual[keep]
    monday = ordinal - (ordinal % 7 + 6) % 7  # proleptic ordinal 1 (1 Jan 1) is a Monday
    pairs, counts = np.unique(np.stack([monday, kind[keep]]), axis=1, return_counts=True)
    load: dict[date, Counter[str]] = {}
    for (week, k), n in zip(pairs.T.tolist(), counts.tolist(), strict=True):
        load.setdefault(date.fromordinal(week), Counter())[kinds[k]] += n
    if not load:
        return load
    weeks = sorted(load)
    every = [weeks[0] + timedelta(weeks=i) for i in range((weeks[-1] - weeks[0]).days // 7 + 1)]
    return {week: load.get(week, Counter()) for week in every}


#: What a simulation run writes: an output folder holding only these may be replaced by a new run.
RUN_FILES = ("events.csv", "events.parquet", "summary.json", "subjects.csv", "swimmer.png", "visit-load.png")


def write_outputs(result: SimulationResult, folder: str | Path, plots: bool = True, events: str = "csv",
                  bom: bool = False) -> list[Path]:
    """``events.csv`` (``events="parquet"``: ``events.parquet``), ``summary.json`` (``subjects.csv`` for a study
    with arms or decisions) and (unless ``plots`` is False) ``swimmer.png`` and ``visit-load.png``, written as one
    run: into a temporary folder put in place whole (``schedsim.fileio.replace_folder``), so ``folder`` never
    mixes two runs' files and a killed run leaves the previous one as it was."""
    final = Path(folder)

    def write(staging: Path) -> list[str]:
        names = [path.name for path in write_tables(result, staging, events, bom)]
        if plots:
            from schedsim.plots.cohort import swimmer_figure, visit_load_figure
            from schedsim.plots.style import save_figure

            name = textwrap.shorten(result.timeline.title, 70, placeholder="…")
            title = f"{name}: simulated cohort (replicate 0, seed {result.seed})"
            save_figure(swimmer_figure(lanes(result), title=title), staging / "swimmer.png")
            save_figure(visit_load_figure(visit_load(result), title="Simulated clinic visits per week (replicate 0)"),
                        staging / "visit-load.png")
            names += ["swimmer.png", "visit-load.png"]
        return names

    return [final / name for name in replace_folder(final, write, RUN_FILES)]
