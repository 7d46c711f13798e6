"""Real regimens in the protocol language: dosing that changes by cycle, cycle numbers carried on across phases, and
open-ended treatment until progression. The D-VRd example's dates are computed by hand in the comments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import PROTOCOLS

from schedsim.calendar.patient import calendar_for
from schedsim.check.checker import check_file
from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import timeline_for
from schedsim.errors import InputError

DVRD = PROTOCOLS / "examples" / "dvrd-asct-dr.yaml"
START = date(2027, 1, 4)  # a Monday


def dates(path: Path) -> dict[str, date]:
    schedule = timeline_for(path, START)
    return {item.event.id: item.date for item in schedule.events}  # type: ignore[misc]


def test_dvrd_dates_by_hand() -> None:
    got = dates(DVRD)
    # induction: 4 cycles of 21 days from Monday 4 Jan 2027
    assert [got[f"induction.c{c}.start"] for c in range(1, 5)] == [
        date(2027, 1, 4), date(2027, 1, 25), date(2027, 2, 15), date(2027, 3, 8)]
    assert got["induction.end"] == date(2027, 3, 28)  # day 84
    # daratumumab days 1, 8, 15 in cycles 1-2, day 1 from cycle 3
    dara = sorted(d for e, d in got.items() if e.startswith("induction.") and e.endswith(".daratumumab"))
    assert dara == [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25), date(2027, 2, 1),
                    date(2027, 2, 8), date(2027, 2, 15), date(2027, 3, 8)]
    # ASCT: mobilisation 21 days after induction ends (day -21), transplant 21 days later
    assert got["asct.start"] == date(2027, 4, 19) and got["asct.transplant"] == date(2027, 5, 10)
    # consolidation from day 60 after transplant, numbered on: cycles 5 and 6, daratumumab on day 1
    assert got["consolidation.c5.start"] == date(2027, 7, 9) and got["consolidation.c6.start"] == date(2027, 7, 30)
    assert "consolidation.c1.start" not in got and got["consolidation.c5.d1.daratumumab"] == date(2027, 7, 9)
    assert "consolidation.c5.d8.daratumumab" not in got and got["consolidation.end"] == date(2027, 8, 19)
    # maintenance one week later, up to 2 years: 26 whole 28-day cycles to 26 Aug 2029; cycle 27 would be cut short
    assert got["maintenance.start"] == date(2027, 8, 27) and got["maintenance.end"] == date(2029, 8, 26)
    assert got["maintenance.c26.start"] == date(2027, 8, 27) + timedelta(days=25 * 28) == date(2029, 7, 27)
    assert "maintenance.c27.start" not in got
    # assessments: response at day 100, every 3 months after consolidation; MRD 12 months into maintenance
    assert got["response.day100"] == date(2027, 8, 18)
    assert got["response_q3m.1"] == date(2027, 11, 19) and got["mrd.t3"] == date(2028, 8, 27)


def test_dvrd_calendar_and_check() -> None:
    calendar = calendar_for(DVRD, START)
    visit = calendar.find("consolidation.c5.d1")
    assert visit is not None and visit.label == "Cycle 5 day 1 visit" and visit.tag == "C5D1" and visit.cycle == 5
    assert "Daratumumab 1800 mg SC" in {row.label for row in calendar.rows if row.event_id.endswith("daratumumab")}
    report = check_file(DVRD)
    assert report.count("error") == 0
    (note,) = [f for f in report.findings if f.rule == "SCH305"]
    assert "until progression or unacceptable toxicity" in note.message and "cycles 1-26" in note.message
    # the text's own coincidence: day 100 after ASCT and the end of consolidation are one day apart
    assert {f.rule for f in report.findings if f.severity == "warning"} == {"SCH202"}


REGIMEN = """
id: r
title: Regimen rules
phases:
  - id: induction
    kind: cycles
    cycles: 2
    cycle_length: 21d
    agents:
{agents}
{more}
"""
PLAIN = "      v: {dose: 1 mg, days: [1, 8]}"


@pytest.mark.parametrize(("agents", "more", "message"), [
    ("      v: {dose: 1 mg, days: [1], schedule: [{cycles: 1, days: [1]}]}", "", "either 'days' or a 'schedule'"),
    ("      v: {dose: 1 mg, schedule: [{cycles: 1-3, days: [1]}, {cycles: 3-, days: [8]}]}", "",
     "cycle 3 is in two of them"),
    ("      v: {dose: 1 mg, schedule: [{cycles: 1-, days: [1, 22]}]}", "", "dosing day 22 lies outside the 21-day"),
    ("      v: {dose: 1 mg, days: [1], cycles: 0-2}", "", "starts before cycle 1"),
    (PLAIN, "  - {id: more, kind: cycles, cycles: 1, cycle_length: 21d, agents: {w: {dose: 1 mg, days: [1]}}, "
            "continues: nothing}", "'continues' names 'nothing'"),
    (PLAIN, "  - {id: more, kind: cycles, cycle_length: 21d, agents: {w: {dose: 1 mg, days: [1]}}, "
            "stops_on: [progression]}", "needs 'up_to'"),
    (PLAIN, "  - {id: more, kind: cycles, cycle_length: 21d, agents: {w: {dose: 1 mg, days: [1]}}, up_to: 1y}",
     "give 'stops_on' as well"),
])
def test_bad_regimen_rules_name_the_field(write, agents: str, more: str, message: str) -> None:
    path = write(REGIMEN.format(agents=agents, more=more))
    with pytest.raises(InputError) as caught:
        compile_file(path)
    problem = caught.value.problems[0]
    assert message in str(problem) and problem.line is not None and str(path) in str(problem)


def test_a_dropped_drug_and_a_dose_step_up(write) -> None:
    agents = ("      lenalidomide: {dose: 25 mg PO, days: 1-14, cycles: 1}\n"
              "      venetoclax: {dose: 400 mg PO, schedule: [{cycles: 1, days: [1], dose: 20 mg PO},"
              " {cycles: 2, days: [1]}]}")
    timeline = compile_file(write(REGIMEN.format(agents=agents, more="")))
    ids = {e.id: e for e in timeline.events}
    assert "induction.c1.d14.lenalidomide" in ids and "induction.c2.d1.lenalidomide" not in ids  # dropped after 1
    assert ids["induction.c1.d1.venetoclax"].dose == "20 mg PO"
    assert ids["induction.c2.d1.venetoclax"].dose == "400 mg PO"


def test_continuing_numbers_make_one_regimen_of_two_phases(write) -> None:
    """The old workaround (two phases) no longer restarts the numbering nor raises a false SCH203 at the seam."""
    split = write(REGIMEN.format(agents="      v: {dose: 1 mg, days: [1, 8], window: ±1d}", more=(
        "    visits: [{day: 1, window: -1d/+2d}]\n"
        "  - {id: more, kind: cycles, cycles: 2, cycle_length: 21d, continues: induction, after: induction.end,\n"
        "     agents: {v: {dose: 1 mg, days: [1, 8], window: ±1d}}, visits: [{day: 1, window: -1d/+2d}]}")))
    timeline = compile_file(split)
    assert {e.id for e in timeline.events} >= {"more.c3.d1", "more.c4.d8.v"}
    assert "SCH203" not in {f.rule for f in check_file(split).findings}


@pytest.mark.parametrize(("block", "conditioning"), [("allo_hct_flu_bu", [-5, -4, -3, -2]),
                                                     ("allo_hct_flu_mel", [-6, -5, -4, -3, -2, -1])])
def test_allogeneic_hct_blocks(write, block: str, conditioning: list[int]) -> None:
    path = write(f"""
id: allo
title: Allogeneic HCT
include: [{PROTOCOLS / "blocks" / "allo_hct.yaml"}]
phases:
  - {{id: hct, kind: procedure, block: {block}}}
""")
    timeline = compile_file(path)
    schedule = timeline_for(path, START)
    day0 = schedule.find("hct.transplant").t  # type: ignore[union-attr]
    days = {item.event.id: item.t - day0 for item in schedule.events}
    assert sorted({d for e, d in days.items() if timeline.event(e).role == "conditioning"
                   and timeline.event(e).kind == "dose"}) == conditioning  # the days (two drugs a day for Flu/Bu)
    tacrolimus = next(e for e in timeline.events if e.id.startswith("hct.tacrolimus"))
    assert days[tacrolimus.id] == -3 and tacrolimus.duration == 104 and tacrolimus.setting == "home"  # to day +100
    assert [d for e, d in sorted(days.items(), key=lambda x: x[1]) if ".methotrexate." in e] == [1, 3, 6, 11]
    assert (days["hct.day30"], days["hct.day100"]) == (30, 100)
    assert check_file(path).count("error") == 0
