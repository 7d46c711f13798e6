"""Shared fixtures: bundled protocol paths and a helper to write small protocols."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ROOT / "protocols"
BUNDLED = sorted(PROTOCOLS.glob("*.yaml"))
SEED_000 = PROTOCOLS / "ppcl-vrd-cart-asct-cart2.yaml"
SEED_001 = PROTOCOLS / "ndmm-p53-vrd-cart-asct-cart2.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented YAML text to ``tmp_path/name`` and return its path."""

    def _write(text: str, name: str = "protocol.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


MINIMAL = """
id: mini
title: Minimal protocol
conventions: {month: 30d, year: 365d}
phases:
  - id: induction
    kind: cycles
    cycle_length: 21d
    cycles: 3
    agents:
      drug_a: {dose: 1 mg, days: [1, 8, 15]}
"""
