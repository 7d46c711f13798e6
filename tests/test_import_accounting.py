"""Issue 18, finding 1: no outcome of a record disappears. The record's layout (outcome lines between the
interventions and the description) decides which lines hold outcomes, whatever their time frames say; every outcome
appears in the draft, placed or as a TODO with its words, and the report counts them against the record."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schedsim.importer.draft import import_record
from schedsim.importer.report import report_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
UNREADABLE = "|".join(f"Secondary measure {i}, What is measured {i}, Up to Approximately 4.5 Years" for i in range(7))
RECORD = "\n".join([
    "A Phase 2 Study of Something in Myeloma",
    "This study evaluates something.",
    "Multiple Myeloma",
    "BIOLOGICAL: CAR-T cells",
    "Overall response rate (ORR), Proportion of responders, 3 months after infusion",
    UNREADABLE,
    "Quality of life, EORTC QLQ-C30, at visit Screening and whenever the investigator deems it useful",
    "Patients receive a single infusion of CAR-T cells. Follow-up lasts five years.",
])


def outcome_count(text: str) -> int:
    """Outcome entries of a record in the seed layout: lines 5 to the one before the description, split at '|'."""
    lines = [line for line in text.splitlines() if line.strip()]
    return sum(len([e for e in line.split("|") if e.strip()]) for line in lines[4:-1])


@pytest.mark.parametrize("path", [*SEEDS, "synthetic"], ids=lambda p: getattr(p, "name", p))
def test_every_outcome_of_the_record_is_in_the_draft_and_counted(path: Path | str, tmp_path: Path) -> None:
    if path == "synthetic":
        path = tmp_path / "record.txt"
        path.write_text(RECORD, encoding="utf-8")
    text = Path(path).read_text(encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    counts = result.accounting()
    assert sum(c["record"] for c in counts.values()) == outcome_count(text) == len(result.outcomes)
    for kind, count in counts.items():
        assert count["full"] + count["partly"] + count["unread"] == count["record"], kind
    draft = yaml.safe_load(result.text)
    listed = {outcome["measure"] for outcome in draft.get("outcomes", [])}
    for report in result.outcomes:  # placed or a TODO: never gone
        assert report.outcome.measure in listed or report.outcome.measure in result.text, report.outcome.measure
    report = report_text(result, "draft.yaml")
    assert "Outcomes in the record, and how they were read" in report


def test_a_line_of_unreadable_time_frames_is_still_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "record.txt"
    path.write_text(RECORD, encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    secondary = [r for r in result.outcomes if r.outcome.type == "secondary"]
    assert len(secondary) == 7
    assert result.accounting()["secondary"]["record"] == 7
    assert "Up to Approximately 4.5 Years" in result.text  # the record's words stay, as a TODO if not placed


def test_approximate_decimal_years_are_read_and_the_hedge_is_said(tmp_path: Path) -> None:
    """Findings 4 and 7: "Up to Approximately 4.5 Years" is 54 months, and the 'approximately' is reported."""
    path = tmp_path / "record.txt"
    path.write_text(RECORD, encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    secondary = [r for r in result.outcomes if r.outcome.type == "secondary"]
    assert all(any(r.expr is not None and r.expr.endswith("+ 54mo") for r in report.resolved) for report in secondary)
    assert result.accounting()["secondary"] == {"record": 7, "full": 7, "partly": 0, "unread": 0}
    assert any("'approximately' dropped" in warning for warning in result.warnings)


SHARED = [  # findings 2 and 3: lists that share a unit or an anchor, after other points, with an Oxford comma
    ("At Month 1, 3, 6, 12, 18 and 24", ["+1mo", "+3mo", "+6mo", "+12mo", "+18mo", "+24mo"]),
    ("at 1, 3, and 5 years", ["+1y", "+3y", "+5y"]),
    ("At Baseline, Month 1, 3, 6, 9 and 12", ["baseline", "+1mo", "+3mo", "+6mo", "+9mo", "+12mo"]),
    ("Baseline, 3, 6 and 12 months after infusion", ["baseline", "infusion#1 +3mo", "infusion#1 +6mo",
                                                     "infusion#1 +12mo"]),
    ("Up to Approximately 4.5 Years", ["+54mo"]),
]


@pytest.mark.parametrize(("text", "expected"), SHARED, ids=[t for t, _ in SHARED])
def test_lists_that_share_a_unit_or_an_anchor(text: str, expected: list[str]) -> None:
    from schedsim.importer.timeframe.parse import parse_time_frame

    frame = parse_time_frame(text)
    assert not frame.unparsed
    described = [point.describe() for point in frame.points]
    assert len(described) == len(expected)
    for shown, wanted in zip(described, expected, strict=True):
        assert shown.endswith(wanted), (shown, wanted)


NOISE = [  # finding 4: noise around readable phrases
    ("1, 2 and 6 months after T-cell infusion (assessed as day 0)", ["infusion#1 +1mo", "infusion#1 +2mo",
                                                                     "infusion#1 +6mo"]),
    ("Day 28 (Day 1)", ["day 28"]),
    ("up to 2 years (120)", ["+2y"]),
    ("6 months after after infusion", ["infusion#1 +6mo"]),
    ("assessed p to 2 years", ["+2y"]),
    ("28 days post hematopoietic cell transplantation (HCT)", ["transplant#1 +28d"]),
    ("Day 28 after MLM-CAR44.1 T-cell infusion", ["infusion#1 day 28"]),
]


@pytest.mark.parametrize(("text", "expected"), NOISE, ids=[t for t, _ in NOISE])
def test_noise_around_readable_phrases(text: str, expected: list[str]) -> None:
    test_lists_that_share_a_unit_or_an_anchor(text, expected)


@pytest.mark.parametrize("design", ["a BOIN12 design", "a BOIN design", "the mTPI-2 design", "the CRM",
                                    "a dose-finding part", "the optimal biological dose"])
def test_dose_finding_designs_get_an_escalation_todo(design: str, tmp_path: Path) -> None:
    """Finding 6: BOIN / BOIN12 / CRM / dose-finding wording gets the escalation TODO the i3+3 wording gets."""
    path = tmp_path / "record.txt"
    path.write_text(RECORD.replace("Patients receive a single infusion", f"Doses are chosen by {design}. Patients "
                                   "receive a single infusion"), encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    assert "# TODO: dose escalation in the record:" in result.text
    plain = tmp_path / "plain.txt"
    plain.write_text(RECORD, encoding="utf-8")
    assert "# TODO: dose escalation" not in import_record(plain, output=tmp_path / "d2.yaml").text


def test_a_comma_list_of_bare_numbers_is_one_time_frame(tmp_path: Path) -> None:
    """Finding 2: "15, 30, 90 days" keeps its three time points, not only the last."""
    path = tmp_path / "record.txt"
    path.write_text(RECORD.replace("Proportion of responders, 3 months after infusion",
                                   "Grade 3 or higher events, 15, 30, 90 days"), encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    primary = next(r for r in result.outcomes if r.outcome.type == "primary")
    assert primary.outcome.time_frame == "15, 30, 90 days"
    assert primary.outcome.description == "Grade 3 or higher events"
    assert [r.expr.rsplit(" ", 1)[-1] for r in primary.resolved if r.expr] == ["15d", "30d", "90d"]
