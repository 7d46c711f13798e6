"""Benchmark: load + compile + timeline of the seed-000 protocol, against a minimal simpy model.

The baseline is measured in the same run: a bare simpy process that fires as many timeouts as the protocol has
events and records one tuple per event. Targets (issue 2): ≤ 3× that baseline and ≤ 20 ms in-process; the CLI
``schedsim timeline`` end to end under 0.5 s wall time without importing matplotlib.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_timeline.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import simpy
from benchtools import median_seconds  # a sibling module: scripts run from benchmarks/

from schedsim.compile.compiler import compile_protocol
from schedsim.engine.schedule import build_schedule
from schedsim.language.loader import load_protocol

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
START = date(2027, 1, 4)


def minimal_simpy(events: int) -> list[tuple[int, int]]:
    env = simpy.Environment()
    records: list[tuple[int, int]] = []

    def subject() -> simpy.events.ProcessGenerator:
        for index in range(events):
            yield env.timeout(1)
            records.append((index, int(env.now)))

    env.process(subject())
    env.run()
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    stages: dict[str, Callable[[], object]] = {}
    loaded = load_protocol(SEED_000)
    timeline = compile_protocol(loaded)
    events = len(timeline.events)
    stages["load (YAML + models + includes)"] = lambda: load_protocol(SEED_000)
    stages["compile (timeline IR)"] = lambda: compile_protocol(loaded)
    stages["schedule (simpy engine + dates)"] = lambda: build_schedule(timeline, START)
    total = median_seconds(lambda: build_schedule(compile_protocol(load_protocol(SEED_000)), START), args.runs)
    baseline = median_seconds(lambda: minimal_simpy(events), args.runs)

    print(f"seed 000: {events} events, median of {args.runs} runs")
    for name, action in stages.items():
        print(f"  {name:<34} {median_seconds(action, args.runs) * 1000:7.2f} ms")
    ratio = total / baseline
    print(f"  {'load + compile + timeline':<34} {total * 1000:7.2f} ms")
    print(f"  {'baseline: minimal simpy model':<34} {baseline * 1000:7.2f} ms  ({events} timeouts)")
    print(f"ratio to baseline: {ratio:.1f}x  (target ≤ 3x: {'met' if ratio <= 3 else 'NOT met'}); "
          f"absolute {total * 1000:.1f} ms (target ≤ 20 ms: {'met' if total <= 0.020 else 'NOT met'})")

    command = [str(Path(sys.executable).parent / "schedsim"), "timeline", str(SEED_000), "--format", "json",
               "--start", START.isoformat()]
    probe = [sys.executable, "-c", "import sys; from schedsim.cli import main; sys.argv=['schedsim', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(str(any(m.startswith('matplotlib') for m in sys.modules)))", *command[1:]]
    walls = []
    for _ in range(7):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - began)
    imported = subprocess.run(probe, check=True, capture_output=True, text=True).stderr.strip()
    interpreter = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    wall = statistics.median(walls)
    print(f"CLI 'schedsim timeline --format json' end to end: {wall * 1000:.0f} ms wall "
          f"(bare interpreter start {interpreter * 1000:.0f} ms; target < 500 ms: {'met' if wall < 0.5 else 'NOT met'})"
          f"; matplotlib imported: {imported}")


if __name__ == "__main__":
    main()
