"""Arms and decision points in the language: one timeline per path, checked by hand; what selects an item for a
path; standard visits; the errors a protocol author meets; check on every path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PROTOCOLS, SEED_000
from typer.testing import CliRunner

from schedsim.check.checker import check_file
from schedsim.cli import app
from schedsim.compile.compiler import compile_file
from schedsim.compile.paths import all_paths
from schedsim.compile.validate import validate_file
from schedsim.engine.schedule import timeline_for
from schedsim.language.loader import load_protocol

runner = CliRunner()
TWO_ARM = PROTOCOLS / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
ADAPTED = PROTOCOLS / "examples" / "response-adapted-cart2.yaml"
def days(path: Path, **choice: object) -> dict[str, int]:
    """Study day of every event on one path."""
    return {item.event.id: item.day for item in timeline_for(path, **choice).events}  # type: ignore[arg-type]


def test_two_arm_dates_by_hand() -> None:
    cart = days(TWO_ARM, arm="cart")
    # arm A: leukapheresis a week before D-VRd cycle 1 day 1 (study day 1; no day 0), 6 cycles of 28 days
    assert (cart["collection.apheresis"], cart["induction.c1.start"], cart["induction.c6.start"]) == (-7, 1, 141)
    assert cart["induction.end"] == 168
    # lymphodepletion 14 full days after induction: days 183-185, infusion day 188, day-28 visit day 216
    assert (cart["cart.lymphodepletion.d-5.fludarabine"], cart["cart.infusion"]) == (183, 188)
    assert cart["cart.followup_visit.d28"] == 216 and cart["maintenance.c1.start"] == 216 + 1 + 3  # 3 days' gap
    assert "asct.transplant" not in cart and "consolidation.c5.start" not in cart
    asct = days(TWO_ARM, arm="asct")
    # arm B: 4 cycles (day 112), mobilisation 21 full days later (day 134 = block day -21), transplant day 155
    assert (asct["induction.end"], asct["asct.start"], asct["asct.transplant"]) == (112, 134, 155)
    # consolidation cycles 5-6 from transplant + 60 d: day 215; daratumumab days 1 and 15 from cycle 3 on
    assert asct["consolidation.c5.start"] == 215 and asct["consolidation.c5.d15.daratumumab"] == 229
    assert "consolidation.c5.d8.daratumumab" not in asct
    assert asct["maintenance.c1.start"] == 270 + 1 + 7  # consolidation ends day 270, one week's gap
    assert "collection.apheresis" not in asct and "cart.infusion" not in asct
    # the same event ids in both arms (induction, maintenance), time points only in their arm
    assert "response.post_cart" in cart and "response.post_cart" not in asct
    assert "response.post_consolidation" in asct and "response.post_consolidation" not in cart


def test_response_adapted_dates_by_hand() -> None:
    cr = days(ADAPTED, branches={"post_asct": "cr"})
    no_cr = days(ADAPTED, branches={"post_asct": "no_cr"})
    transplant = cr["asct.transplant"]
    assert transplant == no_cr["asct.transplant"] == 259  # the shared part is the same on both branches
    # the decision is taken at the day +90 response; CR: maintenance from day 100 after ASCT, no CAR-T #2
    assert cr["post_asct"] == no_cr["post_asct"] == transplant + 90
    assert cr["maintenance.c1.start"] == transplant + 100 and "cart2.infusion" not in cr
    # no CR: lymphodepletion 7 full days after the decision, infusion on its day 0 (5 days later)
    assert no_cr["cart2.start"] == transplant + 90 + 8 and no_cr["cart2.infusion"] == no_cr["cart2.start"] + 5
    assert no_cr["maintenance.c1.start"] == no_cr["cart2.end"] + 15
    # the response 3 months after CAR-T #2 exists only on that branch; the horizon is the latest point each has
    assert "response.post_cart2" in no_cr and "response.post_cart2" not in cr
    assert cr["study.horizon"] == no_cr["study.horizon"] == 731


def test_default_path_and_what_the_timeline_says() -> None:
    assert compile_file(TWO_ARM).design.arm == "cart"  # the first arm
    assert compile_file(ADAPTED).design.decisions[0].branch == "cr"  # the decision's default
    loaded = load_protocol(TWO_ARM)
    assert [p.label for p in all_paths(loaded)] == ["arm cart", "arm asct"]
    assert [p.label for p in all_paths(load_protocol(ADAPTED))] == ["post_asct=cr", "post_asct=no_cr"]
    result = runner.invoke(app, ["timeline", str(ADAPTED), "--branch", "post_asct=no_cr", "-f", "json"])
    data = json.loads(result.stdout)
    assert data["branches"] == {"post_asct": "no_cr"} and "arm" not in data
    table = runner.invoke(app, ["timeline", str(TWO_ARM), "--arm", "asct"]).stdout
    assert "arm asct: B: D-VRd x4" in table and "other arms: cart" in table
    single = json.loads(runner.invoke(app, ["timeline", str(SEED_000), "-f", "json"]).stdout)
    assert "arm" not in single and "branches" not in single  # a study without arms: the contract as before


BASE = """
id: design
title: Design errors
arms:
  - {id: a, label: A}
  - {id: b, label: B}
arm_assignment: randomised
phases:
  - id: induction
    kind: cycles
    cycles: 2
    cycle_length: 21d
    agents: {bortezomib: {dose: 1.3 mg/m2, days: [1, 8]}}
  - id: only_b
    kind: cycles
    arms: [b]
    cycles: 1
    cycle_length: 21d
    agents: {lenalidomide: {dose: 10 mg, days: 1-21}}
"""


@pytest.mark.parametrize(("extra", "line", "field", "message"), [
    ("  - {id: late, kind: cycles, arms: [a], branch: d.x, cycles: 1, cycle_length: 7d, agents: {x: {dose: '1', "
     "days: 1}}}\ndecisions:\n  - {id: d, arms: [b], label: Q, at: induction.end, branches: [{id: x, label: X}, "
     "{id: y, label: Y}]}\n", 19, "phases.2.branch", "this is on no path of the design"),
    ("  - {id: late, kind: cycles, arms: [c], cycles: 1, cycle_length: 7d, agents: {x: {dose: '1', days: [1]}}}\n",
     19, "phases.2.arms.0", "unknown arm 'c'"),
    ("assessments:\n  - {id: echo, label: Echo, at: only_b.end}\n", 20, "assessments.0.at",
     "only_b.end is not on this path (only_b is only in arm b)"),
    ("assessments:\n  - {id: echo, label: Echo, at: induction.end, branch: later.x}\n", 20, "assessments.0.branch",
     "unknown decision 'later'"),
    ("  - {id: only_b, kind: cycles, arms: [a, b], cycles: 1, cycle_length: 7d, agents: {x: {dose: '1', days: 1}}}\n",
     19, "phases.2.id", "id 'only_b' is used twice (first at line 13): phase, assessment and decision ids must be "
                        "unique, or one per arm or branch"),
    ("decisions:\n  - {id: arm, label: Q, at: induction.end, branches: [{id: x, label: X}, {id: y, label: Y}]}\n",
     20, "decisions.0.id", "'arm' names a column of the simulation's subjects.csv"),
])
def test_design_errors_name_the_line(write, extra: str, line: int, field: str, message: str) -> None:
    path = write(BASE + extra)
    problems = validate_file(path)
    assert problems, "accepted"
    problem = next(p for p in problems if message in p.message)
    assert (problem.line, problem.field) == (line, field)


def test_decision_branches_and_arm_assignment_are_checked(write) -> None:
    decision = BASE + """
decisions:
  - id: after
    label: Response?
    at: induction.end
    branches:
      - {id: cr, label: CR, probability: 0.7}
      - {id: no_cr, label: No CR, probability: 0.2}
"""
    assert "add up to 0.9, not 1" in " ".join(p.message for p in validate_file(write(decision)))
    unquoted = decision.replace("label: CR,", "label: true,")  # a boolean where a text is expected: quote it
    (problem,) = validate_file(write(unquoted, "yes.yaml"))
    assert problem.field == "decisions.0.branches.0.label"
    assert "expected text, got true: put it in quotes" in problem.message
    as_word = decision.replace("label: CR,", "label: yes,")  # YAML 1.2: yes is a word
    assert [p.message for p in validate_file(write(as_word, "word.yaml"))] == \
        [p.message for p in validate_file(write(decision, "plain.yaml"))]
    missing = BASE.replace("arm_assignment: randomised\n", "")
    assert "arm_assignment: randomised" in " ".join(p.message for p in validate_file(write(missing, "m.yaml")))


def test_validate_compiles_every_path(write) -> None:
    # a constraint on arm b's phase, written for every arm: arm a has no only_b; validate says so for that path
    text = BASE + "constraints:\n  - {event: only_b.start, not_before: induction.end + 7d}\n"
    problems = validate_file(write(text))
    assert any("only_b.start is not on this path" in p.message for p in problems)
    fixed = text.replace("not_before: induction.end + 7d}", "not_before: induction.end + 7d, arms: [b]}")
    assert validate_file(write(fixed, "fixed.yaml")) == []


def test_choices_on_the_command_line_are_checked() -> None:
    for args, text in ((["--arm", "astc"], "unknown arm 'astc'; did you mean asct?"),
                       (["--branch", "post_asct"], "expected decision=branch"),
                       (["--branch", "post_asct=maybe"], "has no branch 'maybe' (branches: cr, no_cr)")):
        protocol = ADAPTED if "--branch" in args else TWO_ARM
        result = runner.invoke(app, ["timeline", str(protocol), *args])
        assert result.exit_code == 2 and text in result.output and "Traceback" not in result.output


def test_check_names_the_paths_a_finding_is_on(write) -> None:
    text = BASE + "assessments:\n  - {id: late_b, label: Late, arms: [b], at: only_b.end + 7d, window: ±3d}\n"
    text += "horizon: induction.start + 60d\n"  # arm b's assessment falls after the horizon; arm a has none
    report = check_file(write(text))
    on_b = [f for f in report.findings if f.paths == ("arm b",)]
    assert {f.rule for f in on_b} == {"SCH112", "SCH303"}  # after the horizon: only arm b has these events
    assert any("late_b must fall on or before study.horizon" in f.message for f in on_b)
    assert all(f.paths in ((), ("arm b",)) for f in report.findings)
    assert "[arm b] late_b must fall" in report.to_text()
    found = json.loads(report.to_json())["findings"]
    assert {tuple(f.get("paths", ())) for f in found} == {(), ("arm b",)}
    every = [f for f in check_file(TWO_ARM).findings if f.rule == "SCH302"]
    assert every and every[0].paths == ()  # on every path: no path named


VISITS = f"""
id: visits
title: Standard visits
include: [{PROTOCOLS / 'blocks' / 'visits.yaml'}]
phases:
  - id: induction
    kind: cycles
    cycles: 2
    cycle_length: 21d
    agents: {{bortezomib: {{dose: 1.3 mg/m2, days: [1, 8]}}}}
horizon: induction.start + 1y
outcomes:
  - {{id: safety, type: primary, measure: TEAEs, time_frame: 1 year, assessments: [followup]}}
assessments:
  - {{use: screening, anchor: induction.start}}
  - {{use: consent, anchor: induction.start}}
  - {{use: baseline, anchor: induction.start, label: Day -3 labs, window: -2d/+2d}}
  - {{use: end_of_treatment, anchor: induction.end}}
  - {{use: end_of_study}}
  - {{id: followup, label: Follow-up, every: 3mo, from: induction.end, until: study.horizon}}
"""


def test_standard_visits_from_the_library(write) -> None:
    schedule = timeline_for(write(VISITS))
    items = {item.event.id: item for item in schedule.events}
    screening = items["screening"]
    # 14 days before study day 1 (no day 0): day -14, its window days -28 to -1; label and activities from the library
    assert (screening.day, screening.event.label) == (-14, "Screening")
    assert (screening.earliest - screening.t, screening.latest - screening.t) == (-14, 13)
    assert "eligibility review" in screening.event.activities
    assert items["consent"].day == -28 and items["consent"].t <= screening.earliest  # consent before screening
    baseline = items["baseline"]  # what the protocol writes beside 'use' wins
    assert baseline.event.label == "Day -3 labs" and (baseline.latest - baseline.t) == 2
    assert items["end_of_treatment"].day == 42 + 30  # 30 days after the last cycle's last day (day 42)
    assert items["end_of_study"].t == items["study.horizon"].t
    rationale = {schedule.timeline.assumptions[a].field for a in screening.assumptions}
    assert "visits.screening.window" in rationale  # the library's assumption travels with the visit
    report = check_file(write(VISITS, "again.yaml"))
    assert not [f for f in report.findings if f.rule == "SCH205"]  # study conduct, not an endpoint's data


@pytest.mark.parametrize(("change", "field", "message"), [
    ("{use: screening, anchor: induction.start}", "assessments.0.use", None),
    ("{use: screening}", "assessments.0", "is placed around an event ('$anchor - 14d'): say which with 'anchor'"),
    ("{use: screening, anchor: induction.start, at: induction.start}", "assessments.0",
     "placed by its template: give 'anchor', not 'at'"),
    ("{id: x, label: X, at: induction.start, anchor: induction.start}", "assessments.0",
     "'anchor' goes with 'use'"),
])
def test_standard_visit_errors(write, change: str, field: str, message: str | None) -> None:
    text = VISITS.replace("{use: screening, anchor: induction.start}", change)
    if message is None:  # a misspelt template name: said, with the near match
        text = text.replace("use: screening", "use: screenig")
        message = "unknown standard visit 'screenig'; did you mean screening?"
    problems = validate_file(write(text))
    assert any(p.field == field and message in p.message for p in problems), problems


def test_review_findings_on_the_design(write, tmp_path: Path) -> None:
    """The newcomer review's points, each pinned: branch content before its decision (SCH116), events of another
    path named as such, two branches for one decision refused, cycle numbers carried on in the Gantt."""
    early = write("""
id: early
title: Branch before decision
phases:
  - {id: induction, kind: cycles, cycles: 3, cycle_length: 28d, agents: {r: {dose: 25 mg, days: 1-21}}}
decisions:
  - {id: d, label: Response?, at: induction.end, branches: [{id: more, label: More}, {id: stop, label: Stop}]}
assessments:
  - {id: work, label: Pre-work, at: induction.start + 30d, branch: d.more}
""")
    (finding,) = [f for f in check_file(early).findings if f.rule == "SCH116"]
    assert finding.line == 8 and finding.paths == ("d=more",) and "53 day(s) before the decision" in finding.message
    result = runner.invoke(app, ["explain", str(TWO_ARM), "asct.transplant"])
    assert result.exit_code == 2 and "is not on this path: asct is only in arm asct" in result.output
    actuals = tmp_path / "a.csv"
    actuals.write_text("event_id,date\nasct.start,2027-05-01\n", encoding="utf-8")
    result = runner.invoke(app, ["calendar", str(TWO_ARM), "--start", "2027-01-04", "--arm", "cart", "--actuals",
                                 str(actuals)])
    assert result.exit_code == 2 and "a.csv:2: event_id: asct.start is not on the patient's path" in result.output
    twice = runner.invoke(app, ["timeline", str(ADAPTED), "--branch", "post_asct=cr", "--branch", "post_asct=no_cr"])
    assert twice.exit_code == 2 and "is given two branches (cr and no_cr)" in twice.output
    from schedsim.plots.gantt_data import protocol_gantt_data

    data = protocol_gantt_data(timeline_for(TWO_ARM, arm="asct"))
    assert [s.label for s in data.row("consolidation").spans] == ["C5", "C6"]  # numbered on from induction
    lo, _ = data.extent()
    assert lo == days(TWO_ARM, arm="asct")["consent"] - 14  # consent's window (-14 d) is on the chart (day -n: t = -n)


def test_impossible_dates_in_yaml_are_bad_input(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-02-30\nenrolment: {rate_per_month: 2}\n", encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(scenario), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "scenario.yaml:1: start: '2027-02-30' is not a date" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()
