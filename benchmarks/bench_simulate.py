"""Benchmark: the cohort simulation engine (issue 6).

Targets: engine throughput (events per second) at least that of a minimal hand-written simpy model firing the same
number of timeouts, measured in the same run (issue 20; issue 6 asked for 0.5x); 10,000 patients of seed 000 (one
replicate, one core) in under 30 s with peak memory under 1 GB (measured in a child process); 2 workers at least
1.7x faster than 1 on a 20-replicate run. The scenario is seed 000's own kind of trial scaled up: every random
element on, resources that bind now and then, enrolment fast enough that 10,000 patients enrol within about two
years.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy

from schedsim.simulation.run import simulate

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
SCENARIO = """start: 2027-01-04
enrolment: {{rate_per_month: {rate}, ramp_up: 3mo}}
steps:
  manufacturing: {{duration: {{lognormal: {{median: 20d, p95: 30d}}}}, failure: 0.05, retries: 1}}
  engraftment: {{day: {{triangular: [10d, 12d, 16d]}}}}
cycle_delay: {{probability: 0.1, delay: {{uniform: [1d, 7d]}}}}
dropout:
  induction: {{progression: 0.02, death: 0.005, withdrawal: 0.01}}
  maintenance: {{progression: 0.015, death: 0.004, withdrawal: 0.005}}
resources: {{manufacturing_slots: {slots}, apheresis_chairs: {chairs}, transplant_beds: {beds}, visit_slots: {visits}}}
"""
CHILD = """
import resource, sys, time
from schedsim.simulation.run import simulate
from schedsim.plots.simulation import write_outputs
began = time.perf_counter()
result = simulate(sys.argv[1], patients=int(sys.argv[3]), scenario=sys.argv[2], seed=1)
simulated = time.perf_counter()
write_outputs(result, sys.argv[4], plots=False)
written = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(simulated - began, written - simulated, peak, len(result.replicates[0].records))
"""


def scenario_file(folder: Path, patients: int) -> Path:
    scale = max(patients / 10_000, 0.01)
    path = folder / f"stress-{patients}.yaml"
    path.write_text(SCENARIO.format(rate=round(400 * scale, 2), slots=max(1, round(300 * scale)),
                                    chairs=max(1, round(40 * scale)), beds=max(1, round(150 * scale)),
                                    visits=max(1, round(2000 * scale))), encoding="utf-8")
    return path


def minimal_simpy(patients: int, per_patient: int) -> int:
    """The baseline: one process per patient firing ``per_patient`` timeouts, recording a tuple each."""
    env = simpy.Environment()
    records: list[tuple[int, int, int]] = []

    def patient(subject: int):  # type: ignore[no-untyped-def]
        for index in range(per_patient):
            yield env.timeout(1)
            records.append((subject, index, int(env.now)))

    for subject in range(patients):
        env.process(patient(subject))
    env.run()
    return len(records)


def clear_caches() -> None:
    """Forget what an earlier round left in process-wide caches (calendar months): each round starts cold."""
    from schedsim.engine.dates import _shift

    _shift.cache_clear()


def burn(count: int) -> int:
    total = 0
    for i in range(count):
        total += i * i
    return total


def machine_speedup(tasks: int = 8, count: int = 3_000_000) -> float:
    """What 2 processes gain over 1 on pure Python arithmetic here: the machine's own ceiling for the 2-worker
    figure (virtual cores can deliver well under 2x)."""
    from concurrent.futures import ProcessPoolExecutor

    one, _ = timed(lambda: [burn(count) for _ in range(tasks)])
    with ProcessPoolExecutor(2) as pool:
        two, _ = timed(lambda: list(pool.map(burn, [count] * tasks)))
    return one / two


def timed(action):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    value = action()
    return time.perf_counter() - began, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the script)")
    args = parser.parse_args()
    big = 1000 if args.quick else 10_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        patients = 2000 if not args.quick else 300
        path = scenario_file(folder, patients)
        engine, baseline = math.inf, math.inf
        for _round in range(3):  # interleaved, best of three each: this machine's timings vary between runs
            clear_caches()
            took, result = timed(lambda: simulate(SEED_000, patients=patients, scenario=path, seed=1))
            events = len(result.replicates[0].records)
            engine = min(engine, took)
            per_patient = max(1, events // patients)
            took, fired = timed(lambda: minimal_simpy(patients, per_patient))  # noqa: B023 (called at once)
            baseline = min(baseline, took)
        ratio = (events / engine) / (fired / baseline)
        print(f"engine (best of 3): {patients} patients, {events:,} events in {engine:.2f} s = "
              f"{events / engine:,.0f} events/s")
        print(f"  baseline: minimal simpy model, {fired:,} timeouts in {baseline:.2f} s = {fired / baseline:,.0f}/s")
        print(f"  throughput ratio {ratio:.2f}x (target >= 1.0x: {'met' if ratio >= 1.0 else 'NOT met'})")

        out = subprocess.run([sys.executable, "-c", CHILD, str(SEED_000), str(scenario_file(folder, big)), str(big),
                              str(folder / "out")], check=True, capture_output=True, text=True).stdout.split()
        simulated, written, peak, records = float(out[0]), float(out[1]), float(out[2]), int(out[3])
        print(f"{big:,} patients, 1 replicate, 1 core: simulated in {simulated:.1f} s ({records:,} events; target "
              f"< 30 s: {'met' if simulated < 30 else 'NOT met'}), events.csv + summary.json in {written:.1f} s; "
              f"peak memory {peak:.0f} MB (target < 1 GB: {'met' if peak < 1024 else 'NOT met'})")

        replicates, each = (20, 40) if args.quick else (20, 200)
        path = scenario_file(folder, each)
        one, _ = timed(lambda: simulate(SEED_000, patients=each, replicates=replicates, scenario=path, seed=1))
        two, _ = timed(lambda: simulate(SEED_000, patients=each, replicates=replicates, scenario=path, seed=1,
                                        workers=2))
        speedup = one / two
        ceiling = machine_speedup()
        print(f"{replicates} replicates x {each} patients: 1 worker {one:.1f} s, 2 workers {two:.1f} s: "
              f"{speedup:.2f}x (target >= 1.7x: {'met' if speedup >= 1.7 else 'NOT met'}); this machine's own "
              f"2-process speed-up on pure arithmetic in the same run: {ceiling:.2f}x")


if __name__ == "__main__":
    main()
