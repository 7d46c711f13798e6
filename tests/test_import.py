"""The registry importer: each seed becomes a valid draft whose time points match the hand-written protocol's."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from conftest import PROTOCOLS, ROOT

from schedsim.compiler import compile_file
from schedsim.engine import plan
from schedsim.importer import import_record

SEEDS = ROOT / "seeds"
HAND_WRITTEN = {  # seed file prefix -> the bundled protocol written from it
    "000": "ppcl-vrd-cart-asct-cart2.yaml",
    "001": "ndmm-p53-vrd-cart-asct-cart2.yaml",
    "002": "pcl-ct0596-dose-escalation.yaml",
    "003": "rrmm-bcma-cart.yaml",
    "004": "rrmm-bcma-cd19-dual-cart.yaml",
}


def _seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def _with_probe(protocol: Path, exprs: list[str], tmp_path: Path) -> Path:
    """A copy of a hand-written protocol plus one assessment at the given anchors (includes made absolute)."""
    data = yaml.safe_load(protocol.read_text(encoding="utf-8"))
    data["include"] = [str((protocol.parent / name).resolve()) for name in data.get("include", [])]
    data.pop("source", None)
    data["assessments"].append({"id": "import_probe", "label": "probe", "at": exprs})
    path = tmp_path / f"probe-{protocol.name}"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _same_outcome(measure: str, candidates: list[str]) -> str:
    """The hand-written outcome for a record's measure: the one it starts with, else the most similar."""
    def key(text: str) -> str:
        return "".join(text.lower().split())

    lower = key(measure)
    prefixes = [c for c in candidates if lower.startswith(key(c)) or key(c).startswith(lower)]
    if prefixes:
        return max(prefixes, key=len)
    return max(candidates, key=lambda c: difflib.SequenceMatcher(None, lower, c.lower()).ratio())


@pytest.mark.parametrize("prefix", sorted(HAND_WRITTEN))
def test_seed_draft_is_valid_and_matches_the_hand_written_protocol(prefix: str, tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = import_record(_seed(prefix), output=out)
    assert result.problems == []
    out.write_text(result.text, encoding="utf-8")
    draft = compile_file(out)  # the draft validates and compiles on its own
    assert draft.events
    assert all(r.frame.complete for r in result.outcomes), [r.frame for r in result.outcomes]

    hand_path = PROTOCOLS / HAND_WRITTEN[prefix]
    hand = yaml.safe_load(hand_path.read_text(encoding="utf-8"))
    points = [(report, r.expr) for report in result.outcomes for r in report.resolved]
    assert points and all(expr for _, expr in points)
    probe = compile_file(_with_probe(hand_path, [expr for _, expr in points], tmp_path))
    days = plan(probe)
    measures = {o["measure"]: o for o in hand["outcomes"]}
    mismatches = []
    for index, (report, expr) in enumerate(points):
        outcome = measures[_same_outcome(report.outcome.measure, list(measures))]
        served = {days[e.id] for e in probe.events
                  if any(e.id.startswith(f"{a}.") for a in outcome["assessments"])}
        if days[f"import_probe.t{index + 1}"] not in served:
            mismatches.append((report.outcome.measure, expr, outcome["id"]))
    assert mismatches == []
