"""Issue 20 (part): the deterministic plan of many patients at once (numpy) gives exactly the engine's dates, for
every bundled protocol and, for one, for 10,000 patients whose start dates cover more than a year (month ends and a
29 February included: calendar months clip there)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from schedsim.calendar.vectorised import plan_dates
from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import build_schedule

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = sorted([*(ROOT / "protocols").glob("*.yaml"), *(ROOT / "protocols" / "examples").glob("*.yaml")])
EDGES = [date(2027, 1, 31), date(2028, 2, 29), date(2027, 3, 31), date(2027, 12, 31), date(2028, 1, 30)]


def engine_dates(timeline, start: date) -> dict[str, date]:  # type: ignore[no-untyped-def]
    return {item.event.id: item.date for item in build_schedule(timeline, start).events}


def assert_same(timeline, starts: list[date], planned: dict[str, np.ndarray]) -> None:  # type: ignore[no-untyped-def]
    by_start = {start: engine_dates(timeline, start) for start in set(starts)}
    for event_id, column in planned.items():
        for start, value in zip(starts, column, strict=True):
            expected = by_start[start].get(event_id)
            if expected is None:
                assert np.isnat(value), (event_id, start)  # left out by the engine: past its limit
            else:
                assert value.astype(object) == expected, (event_id, start, value, expected)


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.stem)
def test_every_protocol_plans_as_the_engine_does(path: Path) -> None:
    timeline = compile_file(path)
    rng = random.Random(path.stem)
    starts = [date(2026, 1, 1) + timedelta(days=rng.randrange(0, 1500)) for _ in range(25)] + EDGES
    assert_same(timeline, starts, plan_dates(timeline, starts))


def test_ten_thousand_patients(tmp_path: Path) -> None:
    timeline = compile_file(ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml")  # calendar months in its plan
    rng = random.Random(20)
    days = [date(2027, 11, 1) + timedelta(days=i) for i in range(400)]  # Nov 2027 .. Dec 2028: leap day included
    starts = [rng.choice(days) for _ in range(10_000)]
    planned = plan_dates(timeline, starts)
    assert all(len(column) == 10_000 for column in planned.values())
    assert_same(timeline, starts, planned)
