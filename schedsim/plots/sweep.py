"""A sweep's output folder: its tables (``schedsim.simulation.sweep_outputs``) and ``sweep.png``, the completion
forecast (median and p5–p95) against each swept parameter, written together as one run.

matplotlib is imported only when the plot is drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schedsim.fileio import replace_folder
from schedsim.simulation.sweep import SweepResult
from schedsim.simulation.sweep_outputs import SUMMARY_FILES, summary_rows, write_sweep_tables

SWEEP_FILES = (*SUMMARY_FILES, "events", "sweep.png")


def sweep_figure(result: SweepResult, title: str = "") -> Any:
    """One panel per swept parameter: each grid point's completion (days from the scenario start), the median as a
    dot and p5–p95 as a bar, against that parameter's value."""
    import matplotlib.pyplot as plt

    summary = summary_rows(result)
    index = {name: i for i, name in enumerate(summary.columns)}
    names = result.grid.names
    figure, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names) + 1, 3.8), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        values = [row[index[name]] for row in summary.rows]
        numeric = all(isinstance(v, int | float) for v in values)
        xs = values if numeric else list(range(len(values)))
        mid = [row[index["completion_days_p50"]] for row in summary.rows]
        low = [m - row[index["completion_days_p5"]] if m is not None else 0 for m, row in zip(mid, summary.rows,
                                                                                               strict=True)]
        high = [row[index["completion_days_p95"]] - m if m is not None else 0 for m, row in zip(mid, summary.rows,
                                                                                                 strict=True)]
        axis.errorbar(xs, mid, yerr=[low, high], fmt="o", capsize=3, color="#0072B2", ecolor="#56B4E9")
        axis.set_xlabel(name)
        axis.set_ylabel("days to completion (p50, p5–p95)")
        if not numeric:
            axis.set_xticks(xs, [str(v) for v in values], rotation=30)
        axis.grid(alpha=0.3)
    figure.suptitle(title or "Completion against the swept parameters", fontsize=11)
    figure.tight_layout()
    return figure


def write_sweep(result: SweepResult, folder: str | Path, plots: bool = True) -> list[Path]:
    """The sweep's tables and (unless ``plots`` is False) ``sweep.png``, into ``folder`` as one run."""
    final = Path(folder)

    def write(staging: Path) -> list[str]:
        names = write_sweep_tables(result, staging)
        if plots:
            from schedsim.plots.style import save_figure

            save_figure(sweep_figure(result, f"{result.results[0].timeline.protocol_id}: completion by grid point "
                                             f"(seed {result.seed})"), staging / "sweep.png")
            names.append("sweep.png")
        return names

    return [final / name for name in replace_folder(final, write, SWEEP_FILES)]
