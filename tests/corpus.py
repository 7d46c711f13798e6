"""Scoring the importer on the registry corpus (tests/fixtures/registry): each time frame's reading against the
time points written by hand in gold/<record>.yaml (the notation is in that folder's README.md).

A time frame is
A point placed with a doubt said beside it (a TODO on that time point) counts as left to the reader.

- ``exact``: the points placed are the gold points (or one of the gold alternatives) and nothing is left as a TODO;
  a time frame with no schedulable date (gold ``[]``) is exact when nothing is placed and a TODO says why;
- ``partial``: every point placed is right, the ones missing are left as a TODO with the record's words;
- ``flagged``: nothing placed, all of it a TODO;
- ``wrong``: a point placed that the time frame does not name, or one missing with no TODO — wrong in silence.

Used by tests/test_import_corpus.py and printed by ``make bench`` (benchmarks/bench_import_corpus.py).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from schedsim.importer.draft import OutcomeReport, import_record

CORPUS = Path(__file__).resolve().parent / "fixtures" / "registry"
GRADES = ("exact", "partial", "flagged", "wrong")
_POINT = re.compile(r"^(?P<anchor>.+?)\s+(?P<sign>[+-])(?P<amount>\d+(?:\.\d+)?)(?P<unit>d|w|mo|y)"
                    r"(?:\s+(?P<window>\S+))?$")


def canonical_point(text: str) -> str:
    """A gold point in one spelling: years as months, weeks as days ("infusion +1y" → "infusion +12mo")."""
    found = _POINT.match(text.strip())
    if found is None:
        raise ValueError(f"not a gold point: {text!r}")
    amount, unit = float(found["amount"]), found["unit"]
    if unit == "y":
        amount, unit = amount * 12, "mo"
    elif unit == "w":
        amount, unit = amount * 7, "d"
    sign = "-" if found["sign"] == "-" and amount else "+"
    anchor = found["anchor"].lower()
    anchor = {"infusion#1": "infusion", "transplant#1": "transplant"}.get(anchor, anchor)
    window = f" {_canonical_window(found['window'])}" if found["window"] else ""
    return f"{anchor} {sign}{amount:g}{unit}{window}"


def _canonical_window(text: str) -> str:
    parts = []
    for part in text.split("/"):
        found = re.fullmatch(r"([+-]?)(\d+)(d|w)", part)
        if found is None:
            return text
        days = int(found[2]) * (7 if found[3] == "w" else 1)
        parts.append(f"{'-' if found[1] == '-' else '+'}{days}d")
    return "/".join(parts)


def _anchor_name(anchor: object) -> str:
    name = str(anchor)
    name = re.sub(r"^(start|end)\(C(\d+) of [^)]*\)$", r"\1(C\2)", name)
    if name in ("end(treatment)", "start(treatment)"):  # the draft's own words for the last dose and day 1
        return "last_dose" if name.startswith("end") else "start"
    return {"infusion#1": "infusion", "transplant#1": "transplant", "apheresis#1": "apheresis",
            "manufacture#1": "manufacture", "lymphodepletion#1": "lymphodepletion",
            "conditioning#1": "conditioning"}.get(name, name)


def tool_points(report: OutcomeReport) -> set[str]:
    """The points the draft places for one outcome without a doubt said beside them, in the gold notation."""
    out = set()
    for resolved in report.resolved:
        if resolved.expr is None or resolved.anchor is None or resolved.todo:
            continue
        window = resolved.point.window
        amount, unit = (resolved.offset.amount, resolved.offset.unit) if resolved.offset is not None else (0, "d")
        text = f"{_anchor_name(resolved.anchor)} {amount:+g}{unit}"
        if window is not None:
            text += f" {window}"
        out.add(canonical_point(text.replace("+-", "-")))
    return out


def flagged(report: OutcomeReport) -> bool:
    """Whether the draft leaves some of the time frame as a TODO with the record's words."""
    return bool(report.frame.unparsed) or any(r.expr is None or r.todo for r in report.resolved)


@dataclass(frozen=True, slots=True)
class Scored:
    """One time frame's grade, with what was expected and what came out (for the failure message)."""

    record: str
    measure: str
    time_frame: str
    grade: str
    expected: tuple[str, ...]
    placed: tuple[str, ...]
    todo: bool
    measure_read: str


def grade(placed: set[str], todo: bool, readings: list[set[str]]) -> str:
    """The grade of one time frame: ``placed`` points, a TODO or not, against the acceptable gold readings."""
    if any(placed == reading for reading in readings):
        if not todo:
            return "exact"
        return "exact" if not placed else "partial"
    if any(placed < reading for reading in readings) and todo:
        return "partial" if placed else "flagged"
    if not placed and todo and any(not reading for reading in readings):
        return "exact"
    return "wrong"


def score_record(name: str) -> list[Scored]:
    """Import one corpus record and grade each of its time frames against its gold file."""
    gold = yaml.safe_load((CORPUS / "gold" / f"{name}.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        result = import_record(CORPUS / f"{name}.txt", output=Path(folder) / "draft.yaml")
    reports = result.outcomes
    if len(reports) != len(gold["outcomes"]):
        raise AssertionError(f"{name}: {len(reports)} outcomes read, {len(gold['outcomes'])} in the record")
    scored = []
    for report, expected in zip(reports, gold["outcomes"], strict=True):
        readings = [{canonical_point(p) for p in expected["points"] or []}]
        readings += [{canonical_point(p) for p in alt} for alt in expected.get("alternatives") or []]
        placed = tool_points(report)
        todo = flagged(report)
        scored.append(Scored(name, expected["measure"], expected["time_frame"], grade(placed, todo, readings),
                             tuple(sorted(readings[0])), tuple(sorted(placed)), todo, report.outcome.measure))
    return scored


def records() -> list[str]:
    """The corpus records that have a gold file."""
    return sorted(path.stem for path in (CORPUS / "gold").glob("NCT*.yaml"))


def score_corpus() -> list[Scored]:
    return [scored for name in records() for scored in score_record(name)]


def rates(scored: list[Scored]) -> dict[str, float]:
    counts = Counter(s.grade for s in scored)
    return {grade_: counts[grade_] / len(scored) for grade_ in GRADES}


def summary(scored: list[Scored]) -> str:
    counts = Counter(s.grade for s in scored)
    records_ = len({s.record for s in scored})
    parts = [f"{g} {counts[g]} ({counts[g] / len(scored):.1%})" for g in GRADES]
    return f"{len(scored)} time frames of {records_} records: " + ", ".join(parts)
