"""Benchmark: ``schedsim import`` grows linearly with the record (issue 17, finding 4).

A hostile-input campaign found the importer super-linear: a record padded with repeated time-frame text took 1.7 s
at 10 KB, 20 s at 40 KB and more than 120 s at 0.5 MB; 40,000 short lines took 16 s. This script reads seed 000
padded two ways — one outcome's time frame repeated, and many short description lines — at 10 KB, 100 KB and
1 MB, and reports the time per KB at each size against the 10 KB run of the same kind, measured in the same run.

Target: the time per KB at 1 MB at most 2x the time per KB at 10 KB (linear growth, with room for noise).

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_import.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchtools import median_seconds  # a sibling module: scripts run from benchmarks/

from schedsim.importer.record import parse_record

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = next((ROOT / "seeds").glob("000_*.txt"))
SIZES_KB = (10, 100, 1000)
TARGET = 2.0


def padded_time_frame(kb: int) -> str:
    lines = SEED_000.read_text(encoding="utf-8").split("\n")
    pad = ", 1 month after the first CAR-T cell transfusion"
    lines[4] = lines[4].replace(", 2 year|", ", 2 year" + pad * (kb * 1000 // len(pad)) + "|", 1)
    return "\n".join(lines)


def many_lines(kb: int) -> str:
    lines = SEED_000.read_text(encoding="utf-8").split("\n")
    filler = [f"Additional eligibility note {i}." for i in range(kb * 1000 // 32)]
    return "\n".join([*lines[:4], *filler, *lines[4:]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    worst = 0.0
    with tempfile.TemporaryDirectory():
        for name, make in (("padded time frame", padded_time_frame), ("many short lines", many_lines)):
            per_kb: list[float] = []
            for kb in SIZES_KB:
                text = make(kb)
                read: Callable[[], object] = lambda text=text: parse_record(text, "bench.txt")  # noqa: E731
                seconds = median_seconds(read, runs)
                per_kb.append(seconds / (len(text) / 1000))
                ratio = per_kb[-1] / per_kb[0]
                worst = max(worst, ratio)
                print(f"{name:18} {len(text) / 1000:8.0f} KB  {seconds:7.3f} s  {per_kb[-1] * 1000:6.2f} ms/KB  "
                      f"x{ratio:.2f} of the 10 KB rate")
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"import time per KB, 1 MB against 10 KB: worst x{worst:.2f} (target <= x{TARGET:.0f}): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
