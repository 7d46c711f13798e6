"""Issue 18: the importer on a corpus of 45 public registry records it was not written against, each time frame
graded against time points written by hand (tests/fixtures/registry, its README says where each record comes from and
how the gold files were made). Nothing may be wrong in silence; at least 85% of the time frames must come out exact."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from corpus import CORPUS, Scored, canonical_point, flagged, grade, rates, records, score_corpus, summary, tool_points

from schedsim.importer.draft import import_record

README = (CORPUS / "README.md").read_text(encoding="utf-8")


@cache
def scored() -> tuple[Scored, ...]:
    return tuple(score_corpus())


def test_the_corpus_is_forty_public_records_or_more_with_their_provenance() -> None:
    names = records()
    assert len(names) >= 40
    assert sorted(path.stem for path in CORPUS.glob("NCT*.txt")) == names  # every record has its gold file
    assert "johnNoxas/mrd-article-search" in README and "1eebc3b69d79685c606f854d73acbc1350132da2" in README
    titles = {(CORPUS / f"{name}.txt").read_text(encoding="utf-8").splitlines()[0] for name in names}
    assert len(titles) == len(names)  # one study each, no repeats
    seeds = {path.read_text(encoding="utf-8").splitlines()[0] for path in (CORPUS.parents[2] / "seeds").glob("*.txt")}
    assert not titles & seeds  # records beyond the seeds


@pytest.mark.parametrize("name", records())
def test_gold_files_quote_their_record(name: str) -> None:
    """The gold is hand-written against the record: every measure and time frame is the record's own words, in
    order, and every point is in the notation of the README."""
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    gold = yaml.safe_load((CORPUS / "gold" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert gold["record"] == name
    position = 0
    for outcome in gold["outcomes"]:
        assert outcome["type"] in ("primary", "secondary", "other")
        found = text.find(outcome["time_frame"], position)
        assert found >= 0, outcome["time_frame"]
        assert outcome["measure"] in text
        position = found
        for point in [*outcome["points"], *(p for alt in outcome.get("alternatives") or [] for p in alt)]:
            canonical_point(point)  # raises on a point outside the notation


def test_no_time_frame_of_the_corpus_is_wrong_in_silence() -> None:
    wrong = [f"{s.record} {s.time_frame!r}: expected {s.expected}, placed {s.placed}" for s in scored()
             if s.grade == "wrong"]
    assert wrong == []


def test_at_least_85_percent_of_the_time_frames_are_read_exactly() -> None:
    result = scored()
    assert len(result) >= 300
    assert rates(list(result))["exact"] >= 0.85, summary(list(result))


def test_the_rates_add_up_and_every_grade_is_possible() -> None:
    result = list(scored())
    assert abs(sum(rates(result).values()) - 1) < 1e-9
    assert set(Counter(s.grade for s in result)) <= {"exact", "partial", "flagged", "wrong"}
    reading = [{"infusion +28d"}]  # the grading itself, on made-up readings
    assert grade({"infusion +28d"}, False, reading) == "exact"
    assert grade(set(), True, reading) == "flagged"
    assert grade(set(), True, [set()]) == "exact"  # nothing to schedule, and said so
    assert grade({"start +28d"}, True, reading) == "wrong"  # a wrong date stays wrong beside a TODO
    assert grade(set(), False, reading) == "wrong"  # dropped without a word
    assert grade({"infusion +28d"}, True, [{"infusion +28d", "infusion +56d"}]) == "partial"


@pytest.mark.parametrize("name", records())
def test_every_outcome_of_a_corpus_record_is_in_a_valid_draft(name: str, tmp_path: Path) -> None:
    """Finding 1 on the corpus: the report counts every outcome of the record (read fully, partly, or not) and the
    draft validates."""
    gold = yaml.safe_load((CORPUS / "gold" / f"{name}.yaml").read_text(encoding="utf-8"))
    result = import_record(CORPUS / f"{name}.txt", output=tmp_path / "draft.yaml")
    assert result.problems == []
    counts = result.accounting()
    assert {kind: c["record"] for kind, c in counts.items()} == dict(Counter(o["type"] for o in gold["outcomes"]))
    for count in counts.values():
        assert count["full"] + count["partly"] + count["unread"] == count["record"]
    for report in result.outcomes:  # an outcome read partly or not at all keeps its words in a TODO
        if not report.frame.complete:
            assert re.search(r"TODO", result.text)
            assert report.outcome.measure[:40] in result.text or yaml.safe_load(result.text)["outcomes"]


HELDOUT = CORPUS / "heldout"


def test_held_out_records_are_not_wrong_in_silence(tmp_path: Path) -> None:
    """Twelve more records from the same download that no gold file above covers, each time frame's reading written
    by a second reviewer before the importer was run on them (heldout/*.expected.txt, transcribed in heldout/gold.py).
    The importer was corrected against what they found; nothing may come out wrong in silence."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("heldout_gold", HELDOUT / "gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grades: Counter[str] = Counter()
    wrong = []
    for name, readings in module.G.items():
        result = import_record(HELDOUT / f"{name}.txt", output=tmp_path / f"{name}.yaml")
        assert result.problems == [] and len(result.outcomes) == len(readings), name
        for report, acceptable in zip(result.outcomes, readings, strict=True):
            found = grade(tool_points(report), flagged(report), [{canonical_point(p) for p in r} for r in acceptable])
            grades[found] += 1
            if found == "wrong":
                wrong.append(f"{name} {report.outcome.time_frame!r}: placed {sorted(tool_points(report))}")
    assert len(module.G) == 12 and sum(grades.values()) == 155
    assert wrong == []
    assert grades["exact"] >= 100  # 103 when written: the rest are TODOs
