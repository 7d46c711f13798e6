"""Hostile and absurd input about what the tool writes and runs (issue 17): -o onto special files, links, inputs and
foreign folders; simulate's output folder; spreadsheet formulas and markup in outputs; the importer's YAML; limits on
runs; a killed run's workers. Each case runs as the command line (``hostile.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import (
    ACTUALS,
    RECORD,
    ROOT,
    SCENARIO,
    SEED,
    Case,
    Ran,
    fifo,
    folder,
    limits,
    link_to,
    private,
    protocol,
    run_all,
    verify,
    xlsx_has_no_formula,
)

SIM = ["simulate", str(SEED), "--scenario", str(SCENARIO), "-n", "2", "--no-plots"]
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
for option, value in (("--patients", "0"), ("--replicates", "0"), ("--seed", "-1"), ("--workers", "0")):
    CASES.append(Case(f"simulate{option}-{value}", ["simulate", str(SEED), "--scenario", str(SCENARIO), option, value,
                                                    "-o", "out"]))
for extension in (".xls", ".docx", ".yaml", ".pdf", ".bak"):
    CASES.append(Case(f"timeline-ext{extension}", ["timeline", str(SEED), "-o", f"out{extension}"],
                      says="unknown extension", absent=(f"out{extension}",)))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    return run_all(CASES, tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(case: Case, results: dict[str, Ran]) -> None:
    verify(case, results[case.name])


def test_there_are_at_least_a_hundred_cases() -> None:
    from test_hostile_reading import CASES as READING

    names = [c.name for c in (*READING, *CASES)]
    assert len(names) >= 100 and len(set(names)) == len(names)


def test_killing_a_run_stops_its_workers(tmp_path: Path) -> None:
    """Finding 8: a simulation killed outright (SIGKILL, no chance to clean up) leaves no worker process running."""
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
