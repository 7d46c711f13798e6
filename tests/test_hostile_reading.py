"""Hostile and absurd input the tool reads (issue 17): file contents never leak and includes stay contained, bombs
from tiny inputs, a linear importer, bad input that used to raise tracebacks, plans that used to be silently wrong,
dates at the calendar's edges, malformed YAML. Each case runs as the command line (``hostile.py``).
"""

from __future__ import annotations

import pytest
from hostile import (
    ACTUALS,
    CYCLES,
    PROTOCOL_TEXT,
    RECORD,
    ROOT,
    SCENARIO,
    SEED,
    Case,
    Ran,
    billion_laughs,
    fifo,
    folder,
    link_to,
    protocol,
    run_all,
    scenario,
    verify,
)

CASES: list[Case] = [
    # -- 2 file contents never leak; includes are contained ------------------------------------------------------------
    Case("include-absolute", ["validate", "p.yaml"], {"p.yaml": protocol(("lib:maintenance]", "lib:maintenance, "
                                                                                              "/etc/passwd]"))},
         says="is outside the folder"),
    Case("include-dotdot", ["validate", "p.yaml"], {"p.yaml": protocol(("lib:maintenance]", "lib:maintenance, "
                                                                                            "../../../../etc/passwd]"))},
         says="is outside the folder"),
    Case("include-symlink-out", ["validate", "p.yaml"], {"evil.yaml": link_to("/etc/passwd"),
                                                          "p.yaml": protocol(("lib:maintenance]",
                                                                              "lib:maintenance, evil.yaml]"))},
         says="is outside the folder"),
    Case("include-symlink-loop", ["validate", "p.yaml"], {"loop.yaml": link_to("loop.yaml"),
                                                           "p.yaml": protocol(("lib:maintenance]",
                                                                               "lib:maintenance, loop.yaml]"))},
         says="include.4"),
    Case("include-long-name", ["validate", "p.yaml"], {"p.yaml": protocol(("lib:maintenance]", "lib:maintenance, "
                                                                                               + "x" * 5000 + "]"))},
         says="include.4"),
    Case("include-nul", ["validate", "p.yaml"], {"p.yaml": protocol(("lib:maintenance]",
                                                                     'lib:maintenance, "a\\0b.yaml"]'))},
         says="control character U+0000"),
    Case("include-lib-escape", ["validate", "p.yaml"], {"p.yaml": protocol(("lib:maintenance]",
                                                                            "lib:maintenance, lib:../../x]"))},
         says="a library name is letters"),
    Case("include-circular", ["validate", "a.yaml"], {"a.yaml": "include: [b.yaml]\nblocks: {}\n",
                                                      "b.yaml": "include: [a.yaml]\nblocks: {}\n"},
         says="circular include"),
    Case("seed-outside-no-oracle", ["check", "p.yaml"],
         {"p.yaml": protocol(("seed: ../seeds/000_9f93e3c7ef5718a8.txt", "seed: /etc/passwd"))}, code=0,
         check=lambda _, out: "'/etc/passwd' is outside the protocol's folder" in out or pytest.fail("probed")),
    Case("closures-never-echoed", ["calendar", str(SEED), "--start", "2027-01-04", "--closures", "c.txt"],
         {"c.txt": "root:x:0:0:root:/root:/bin/bash\n"}, says="not a date or date range: this line",
         check=lambda _, out: "/root" not in out or pytest.fail("the file was echoed")),
    Case("roster-protocol-outside", ["calendar", "--roster", "r.csv"],
         {"r.csv": "patient_id,protocol,start\nP1,/etc/passwd,2027-01-04\n"}, says="is outside the folder"),
    Case("roster-actuals-outside", ["check", "--roster", "r.csv"],
         {"r.csv": "patient_id,protocol,start,actuals\nP1,p.yaml,2027-01-04,/etc/shadow\n", "p.yaml": protocol()},
         says="is outside the folder"),
    Case("allow-path-opens-it", ["--allow-path", str(ROOT / "protocols"), "calendar", "--roster", "r.csv", "-o",
                                 "out.csv"], {"r.csv": f"patient_id,protocol,start\nP1,{SEED},2027-01-04\n"}, code=0,
         absent=()),
    # -- 3 bombs from tiny inputs -----------------------------------------------------------------------------------
    Case("billion-laughs-7", ["validate", "lol.yaml"], {"lol.yaml": billion_laughs(7)}, says="values (aliases"),
    Case("billion-laughs-10", ["validate", "lol.yaml"], {"lol.yaml": billion_laughs(10)}, says="values (aliases"),
    Case("validate-fifo", ["validate", "pipe.yaml"], {"pipe.yaml": fifo}, says="is a pipe (FIFO)"),
    Case("validate-folder", ["validate", "d.yaml"], {"d.yaml": folder}, says="is a folder"),
    Case("record-fifo", ["import", "pipe.txt"], {"pipe.txt": fifo}, says="is a pipe (FIFO)"),
    Case("validate-huge", ["validate", "big.yaml"], {"big.yaml": "# " + "x" * 4_100_000 + "\n"},
         says="larger than 4,000,000 bytes"),
    Case("validate-binary", ["validate", "bin.yaml"], {"bin.yaml": bytes(range(256)) * 64}, says="not UTF-8 text"),
    Case("actuals-fifo", ["calendar", str(SEED), "--start", "2026-06-01", "--actuals", "pipe.csv"],
         {"pipe.csv": fifo}, says="is a pipe (FIFO)"),
    Case("closures-fifo", ["calendar", str(SEED), "--start", "2026-06-01", "--closures", "pipe.txt"],
         {"pipe.txt": fifo}, says="is a pipe (FIFO)"),
    # -- 4 import stays linear ---------------------------------------------------------------------------------------
    Case("import-padded", ["import", "rec.txt", "-o", "out.yaml"],
         {"rec.txt": RECORD.read_text().replace(", 2 year|", ", 2 year" + ", 1 month after the first CAR-T cell "
                                                "transfusion" * 10_000 + "|", 1)}, code=0, absent=()),
    Case("import-many-lines", ["import", "rec.txt", "-o", "out.yaml"],
         {"rec.txt": "\n".join([*RECORD.read_text().split("\n")[:4], *(f"Note {i}." for i in range(40_000)),
                                *RECORD.read_text().split("\n")[4:]])}, code=0, absent=()),
    # -- 5 tracebacks that are bad input -----------------------------------------------------------------------------
    Case("recursive-alias", ["validate", "r.yaml"], {"r.yaml": "id: &a [*a]\n"}, says="refers to itself"),
    Case("deep-lists", ["validate", "d.yaml"], {"d.yaml": "a: " + "[" * 500 + "]" * 500 + "\n"}, says="nested"),
    Case("deep-maps", ["validate", "d.yaml"], {"d.yaml": "".join(f"{' ' * i}k{i}:\n" for i in range(990)) + " " * 990
                                               + "x: 1\n"}, says="nested"),
    Case("huge-int", ["validate", "p.yaml"],
         {"p.yaml": protocol((CYCLES, "    cycles: " + "9" * 5000 + "\n  - id: cart1"))},
         says="digits"),
    Case("sexagesimal", ["validate", "p.yaml"], {"p.yaml": protocol((CYCLES, "    cycles: 1:30\n  - id: cart1"))},
         says="cycles"),
    Case("bool-count", ["validate", "p.yaml"], {"p.yaml": protocol((CYCLES, "    cycles: true\n  - id: cart1"))},
         says="valid integer"),
    Case("actuals-deep", ["calendar", str(SEED), "--start", "2026-06-01", "--actuals", "a.yaml"],
         {"a.yaml": "x: " + "[" * 600 + "]" * 600 + "\n"}, says="nested"),
    Case("actuals-time-of-day", ["calendar", str(SEED), "--start", "2026-06-01", "--actuals", "a.yaml"],
         {"a.yaml": "induction.c1.d1: 2026-06-01 10:30:00\n"}, says="time of day"),
    Case("actuals-huge-date", ["calendar", str(SEED), "--start", "2026-06-01", "--actuals", "a.csv"],
         {"a.csv": "event_id,date\ninduction.c1.d1," + "9" * 5000 + "\n"}, says="not a date"),
    Case("json-deep", ["import", "r.json"], {"r.json": "[" * 100_000 + "]" * 100_000}, says="nested"),
    Case("json-huge-int", ["import", "r.json"], {"r.json": '{"protocolSection": {"designModule": {"enrollmentInfo": '
                                                           '{"count": ' + "9" * 5000 + "}}}}"}, says="not a record"),
    Case("closures-long-field", ["calendar", str(SEED), "--start", "2026-06-01", "--closures", "c.txt"],
         {"c.txt": "2026-06-04," + "x" * 200_000 + "\n"}, says="c.txt"),
    Case("closures-range-edges", ["calendar", str(SEED), "--start", "2026-06-01", "--closures", "c.txt"],
         {"c.txt": "0001-01-01..9999-12-31\n"}, says="outside 1900-2199"),
    Case("roster-start-edge", ["calendar", "--roster", "r.csv"],
         {"r.csv": "patient_id,protocol,start\nP1,p.yaml,9999-12-31\n", "p.yaml": protocol()}, says="not a date"),
    Case("scenario-start-edge", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario().replace("2027-01-04", "9999-01-01")}, says="outside 1900-2199"),
    Case("scenario-tiny-rate", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario().replace("rate_per_month: 2", "rate_per_month: 0.0000001")}, says="0.01"),
    Case("scenario-negative-duration", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario("steps: {manufacturing: {duration: -30d}}")}, says="duration"),
    Case("scenario-negative-ramp", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario().replace("rate_per_month: 2", "rate_per_month: 2, ramp_up: -3mo")}, says="ramp_up"),
    Case("scenario-negative-delay", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario("cycle_delay: {probability: 0.5, delay: -4d}")}, says="delay"),
    Case("scenario-engraftment-400", ["simulate", str(SEED), "--scenario", "s.yaml", "-n", "2", "-o", "out"],
         {"s.yaml": scenario("steps: {infusion: {day: -400d}}")}, says="-365d"),
    Case("patients-million", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "1000000", "-o", "out"],
         says="20,000"),
    Case("patients-centuries", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "20000", "-o", "out"],
         says="years to enrol"),
    Case("workers-too-many", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "2", "-w", "256", "-o", "out"],
         says="--workers"),
    Case("escalation-rate", ["escalation", "simulate", str(ROOT / "protocols" / "pcl-ct0596-dose-escalation.yaml"),
                             "--true-dlt", "0.1,0.2,0.3", "--rate", "1e-9"], says="0.01 to 1,000"),
    # -- 6 silently wrong no more ------------------------------------------------------------------------------------
    Case("window-both-late", ["validate", "p.yaml"], {"p.yaml": protocol(("value: -3d/+7d", "value: +3d/+7d"))},
         says="wholly after its target"),
    Case("window-plus-minus-negative", ["validate", "p.yaml"], {"p.yaml": protocol(("value: -3d/+7d", "value: ±-3d"))},
         says="write ±3d"),
    Case("until-before-from", ["check", "p.yaml"], {"p.yaml": protocol(("until: cart1.infusion + 1y\n",
                                                                        "until: induction.start\n"))},
         code=1, says="SCH117"),
    Case("assessment-49y-early", ["check", "p.yaml"], {"p.yaml": protocol(("at: induction.end          #",
                                                                           "at: induction.start - 49y  #"))},
         code=1, says="SCH118"),
    Case("terminal-escape-label", ["validate", "p.yaml"],
         {"p.yaml": protocol(("label: VRd induction\n", 'label: "VRd \\e[31m induction"\n'))}, says="U+001B"),
    Case("bidi-override-label", ["validate", "p.yaml"],
         {"p.yaml": protocol(("label: VRd induction\n", 'label: "VRd \\u202e induction"\n'))}, says="U+202E"),
    Case("horizon-49-years", ["validate", "p.yaml"], {"p.yaml": protocol(("value: induction.start + 2y",
                                                                          "value: induction.start + 49y"))}, code=0,
         absent=()),
    Case("phases-201", ["validate", "p.yaml"], {"p.yaml": PROTOCOL_TEXT.replace("seed: ../seeds/", "seed: " + str(
        ROOT / "seeds") + "/").replace("phases:\n", "phases:\n" + "".join(
            f"  - {{id: p{i}, kind: procedure, label: P{i}, block: cart_bcma, after: induction.end}}\n"
            for i in range(200)), 1)}, says="at most 200"),
]

DATE_COMMANDS = {
    "timeline": ["timeline", str(SEED)], "explain": ["explain", str(SEED), "maintenance.start"],
    "calendar": ["calendar", str(SEED)], "gantt": ["gantt", str(SEED), "-o", "out.png"],
    "patient-gantt": ["patient-gantt", str(SEED), "-o", "out.png"],
    "check-actuals": ["check", str(SEED), "--actuals", str(ACTUALS)],
}
for command, base in DATE_COMMANDS.items():
    for day in ("9999-06-01", "0001-01-01", "2027-02-30"):
        CASES.append(Case(f"start-{day}-{command}", [*base, "--start", day],
                          says="outside 1900-2199" if day != "2027-02-30" else "not a date", absent=("out.png",)))
for command, base in {"swimmer": ["swimmer", str(ROOT / "protocols" / "examples" / "roster.csv"), "-o", "out.png"],
                      "visit-load": ["visit-load", str(ROOT / "protocols" / "examples" / "roster.csv"), "-o",
                                     "out.png"],
                      "due": ["due", str(ROOT / "protocols" / "examples" / "roster.csv"), "--week", "2026-W48"]
                      }.items():
    CASES.append(Case(f"today-edge-{command}", [*base, "--today", "9999-12-31"], says="outside 1900-2199",
                      absent=("out.png",)))
CASES.append(Case("week-edge", ["due", str(ROOT / "protocols" / "examples" / "roster.csv"), "--week", "9999-W52"],
                  says="outside 1900-2199"))
for name, text in (("empty", ""), ("only-comment", "# nothing\n"), ("list", "- a\n- b\n"), ("scalar", "just text\n"),
                   ("tab-indent", "id: x\n\ttitle: y\n"), ("duplicate-key", "id: a\nid: b\n"),
                   ("key-not-text", "? [a, b]\n: c\n"), ("bad-unicode-escape", 'a: "\\uZZZZ"\n')):
    CASES.append(Case(f"yaml-{name}", ["validate", "f.yaml"], {"f.yaml": text}))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    return run_all(CASES, tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(case: Case, results: dict[str, Ran]) -> None:
    verify(case, results[case.name])
