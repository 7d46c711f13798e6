"""Benchmark: how well ``schedsim import`` reads the time frames of 45 public registry records (issue 18).

Each time frame of the corpus in tests/fixtures/registry is graded against the time points written by hand in its
gold file (see that folder's README): exact, partial (the rest left as a TODO), flagged (all of it a TODO) or wrong
(a date placed that the record does not name, or one dropped without a word). Prints the rates, the time frames not
read exactly, and the import time per record.

Targets (issue 18): wrong 0, exact at least 85%. tests/test_import_corpus.py asserts both.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_import_corpus.py [--list]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the scorer lives beside the tests

from corpus import rates, records, score_corpus, summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list every time frame not read exactly")
    args = parser.parse_args()
    began = time.perf_counter()
    scored = score_corpus()
    seconds = time.perf_counter() - began
    print(f"import corpus: {summary(scored)}")
    print(f"  {seconds / len(records()) * 1000:.0f} ms per record (import and grading)")
    for item in scored:
        if item.grade != "exact" and (args.list or item.grade == "wrong"):
            print(f"  {item.grade:8} {item.record} {item.time_frame[:70]!r}")
    result = rates(scored)
    met = result["wrong"] == 0 and result["exact"] >= 0.85
    print(f"  target (wrong 0, exact >= 85%): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
