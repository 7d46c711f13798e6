"""The project keeps its own copy of the five source records."""

from __future__ import annotations

import pytest
from conftest import ROOT

SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared" / "seeds"


def test_five_seed_records_are_bundled() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert [f.name[:3] for f in files] == ["000", "001", "002", "003", "004"]
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        assert len(lines) in (7, 8), file.name  # empty registry fields are dropped, not left blank


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared seed folder is only present beside a checkout")
def test_copies_match_the_shared_records() -> None:
    for shared in sorted(SHARED.glob("*.txt")):
        assert (SEEDS / shared.name).read_bytes() == shared.read_bytes(), shared.name
