"""Hostile and absurd input (issue 17): one case per finding of the hostile-input campaign, each run as the command
line in a subprocess with memory and CPU limits, in a scratch folder of its own.

Every case states what must happen: the exit code (2 for bad input unless the case documents another behaviour), a
phrase of the message, and what must not: a Python traceback, an output file left behind, or a run that does not
end in time. No case writes to a real device: special files are FIFOs made in the scratch folder.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
RECORD = next((ROOT / "seeds").glob("000_*.txt"))
ACTUALS = ROOT / "protocols" / "examples" / "P001.actuals.csv"
MEMORY = 2 * 1024**3  # bytes of address space a case may use
SECONDS = 60  # wall time a case may take (CPU time is limited to the same)
PROTOCOL_TEXT = SEED.read_text(encoding="utf-8")
CYCLES = "    cycles: 3\n  - id: cart1"  # induction's cycle count, where the cases change it


def protocol(*changes: tuple[str, str]) -> str:
    """Seed 000 with text replaced (each replacement must apply once)."""
    text = PROTOCOL_TEXT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.replace("seed: ../seeds/", f"seed: {ROOT / 'seeds'}/")


def billion_laughs(levels: int) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        prev, name = chr(96 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def scenario(*extra: str) -> str:
    return "start: 2027-01-04\nenrolment: {rate_per_month: 2}\n" + "".join(f"{line}\n" for line in extra)


@dataclass
class Case:
    """One hostile input: files to make, the command, and what must happen."""

    name: str
    args: list[str]
    files: dict[str, str | bytes | Callable[[Path], None]] = field(default_factory=dict)
    code: int = 2
    says: str = ""
    absent: tuple[str, ...] = ("out",)  # outputs that must not exist afterwards
    check: Callable[[Path, str], None] | None = None  # a documented non-error behaviour


def fifo(path: Path) -> None:
    os.mkfifo(path)


def link_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def folder(path: Path) -> None:
    path.mkdir()


def private(path: Path) -> None:
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o600)


CASES: list[Case] = [
    # -- 1 output targets --------------------------------------------------------------------------------------------
    Case("o-fifo", ["timeline", str(SEED), "-o", "pipe.txt"], {"pipe.txt": fifo}, says="-o names a regular file"),
    Case("o-folder", ["timeline", str(SEED), "-o", "dir.txt"], {"dir.txt": folder}, says="it is a folder"),
    Case("o-link-to-fifo", ["timeline", str(SEED), "-o", "link.txt"], {"pipe": fifo, "link.txt": link_to("pipe")},
         says="-o names a regular file"),
    Case("o-link-written-through", ["timeline", str(SEED), "-o", "link.csv"],
         {"real.csv": "old\n", "link.csv": link_to("real.csv")}, code=0,
         check=lambda d, _: (d / "link.csv").is_symlink() and (d / "real.csv").read_text().startswith("id,") or
         pytest.fail("the link was replaced or not written through")),
    Case("o-equals-actuals", ["calendar", str(SEED), "--start", "2026-06-01", "--actuals", "act.csv", "-o",
                              "act.csv"], {"act.csv": ACTUALS.read_text()}, says="this run reads that file",
         check=lambda d, _: (d / "act.csv").read_text() == ACTUALS.read_text() or pytest.fail("actuals changed")),
    Case("o-equals-record", ["import", "rec.txt", "-o", "rec.txt"], {"rec.txt": RECORD.read_text()},
         says="not a registry record" if False else "", code=2,
         check=lambda d, _: (d / "rec.txt").read_text() == RECORD.read_text() or pytest.fail("record changed")),
    Case("o-equals-protocol", ["timeline", "p.yaml", "-o", "p.yaml"], {"p.yaml": protocol()}, code=2,
         says="unknown extension", check=lambda d, _: (d / "p.yaml").read_text() == protocol() or pytest.fail("x")),
    Case("o-missing-folder", ["timeline", str(SEED), "-o", "nope/t.csv"], says="does not exist",
         absent=("nope",)),
    Case("o-unknown-extension", ["calendar", str(SEED), "--start", "2027-01-04", "-o", "cal.pdf"],
         says="unknown extension '.pdf'", absent=("cal.pdf",)),
    Case("o-keeps-permissions", ["timeline", str(SEED), "-o", "private.csv"], {"private.csv": private}, code=0,
         check=lambda d, _: (d / "private.csv").stat().st_mode & 0o777 == 0o600 or pytest.fail("mode changed")),
    Case("sim-o-file-name", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "2", "-o", "sim.csv"],
         says="simulate writes a folder", absent=("sim.csv",)),
    Case("sim-o-foreign-folder", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "2", "--no-plots", "-o",
                                  "mine"], {"mine": folder, "mine/thesis.docx": "x"}, says="holds other files",
         check=lambda d, _: sorted(p.name for p in (d / "mine").iterdir()) == ["thesis.docx"] or pytest.fail("x")),
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
    # -- 9 formula injection and markup --------------------------------------------------------------------------------
    Case("csv-formula-neutralised", ["calendar", "--roster", "r.csv", "-o", "out.csv"],
         {"r.csv": 'patient_id,protocol,start\n"=HYPERLINK(""http://x"")",p.yaml,2027-01-04\n', "p.yaml": protocol()},
         code=0, absent=(), check=lambda d, _: "\n'=HYPERLINK(" in (d / "out.csv").read_text().replace('"', "")
         or pytest.fail("the formula was written as is")),
    Case("markdown-no-html", ["calendar", "--roster", "r.csv", "-o", "out.md"],
         {"r.csv": 'patient_id,protocol,start\n"<script>x</script>",p.yaml,2027-01-04\n', "p.yaml": protocol()},
         code=0, absent=(), check=lambda d, _: "<script>" not in (d / "out.md").read_text() or pytest.fail("html")),
    # -- 10 import writes valid YAML ---------------------------------------------------------------------------------
    Case("import-odd-characters", ["import", "rec.txt", "-o", "out.yaml"],
         {"rec.txt": RECORD.read_text().replace("Safety and Tolerability", "Safety\u2028and\rTolerability", 1)},
         code=0, absent=(), check=lambda d, _: __import__("yaml").safe_load((d / "out.yaml").read_text()) or
         pytest.fail("not YAML")),
]

def xlsx_has_no_formula(folder: Path, _: str) -> None:
    import zipfile

    sheets = [n for n in zipfile.ZipFile(folder / "out.xlsx").namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in zipfile.ZipFile(folder / "out.xlsx").read(n) for n in sheets), "formula"


SIM = ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "2", "--no-plots"]
CASES += [
    Case("horizon-49-years", ["validate", "p.yaml"], {"p.yaml": protocol(("value: induction.start + 2y",
                                                                          "value: induction.start + 49y"))}, code=0,
         absent=()),
    Case("phases-201", ["validate", "p.yaml"], {"p.yaml": PROTOCOL_TEXT.replace("seed: ../seeds/", "seed: " + str(
        ROOT / "seeds") + "/").replace("phases:\n", "phases:\n" + "".join(
            f"  - {{id: p{i}, kind: procedure, label: P{i}, block: cart_bcma, after: induction.end}}\n"
            for i in range(200)), 1)}, says="at most 200"),
]
CASES += [  # found by an independent re-check of the hardening
    Case("xlsx-formula-stays-text", ["calendar", "--roster", "r.csv", "-o", "out.xlsx"],
         {"r.csv": 'patient_id,protocol,start\n"=HYPERLINK(""http://x"",""y"")",p.yaml,2027-01-04\n',
          "p.yaml": protocol()}, code=0, absent=(), check=xlsx_has_no_formula),
    Case("sim-folder-holds-an-input", ["simulate", str(SEED), "--scenario", "o2/summary.json", "-n", "2",
                                       "--no-plots", "-o", "o2"],
         {"o2": folder, "o2/summary.json": SCENARIO.read_text()},
         says="this run reads summary.json",
         check=lambda d, _: (d / "o2" / "summary.json").read_text() == SCENARIO.read_text() or pytest.fail("gone")),
    Case("sim-into-working-folder", [*SIM, "-o", "."], says="working folder",
         check=lambda d, _: not any(p.name.startswith(".") for p in d.iterdir()) or pytest.fail("left a folder")),
    Case("sim-into-empty-name", [*SIM, "-o", ""], says="working folder"),
    Case("sim-through-symlink", [*SIM, "-o", "linkout"], {"realout": folder, "linkout": link_to("realout")}, code=0,
         absent=(), check=lambda d, _: (d / "linkout").is_symlink() and (d / "realout" / "events.csv").exists()
         or pytest.fail("the link was replaced")),
    Case("sim-patient-runs", ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "20000", "-r", "10000",
                              "-o", "out"], says="simulated patients"),
    Case("csv-line-break-in-cell", ["calendar", "--roster", "r.csv"],
         {"r.csv": 'patient_id,protocol,start\n"a\r\nEND:VEVENT",p.yaml,2027-01-04\n', "p.yaml": protocol()},
         says="U+000D"),
    Case("two-outputs-one-file", ["escalation", "simulate", str(ROOT / "protocols" / "pcl-ct0596-dose-escalation.yaml"),
                                  "--true-dlt", "0.1,0.2,0.3,0.4", "--trials", "5", "-f", "text", "-o", "g.svg",
                                  "--gantt", "g.svg"], says="give the chart a file of its own", absent=("g.svg",)),
    Case("closures-too-many-days", ["calendar", str(SEED), "--start", "2027-01-04", "--closures", "c.txt"],
         {"c.txt": "".join(f"{1900 + i}-01-01..{1900 + i}-12-31\n" for i in range(100))}, says="closed days"),
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
for option, value in (("--patients", "0"), ("--replicates", "0"), ("--seed", "-1"), ("--workers", "0")):
    CASES.append(Case(f"simulate{option}-{value}", ["simulate", str(SEED), "--scenario", str(SCENARIO), option, value,
                                                    "-o", "out"]))
for extension in (".xls", ".docx", ".yaml", ".pdf", ".bak"):
    CASES.append(Case(f"timeline-ext{extension}", ["timeline", str(SEED), "-o", f"out{extension}"],
                      says="unknown extension", absent=(f"out{extension}",)))
for name, text in (("empty", ""), ("only-comment", "# nothing\n"), ("list", "- a\n- b\n"), ("scalar", "just text\n"),
                   ("tab-indent", "id: x\n\ttitle: y\n"), ("duplicate-key", "id: a\nid: b\n"),
                   ("key-not-text", "? [a, b]\n: c\n"), ("bad-unicode-escape", 'a: "\\uZZZZ"\n')):
    CASES.append(Case(f"yaml-{name}", ["validate", "f.yaml"], {"f.yaml": text}))


def limits() -> None:  # in the child, before it runs: memory and CPU time bounded
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


@dataclass
class Ran:
    code: int | None
    out: str
    err: str
    seconds: float
    folder: Path


def run_case(case: Case, base: Path) -> Ran:
    folder = base / case.name
    folder.mkdir()
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("SCHEDSIM_PATH", "PYTHONPATH")}
    began = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "schedsim.cli", *case.args], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=SECONDS, preexec_fn=limits)
        return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - began, folder)
    except subprocess.TimeoutExpired:
        return Ran(None, "", "timed out", time.monotonic() - began, folder)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    base = tmp_path_factory.mktemp("hostile")
    with ThreadPoolExecutor(max_workers=2) as pool:  # two child processes at a time
        ran = dict(zip([c.name for c in CASES], pool.map(lambda c: run_case(c, base), CASES), strict=True))
    yield ran
    shutil.rmtree(base, ignore_errors=True)


def test_there_are_at_least_a_hundred_cases() -> None:
    assert len(CASES) >= 100 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(case: Case, results: dict[str, Ran]) -> None:
    ran = results[case.name]
    assert ran.code is not None, f"{case.name}: did not end within {SECONDS} s"
    assert "Traceback" not in ran.err and "Traceback" not in ran.out, ran.err[-2000:]
    assert ran.code == case.code, f"{case.name}: exit {ran.code}, expected {case.code}\n{ran.err[-1500:]}"
    if case.says:
        assert case.says in ran.err + ran.out, f"{case.name}: {case.says!r} not said:\n{ran.err[-1500:]}"
    if case.code == 2:
        assert ran.err.startswith(("error:", "Usage:", "warning:")), ran.err[:500]
    for name in case.absent:
        assert not (ran.folder / name).exists(), f"{case.name}: {name} was left behind"
    leftovers = [p.name for p in ran.folder.rglob("*.schedsim-*")]
    assert not leftovers, f"{case.name}: temporary files left: {leftovers}"
    if case.check is not None:
        case.check(ran.folder, ran.out + ran.err)


def test_killing_a_run_stops_its_workers(tmp_path: Path) -> None:
    """Finding 8: a simulation killed outright (SIGKILL, no chance to clean up) leaves no worker process running."""
    import signal

    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs two CPUs for two worker processes")
    command = [sys.executable, "-m", "schedsim.cli", "simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "1000",
               "-r", "8", "-w", "2", "--no-plots", "-o", str(tmp_path / "sim")]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=limits)
    children: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(children) < 2:
        children = {int(p) for task in Path(f"/proc/{parent.pid}/task").iterdir()
                    for p in (task / "children").read_text().split()}
        time.sleep(0.2)
    assert len(children) >= 2, "the workers did not start"
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 15
    alive = children
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if Path(f"/proc/{pid}").exists() and
                 Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"}
        time.sleep(0.2)
    assert not alive, f"workers {sorted(alive)} outlived their parent"
    assert not (tmp_path / "sim").exists()  # nothing half-written in its place
