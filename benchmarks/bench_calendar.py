"""Benchmark: calendars with constraint-aware clinic-day moves, against the calendar as it was (issue 14).

Target: a seed-000 patient calendar and a 1,000-patient roster calendar at most 2x the time of the previous calendar,
measured in the same run, interleaved. The previous calendar is rebuilt here as it worked: the engine's records,
then each clinic event moved on its own to the nearest open day of its declared window (``move_to_open_day``),
rows built alike. The Wednesday start is the hard case (every bortezomib day 4 and day 11 on a Saturday).

Then, unless ``--no-property``, the property test "the calendar passes its own check" runs with many more examples
than ``make test`` gives it (``SCHEDSIM_EXAMPLES``).

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_calendar.py [--runs N] [--patients N] [--examples N]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from schedsim.calendar.clinic import ClinicDays, move_to_open_day
from schedsim.calendar.patient import build_calendar
from schedsim.calendar.roster import roster_calendars
from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Timeline
from schedsim.engine.dates import calendar_advance, date_of, study_day
from schedsim.engine.subject import run_deterministic

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"


def previous_calendar(timeline: Timeline, start: date, clinic: ClinicDays) -> list[tuple[object, ...]]:
    """The calendar before constraint-aware moves: every clinic event moved alone inside its declared window."""
    clinic = clinic.for_protocol(timeline.clinic.open_weekdays)
    rows = []
    for record in run_deterministic(timeline, calendar_advance(start)):
        event = timeline.event(record.event_id)
        if record.status != "done" or event.kind == "milestone" or event.setting == "home":
            continue
        target = date_of(start, record.target)
        window = event.window
        earliest = None if window is None else target - timedelta(days=window.early)
        latest = None if window is None else target + timedelta(days=window.late)
        moved = (target, "", False)
        if event.setting in (None, "clinic") and event.kind in timeline.clinic.move:
            moved = move_to_open_day(target, None if window is None else window.early,
                                     None if window is None else window.late, clinic, timeline.clinic.prefer)
        rows.append((event.id, event.label, target, *moved, earliest, latest, timeline.assumptions_of(event.id),
                     study_day(record.target, timeline.conventions.study_day_zero)))
    return rows


def interleaved(first: object, second: object, runs: int) -> tuple[float, float]:
    """Median seconds of two callables, each run alternately ``runs`` times after one warm-up call."""
    calls = (first, second)
    for call in calls:
        call()  # type: ignore[operator]
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for call, found in zip(calls, samples, strict=True):
            began = time.perf_counter()
            call()  # type: ignore[operator]
            found.append(time.perf_counter() - began)
    return tuple(sorted(s)[len(s) // 2] for s in samples)  # type: ignore[return-value]


def roster_file(folder: Path, patients: int) -> Path:
    """A roster of ``patients`` on the bundled protocols, starts spread over two years (every weekday)."""
    protocols = sorted((ROOT / "protocols").glob("*.yaml"))
    lines = ["patient_id,protocol,start,country"]
    for k in range(patients):
        start = date(2026, 1, 5) + timedelta(days=(k * 7919) % 730)
        lines.append(f"P{k:04d},{protocols[k % len(protocols)]},{start},{('CN', 'US', 'DE', '')[k % 4]}")
    path = folder / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def previous_roster(path: Path) -> int:
    timelines: dict[str, Timeline] = {}
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        _, protocol, start, country = line.split(",")
        timeline = timelines.get(protocol) or timelines.setdefault(protocol, compile_file(protocol))
        count += len(previous_calendar(timeline, date.fromisoformat(start), ClinicDays(country=country or None)))
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--no-property", action="store_true")
    args = parser.parse_args()
    timeline = compile_file(SEED_000)
    worst = 0.0
    for name, start in (("Monday start", date(2027, 1, 4)), ("Wednesday start", date(2027, 1, 6))):
        clinic = ClinicDays(country="CN")
        new, old = interleaved(lambda s=start, c=clinic: build_calendar(timeline, s, clinic=c),
                               lambda s=start, c=clinic: previous_calendar(timeline, s, c), args.runs)
        worst = max(worst, new / old)
        print(f"seed 000 calendar, {name}, CN holidays: {new * 1000:.1f} ms, previous calendar {old * 1000:.1f} ms "
              f"(ratio {new / old:.2f}x; target <= 2x: {'met' if new / old <= 2 else 'NOT met'})")
    with tempfile.TemporaryDirectory() as folder:
        path = roster_file(Path(folder), args.patients)
        new, old = interleaved(lambda: roster_calendars(path), lambda: previous_roster(path), 3)
        worst = max(worst, new / old)
        print(f"roster of {args.patients} patients (5 protocols, CN/US/DE holidays): {new:.1f} s, previous calendar "
              f"{old:.1f} s (ratio {new / old:.2f}x; target <= 2x: {'met' if new / old <= 2 else 'NOT met'})")
    if not args.no_property:
        env = {**os.environ, "SCHEDSIM_EXAMPLES": str(args.examples)}
        began = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", str(
            ROOT / "tests" / "test_calendar_property.py")], env=env, cwd=ROOT, capture_output=True, text=True)
        tail = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-200:]
        print(f"property 'the calendar passes its own check', {args.examples} random examples: {tail} "
              f"({time.perf_counter() - began:.0f} s)")
        if result.returncode:
            sys.exit(result.returncode)


if __name__ == "__main__":
    main()
