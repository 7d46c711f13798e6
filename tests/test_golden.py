"""Golden timelines (CSV, one line per event) of the seed protocols: any change shows up as a reviewed diff.

Regenerate deliberately with ``pytest tests/test_golden.py --regen-golden``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000, SEED_001

from schedsim.engine.render import to_csv
from schedsim.engine.schedule import timeline_for

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("path", [SEED_000, SEED_001], ids=["seed000", "seed001"])
def test_timeline_matches_golden(path: Path, regen_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # file names in the output are relative to the project
    text = to_csv(timeline_for(path.relative_to(ROOT), date(2027, 1, 4)))
    golden = GOLDEN / f"{path.stem}.2027-01-04.csv"
    if regen_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), "missing golden file: run pytest tests/test_golden.py --regen-golden"
    assert text == golden.read_text(encoding="utf-8")
