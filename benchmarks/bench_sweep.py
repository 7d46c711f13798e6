"""Benchmark: a scenario sweep on Dask with 2 workers against the serial run (issue 20).

The sweep's speed-up (serial time / 2-worker time, the LocalCluster's start included) is reported as a ratio to the
machine's own 2-process ceiling measured in the same run (two processes burning CPU against one, the median of three
measurements: what this machine gives two workers at best). Target: at least 0.8 of the ceiling. The default size,
6 grid points x 200 replicates x 30 patients, is a small real sweep (sponsors ask for thousands of replicates); the
cluster's fixed start-up cost is measured on its own and printed, so that the speed-up of smaller sweeps can be
judged (``--replicates 50``: the start-up weighs more). The two runs' files are also compared: they must be the same
bytes.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_sweep.py [--replicates N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from bench_simulate import machine_speedup  # a sibling module: scripts run from benchmarks/
from dask.distributed import Client, LocalCluster

from schedsim.simulation.grid import grid_of
from schedsim.simulation.sweep import sweep
from schedsim.simulation.sweep_outputs import write_sweep_tables

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
GRID = {"parameters": {"enrolment.rate_per_month": [2, 4, 6], "resources.manufacturing_slots": [1, 2]}}


def digest(result) -> str:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        names = write_sweep_tables(result, Path(folder))
        return hashlib.sha256(b"".join((Path(folder) / n).read_bytes() for n in sorted(names))).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--patients", type=int, default=30)
    args = parser.parse_args()
    grid = grid_of(GRID)
    options = {"patients": args.patients, "replicates": args.replicates, "seed": 1}
    began = time.perf_counter()
    serial = sweep(PROTOCOL, SCENARIO, grid, **options)
    one = time.perf_counter() - began
    began = time.perf_counter()
    parallel = sweep(PROTOCOL, SCENARIO, grid, workers=2, **options)
    two = time.perf_counter() - began
    ceiling = statistics.median(machine_speedup() for _ in range(3))
    began = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster):
        start = time.perf_counter() - began
    speedup = one / two
    print(f"sweep: {len(grid.points)} grid points x {args.replicates} replicates x {args.patients} patients")
    print(f"  serial {one:.1f} s, 2 Dask workers {two:.1f} s (cluster start included): speed-up {speedup:.2f}x; "
          f"a LocalCluster of 2 workers alone starts in {start:.1f} s")
    print(f"  this machine's 2-process ceiling {ceiling:.2f}x: ratio {speedup / ceiling:.2f} "
          f"(target >= 0.8: {'met' if speedup / ceiling >= 0.8 else 'NOT met'})")
    print(f"  same files: {digest(serial) == digest(parallel)}")


if __name__ == "__main__":
    main()
