"""A sweep's output folder: its tables (``schedsim.simulation.sweep_outputs``) and ``sweep.png``, the completion and
milestone forecasts (median and p5–p95) against each swept parameter, written together as one run.

matplotlib is imported only when the plot is drawn."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from schedsim.fileio import replace_folder
from schedsim.simulation.sweep import SweepResult
from schedsim.simulation.sweep_outputs import (
    PARTITIONS,
    SUMMARY_FILES,
    milestone_rows,
    summary_rows,
    write_sweep_tables,
)

SWEEP_FILES = (*SUMMARY_FILES, *PARTITIONS, "sweep.png")
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")  # Okabe-Ito


def value_label(value: Any) -> str:
    """A grid value as a plot shows it: a distribution's JSON as ``lognormal(median 20d, p95 30d)``, wrapped."""
    if isinstance(value, str) and value[:1] in "{[":
        def compact(data: Any) -> str:
            if isinstance(data, dict):
                return ", ".join(f"{k}({compact(v)})" if isinstance(v, dict) else f"{k} {compact(v)}"
                                 for k, v in data.items())
            if isinstance(data, list):
                return "[" + ", ".join(compact(v) for v in data) + "]"
            return str(data)

        value = compact(json.loads(value))
    return "\n".join(textwrap.wrap(str(value), 28)) or str(value)


def sweep_figure(result: SweepResult, title: str = "") -> Any:
    """A grid of panels: a column per swept parameter, a row per forecast — completion (days from the scenario
    start) and each block's day 0 (CAR-T infusion, transplant: study days), at most four. Each grid point is a dot at
    its median with a p5–p95 bar, against that parameter's value."""
    import matplotlib.pyplot as plt

    summary = summary_rows(result)
    milestones = milestone_rows(result)
    references = list(dict.fromkeys(phase.reference for simulation in result.results[:1]
                                    for phase in simulation.timeline.phases if phase.reference))[:4]
    rows: list[tuple[str, list[tuple[Any, Any, Any]]]] = [("completion (days from\nthe scenario start)", [
        tuple(row[summary.columns.index(f"completion_days_{q}")] for q in ("p5", "p50", "p95"))
        for row in summary.rows])]
    for reference in references:
        found = {row[0]: row for row in milestones.rows if row[milestones.columns.index("milestone")] == reference}
        rows.append((f"{reference} (study day)", [
            tuple(found[point][milestones.columns.index(f"study_day_{q}")] if point in found else None
                  for q in ("p5", "p50", "p95")) for point in range(len(result.grid.points))]))
    names = result.grid.names
    figure, axes = plt.subplots(len(rows), len(names), figsize=(4.2 * len(names) + 1, 2.6 * len(rows) + 1.2),
                                squeeze=False)
    shown = [result.grid.shown(point) for point in range(len(result.grid.points))]
    for c, name in enumerate(names):
        values = [point[c] for point in shown]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        distinct = sorted(set(values)) if numeric else list(dict.fromkeys(values))
        position = {v: (v if numeric else k) for k, v in enumerate(distinct)}
        steps = [b - a for a, b in zip(distinct, distinct[1:], strict=False)] if numeric else [1]
        # the grid points that share this parameter's value differ in the others: a colour (and a nudge) each
        others = [tuple(v for k, v in enumerate(point) if k != c) for point in shown]
        groups = list(dict.fromkeys(others))
        nudge = 0.6 * (min(steps) if steps else 1) / max(len(groups), 1)
        for r, (label, quantiles) in enumerate(rows):
            axis = axes[r][c]
            for g, group in enumerate(groups):
                dots = [(position[values[k]] + (g - (len(groups) - 1) / 2) * nudge, q)
                        for k, q in enumerate(quantiles) if others[k] == group and q[1] is not None]
                if not dots:
                    continue
                legend = ", ".join(value_label(v) for v in group)
                axis.errorbar([x for x, _ in dots], [q[1] for _, q in dots],
                              yerr=[[q[1] - q[0] for _, q in dots], [q[2] - q[1] for _, q in dots]], fmt="o",
                              capsize=3, color=PALETTE[g % len(PALETTE)], label=legend or None)
            axis.set_xticks([position[v] for v in distinct],
                            [value_label(v) if r == len(rows) - 1 else "" for v in distinct],
                            fontsize=7 if any(len(str(v)) > 8 for v in distinct) else None)
            if r == len(rows) - 1:
                axis.set_xlabel(name)
            if c == 0:
                axis.set_ylabel(f"{label}\np50, p5–p95", fontsize=8)
            if r == 0 and 1 < len(groups) <= 8:
                axis.legend(fontsize=7, title=", ".join(n for k, n in enumerate(names) if k != c), title_fontsize=7,
                            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(groups), 4),
                            frameon=False)  # above the column: never over a point
            axis.grid(alpha=0.3)
    width = int(figure.get_figwidth() * 11)  # characters that fit across the figure at this size
    figure.suptitle("\n".join(textwrap.wrap(title or "Forecasts against the swept parameters", width)), fontsize=11)
    figure.tight_layout()
    return figure


def write_sweep(result: SweepResult, folder: str | Path, plots: bool = True) -> list[Path]:
    """The sweep's tables and (unless ``plots`` is False) ``sweep.png``, into ``folder`` as one run."""
    final = Path(folder)

    def write(staging: Path) -> list[str]:
        names = write_sweep_tables(result, staging)
        if plots:
            from schedsim.plots.style import save_figure

            first = result.results[0]
            title = (f"{first.timeline.protocol_id}: forecasts by grid point ({first.patients} patients x "
                     f"{len(first.replicates)} replicates, seed {result.seed})")
            save_figure(sweep_figure(result, title), staging / "sweep.png")
            names.append("sweep.png")
        return names

    return [final / name for name in replace_folder(final, write, SWEEP_FILES)]
