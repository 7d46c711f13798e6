"""The registry importer: each seed becomes a valid draft whose time points match the hand-written protocol's."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml
from conftest import PROTOCOLS, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.compile.compiler import compile_file
from schedsim.engine.subject import plan
from schedsim.errors import InputError
from schedsim.importer.draft import ImportResult, import_record
from schedsim.importer.record import read_record

SEEDS = ROOT / "seeds"
runner = CliRunner()
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
    """A copy of a hand-written protocol plus one assessment at the given anchors (its includes are library names)."""
    data = yaml.safe_load(protocol.read_text(encoding="utf-8"))
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


FIXTURES = ROOT / "tests" / "fixtures" / "import"


def _points(result: ImportResult) -> list[tuple[str, list[str | None]]]:
    return [(r.outcome.measure, [p.expr for p in r.resolved]) for r in result.outcomes]


def test_json_api_v2_record_gives_the_same_time_points_as_the_text_layout(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    from_json = import_record(FIXTURES / "seed-000-api-v2.json", output=out)
    from_text = import_record(_seed("000"), output=out)
    assert from_json.problems == []
    assert _points(from_json) == _points(from_text)
    assert [p.id for p in from_json.phases] == ["induction", "cart1", "consolidation", "asct", "cart2", "maintenance"]
    assert "registry_id: NCT00000000" in from_json.text
    assert "# Enrolment: 30 participants (record)." in from_json.text
    dor = next(o for o in from_json.record.outcomes if o.measure.startswith("Duration"))
    assert dor.description.endswith("progression > 25% (10^-5 MRD)")  # Markdown escapes undone
    assert any("Markdown escapes removed" in w for w in from_json.warnings)


def test_seed_text_fields_are_told_apart_by_content() -> None:
    records = {prefix: read_record(_seed(prefix)) for prefix in HAND_WRITTEN}
    assert [len(r.outcomes) for r in records.values()] == [8, 8, 14, 9, 7]
    assert [o.type for o in records["000"].outcomes].count("other") == 1
    assert {o.type for o in records["003"].outcomes} == {"primary", "secondary"}  # 7 lines: no other outcomes
    assert records["003"].conditions == ["Multiple Myeloma", "Multiple Myeloma in Relapse", "Neoplasm, Plasma Cell"]
    assert records["001"].interventions == ["BIOLOGICAL: anti-BCMA CAR-T", "DRUG: VRD-based Regimen"]
    pfs = next(o for o in records["001"].outcomes if o.measure.startswith("Progression"))
    assert pfs.time_frame == "1 year"  # not "whichever comes first, 1 year"
    assert pfs.description.endswith("whichever comes first")
    orr = next(o for o in records["000"].outcomes if o.measure.startswith("Overall response"))
    assert orr.description == "ORR(including sCR / CR / VGPR / PR, based on IMWG criteria)"
    assert orr.time_frame.startswith("after induction therapy, 1 month after")
    last = records["002"].outcomes[-1]
    assert last.time_frame == "12 months after CT0596 infusion"  # the stray ']' removed
    assert any("stray bracket" in w for w in records["002"].warnings)


def test_phases_come_from_the_description_in_order() -> None:
    result = import_record(_seed("000"))
    phases = {p.id: p for p in result.phases}
    assert list(phases) == ["induction", "cart1", "consolidation", "asct", "cart2", "maintenance"]
    assert (phases["induction"].cycles, phases["induction"].regimen) == (3, "vrd")
    assert phases["consolidation"].regimen == "vr"
    assert "start: asct.transplant + 100d" in result.text
    single = import_record(_seed("004"))
    assert [(p.id, p.block) for p in single.phases] == [("cart", "cart_dual")]


MALFORMED = {
    "no-outcomes.txt": "A Study of Something\nA summary sentence. Another one.\nMyeloma\nDRUG: Daratumumab\n",
    "title-only.txt": "Just A Title\n",
    "no-time-frame.txt": ("A Study\nSummary here. More.\nMyeloma\nDRUG: X\n"
                          "Overall survival|Response rate, Proportion responding, at the discretion of the "
                          "investigator|PFS, Time to progression (, 2 years\n"
                          "Patients receive 6 cycles of daratumumab followed by ASCT.\n"),
    "brackets.txt": ("A Study \\[Phase 2\\]\nSummary.\nMyeloma]\nBIOLOGICAL: CAR-T\n"
                     "ORR, Response \\> 50%, Day 28 post infusion]]|OS, Survival, 1 years\n"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_records_give_a_valid_draft_and_warnings(name: str, tmp_path: Path) -> None:
    record = tmp_path / name
    record.write_text(MALFORMED[name], encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = import_record(record, output=out)
    assert result.problems == []
    out.write_text(result.text, encoding="utf-8")
    compile_file(out)
    assert result.warnings


def test_what_cannot_be_read_is_kept_as_a_todo_with_the_original_text(tmp_path: Path) -> None:
    record = tmp_path / "r.txt"
    record.write_text(MALFORMED["no-time-frame.txt"], encoding="utf-8")
    result = import_record(record, output=tmp_path / "d.yaml")
    text = result.text
    assert "# TODO: the record gives no time frame for this outcome" in text
    assert "at the discretion of the investigator" in text
    assert "# TODO: time frame piece 'at the discretion of the investigator' not read" in text
    assert "days: [1]" in text and "daratumumab" in text  # an unknown regimen: inline placeholder
    assert [p.id for p in result.phases] == ["treatment", "asct"]


@given(lines=st.lists(st.sampled_from([
    *_seed("000").read_text(encoding="utf-8").splitlines(), *_seed("003").read_text(encoding="utf-8").splitlines(),
    "]", "|", ", , ,", "DRUG:", "x, y, z|", "((", "\\^\\[", "12 weeks", "Primary, , 3 months]",
]), min_size=1, max_size=8), noise=st.text(max_size=40))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_shuffled_and_broken_records_never_crash(lines: list[str], noise: str, tmp_path: Path) -> None:
    record = tmp_path / "fuzz.txt"
    record.write_text("\n".join([*lines, noise]), encoding="utf-8")
    try:
        result = import_record(record, output=tmp_path / "d.yaml")
    except InputError as error:  # only a record with nothing in it is refused
        assert "empty" in str(error)
        return
    assert result.problems == []


def test_malformed_json_records_give_a_draft_and_warnings(tmp_path: Path) -> None:
    record = tmp_path / "r.json"
    study = {"protocolSection": {
        "identificationModule": {"nctId": "NCT01234567"},
        "conditionsModule": {"conditions": "not a list"},
        "armsInterventionsModule": [],
        "outcomesModule": {"primaryOutcomes": [{"measure": "ORR"}, "junk", {"timeFrame": "Up to 2 years"}]},
    }}
    record.write_text(json.dumps({"studies": [study, study]}), encoding="utf-8")
    result = import_record(record, output=tmp_path / "d.yaml")
    assert result.problems == []
    assert [o.measure for o in result.record.outcomes] == ["ORR", "primary outcome 3"]
    assert {"the file lists 2 studies; only the first is read", "no title",
            "armsInterventionsModule is not an object; ignored", "primaryOutcomes[1] is not an object; skipped",
            "primaryOutcomes[0] ('ORR') has no time frame"} <= set(result.warnings)


@pytest.mark.parametrize(("text", "message"), [
    ("", "the record is empty"),
    ("  \n\n", "the record is empty"),
    ('{"protocolSection": ', "not valid JSON"),
    ('{"studies": []}', "lists no studies"),
    ('{"hello": 1}', "no protocolSection"),
])
def test_records_that_are_not_records_are_refused(text: str, message: str, tmp_path: Path) -> None:
    record = tmp_path / "r.json"
    record.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        import_record(record)


def test_cli_import_writes_the_draft_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", str(_seed("000")), "-o", str(out), "--report"])
    assert result.exit_code == 0, result.output
    assert compile_file(out).events
    report = result.stdout
    assert report.startswith(f"Draft {out}: valid")
    assert "(e) phase anchor       'after induction therapy' -> induction.end" in report
    assert "(a) point              '6 months after the second CAR-T cell transfusion' -> cart2.infusion + 6mo" in report
    assert "(c) horizon            '1 year' -> cart1.infusion + 1y" in report
    assert "counted from 'first induction date' (the outcome's description)" in report
    assert "cart2          procedure cart_bcma  <- 'second infusion of CAR-T cells'" in report


def test_cli_import_to_stdout_and_bad_records(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(_seed("003"))])
    assert result.exit_code == 0
    assert "block: cart_bcma" in result.stdout and "at: cart.infusion + 6mo" in result.stdout
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", str(empty), "-o", str(out)])
    assert result.exit_code == 2
    assert f"error: {empty}: the record is empty" in result.stderr
    assert not out.exists()
    result = runner.invoke(app, ["import", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "record file not found" in result.stderr
    result = runner.invoke(app, ["import", str(_seed("000")), "--library", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "library directory not found" in result.stderr
