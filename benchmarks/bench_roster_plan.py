"""Benchmark: the plan of 10,000 patients at once (numpy, ``schedsim.calendar.vectorised``) against looping the
engine one patient at a time (``build_schedule``), measured in the same run (issue 20).

Target: at least 20x faster per patient. The engine's time is measured on its first 300 patients and scaled to
10,000 (it is linear); tests/test_vectorised.py shows the dates are the same.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_roster_plan.py``.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

from schedsim.calendar.vectorised import plan_dates
from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import build_schedule

ROOT = Path(__file__).resolve().parent.parent
PATIENTS = 10_000
SAMPLE = 300


def main() -> None:
    timeline = compile_file(ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml")
    starts = [date(2027, 1, 1) + timedelta(days=i % 730) for i in range(PATIENTS)]
    began = time.perf_counter()
    plan_dates(timeline, starts)
    vector = time.perf_counter() - began
    began = time.perf_counter()
    for start in starts[:SAMPLE]:
        build_schedule(timeline, start)
    engine = (time.perf_counter() - began) / SAMPLE * PATIENTS
    ratio = engine / vector
    print(f"roster plan: {PATIENTS:,} patients x {len(timeline.events)} events")
    print(f"  numpy {vector:.2f} s; the engine, one patient at a time, {engine:.1f} s (from {SAMPLE} patients)")
    print(f"  ratio {ratio:.0f}x (target >= 20x: {'met' if ratio >= 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
