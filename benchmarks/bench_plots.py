"""Benchmark: the seed-000 protocol Gantt to PNG end to end, and a 1,000-lane swimmer plot.

Baselines are measured in the same run: matplotlib's own cost of an empty figure saved to PNG (end to end in a
fresh interpreter for the CLI case; in-process for the swimmer case). Targets (issue 4): the Gantt under 1.5 s
end to end; the 1,000-lane swimmer plot under 10 s.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_plots.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchtools import median_seconds  # a sibling module: scripts run from benchmarks/

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
ROSTER = ROOT / "protocols" / "examples" / "roster.csv"
EMPTY_FIGURE = ("from matplotlib.figure import Figure; from matplotlib.backends.backend_agg import FigureCanvasAgg;"
                "f = Figure(figsize=(13, 11), dpi=120); FigureCanvasAgg(f); f.add_subplot(); f.savefig(r'{out}')")


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    schedsim = str(Path(sys.executable).parent / "schedsim")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        empty_cli = median_seconds(lambda: run([sys.executable, "-c", EMPTY_FIGURE.format(out=out / "e.png")]),
                                   args.runs)
        gantt_cli = median_seconds(lambda: run([schedsim, "gantt", str(SEED_000), "--start", "2027-01-04", "-o",
                                                str(out / "g.png")]), args.runs, warm_up=False)
        print(f"protocol Gantt, seed 000, PNG, end to end: {gantt_cli:.2f} s "
              f"(empty matplotlib figure saved, end to end: {empty_cli:.2f} s; ratio {gantt_cli / empty_cli:.1f}×; "
              f"target < 1.5 s: {'met' if gantt_cli < 1.5 else 'NOT met'})")

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from schedsim.calendar.roster import roster_calendars
        from schedsim.plots.cohort import swimmer_figure
        from schedsim.plots.cohort_data import lanes_from_calendars
        from schedsim.plots.style import save_figure

        calendars = roster_calendars(ROSTER, home_doses=False).calendars
        lanes = lanes_from_calendars(calendars) * 250

        def empty() -> None:
            figure = Figure(figsize=(13, 60), dpi=120)
            FigureCanvasAgg(figure)
            figure.add_subplot()
            figure.savefig(out / "e2.png")

        empty_in = median_seconds(empty, 3, warm_up=False)
        swimmer = median_seconds(lambda: save_figure(swimmer_figure(lanes), out / "s.png"), 3, warm_up=False)
        print(f"swimmer plot, {len(lanes)} lanes, PNG, in-process: {swimmer:.2f} s (empty figure of the same size "
              f"saved: {empty_in:.2f} s; ratio {swimmer / empty_in:.1f}×; target < 10 s: "
              f"{'met' if swimmer < 10 else 'NOT met'})")


if __name__ == "__main__":
    main()
