"""The machinery of the hostile-input suites (issue 17): a ``Case`` states files to make, a command and what must
happen; ``run_all`` runs each as the command line in a subprocess with memory and CPU limits, in a scratch folder of
its own, two at a time; ``verify`` checks the exit code, the message, and what must not happen: a Python traceback,
an output or temporary file left behind, or a run that does not end in time. No case writes to a real device:
special files are FIFOs made in the scratch folder. The cases are in ``test_hostile_reading.py`` (what the tool
reads) and ``test_hostile_writing.py`` (what it writes and runs).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

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



def xlsx_has_no_formula(folder: Path, _: str) -> None:
    import zipfile

    sheets = [n for n in zipfile.ZipFile(folder / "out.xlsx").namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in zipfile.ZipFile(folder / "out.xlsx").read(n) for n in sheets), "formula"



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


def run_all(cases: Iterable[Case], base: Path) -> dict[str, Ran]:
    """Every case run, two child processes at a time, by name."""
    cases = list(cases)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([c.name for c in cases], pool.map(lambda c: run_case(c, base), cases), strict=True))


def verify(case: Case, ran: Ran) -> None:
    """What every case must show: it ended, no traceback, its exit code and message, nothing left behind."""
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
