"""Every kind of bad input: one clear message naming file, line and field; exit 2; no traceback, no output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL
from typer.testing import CliRunner

from schedsim.cli import app

runner = CliRunner()

PHASE_2 = """
  - id: later
    kind: procedure
    after: induction.end
    steps: [{id: x, day: 0}]
"""

CIRCULAR = """
  - id: a
    kind: procedure
    after: b.end
    steps: [{id: x, day: 0}]
  - id: b
    kind: procedure
    after: a.end
    steps: [{id: x, day: 0}]
"""

CASES: dict[str, tuple[str, int | None, str, str]] = {
    # name: (protocol text, expected line, expected field, expected message fragment)
    "malformed yaml": ("id: x\nphases: [\n  {id: a\n", None, "", "malformed YAML"),
    "unknown key": (MINIMAL + "    colour: blue\n", 11, "phases.0.colour", "unknown field 'colour'"),
    "unknown top-level key": (MINIMAL + "sponsor: ACME\n", 11, "sponsor", "unknown field 'sponsor'"),
    "wrong type": (MINIMAL.replace("cycles: 3", "cycles: three"), 8, "phases.0.cycles", "integer"),
    "missing field": (MINIMAL.replace("title: Minimal protocol\n", ""), 1, "title", "required field is missing"),
    "negative gap": (MINIMAL + PHASE_2 + "    gap: -3d\n", 16, "phases.1.gap", "must not be negative"),
    "negative cycle length": (MINIMAL.replace("cycle_length: 21d", "cycle_length: -21d"), 7,
                              "phases.0.cycle_length", "must be positive"),
    "duration without unit": (MINIMAL + PHASE_2 + "    gap: 14\n", 16, "phases.1.gap", "needs a unit"),
    "absurd cycle count": (MINIMAL.replace("cycles: 3", "cycles: 10000"), 8, "phases.0.cycles", "1000"),
    "absurd horizon": (MINIMAL + "horizon: induction.start + 500y\n", 11, "horizon", "50 years"),
    "horizon beyond limit": (MINIMAL + "horizon: induction.start + 40y + 40y\n", 11, "horizon", "50"),
    "unknown anchor": (MINIMAL + PHASE_2.replace("induction.end", "induction.ends"), 14, "phases.1.after",
                       "unknown anchor 'induction.ends'; did you mean induction.end"),
    "until a missing horizon": (MINIMAL + "assessments:\n  - {id: f, label: F, every: 1mo, from: induction.start, "
                                "until: study.horizon}\n", 12, "assessments.0.until",
                                "unknown anchor 'study.horizon'; the protocol declares no 'horizon'"),
    "circular reference": (MINIMAL + CIRCULAR, None, "", "circular reference: "),
    "dosing day outside cycle": (MINIMAL.replace("days: [1, 8, 15]", "days: [1, 8, 22]"), 10,
                                 "phases.0.agents.drug_a.days", "dosing day 22 lies outside the 21-day cycle"),
    "unknown regimen": (MINIMAL.replace("cycle_length: 21d\n", "regimen: vrdd\n").replace(
        "    agents:\n      drug_a: {dose: 1 mg, days: [1, 8, 15]}\n", ""), 7, "phases.0.regimen", "unknown regimen"),
    "missing include": (MINIMAL + "include: [nothere.yaml]\n", 11, "include.0", "not found"),
    "bad window": (MINIMAL + "assessments:\n  - {id: a, label: A, at: induction.end, window: 3d/7d}\n", 12,
                   "assessments.0.window", "needs a sign"),
    "duplicate event id": (MINIMAL + """
  - id: blk
    kind: procedure
    steps: [{id: start, day: 0}]
""", None, "", "defined twice"),
    "both start and after": (MINIMAL + PHASE_2 + "    start: induction.end\n", 12, "phases.1",
                             "either 'start' or 'after'"),
    "wrong phase kind": (MINIMAL.replace("kind: cycles", "kind: cycle"), 6, "phases.0.kind", "kind must be one of"),
    "duplicate yaml key": (MINIMAL + "title: again\n", 11, "title", "duplicate key"),
    "reserved id": (MINIMAL.replace("- id: induction", "- id: study").replace("induction.end", "study.end"),
                    None, "", "reserved"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_protocol_gives_one_clear_message(name: str, write: Callable[..., Path], tmp_path: Path) -> None:
    text, line, field, fragment = CASES[name]
    path = write(text)
    out = tmp_path / "out" / "timeline.json"
    result = runner.invoke(app, ["timeline", str(path), "--format", "json", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip().splitlines()
    assert message and all(m.startswith("error: ") for m in message)
    first = next((m for m in message if fragment in m), None)
    assert first is not None, (fragment, message)
    expected_prefix = f"error: {path}" + (f":{line}" if line is not None else "")
    assert first.startswith(expected_prefix), (expected_prefix, first)
    if field:
        assert f" {field}:" in first, (field, first)
    assert not out.exists() and not out.parent.exists() or not any(out.parent.iterdir())


def test_circular_reference_names_the_chain(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + CIRCULAR)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "a.start → a.x → a.end → b.start → b.x → b.end → a.start" in result.stderr or \
        "b.start → b.x → b.end → a.start → a.x → a.end → b.start" in result.stderr
    assert f"{path}:14 phases.1.after" in result.stderr or f"{path}:18 phases.2.after" in result.stderr


def test_bad_start_date(write: Callable[..., Path]) -> None:
    result = runner.invoke(app, ["timeline", str(write(MINIMAL)), "--start", "2027-02-30"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --start: not a date: '2027-02-30'")


def test_missing_file() -> None:
    result = runner.invoke(app, ["validate", "no/such/protocol.yaml"])
    assert result.exit_code == 2
    assert "error: no/such/protocol.yaml: file not found" in result.stderr


def test_validate_reports_each_file(write: Callable[..., Path]) -> None:
    good = write(MINIMAL, "good.yaml")
    bad = write(MINIMAL.replace("cycles: 3", "cycles: 0"), "bad.yaml")
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert f"OK {good}" in result.stdout
    assert f"error: {bad}:8: phases.0.cycles:" in result.stderr
