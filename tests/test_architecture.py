"""The package's shape: public names, module sizes, stage docstrings, and the import-linter contracts that keep the
pipeline's layers apart (a deliberate violation must fail ``lint-imports``, which ``make test`` runs)."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000

import schedsim

PACKAGE = ROOT / "schedsim"
STAGES = ("language", "compile", "engine", "calendar", "check", "simulation", "escalation", "importer", "standards",
          "plots", "cli")
MAX_MODULE_BYTES = 15_000


def _all_modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(schedsim.__path__, "schedsim.")
            if not info.name.endswith("__main__")]


def _packages() -> list[types.ModuleType]:
    names = ["schedsim"] + [info.name for info in pkgutil.walk_packages(schedsim.__path__, "schedsim.") if info.ispkg]
    return [importlib.import_module(name) for name in names]


def test_dir_lists_every_public_name() -> None:
    assert len(schedsim.__all__) == 49
    assert set(schedsim.__all__) <= set(dir(schedsim))
    assert {"timeline_for", "explain", "simulate", "check_file", "calendar_for"} <= set(dir(schedsim))
    assert "importlib" not in dir(schedsim)


@pytest.mark.parametrize("package", _packages(), ids=lambda p: p.__name__)
def test_no_public_name_is_also_a_submodule(package: types.ModuleType) -> None:
    """``schedsim.explain`` was the function on first access and the module after ``import schedsim.explain``."""
    submodules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    exported = set(getattr(package, "__all__", ()))
    assert not exported & submodules
    for module in _all_modules():  # importing every submodule must not replace an exported name
        importlib.import_module(module)
    for name in exported:
        assert not isinstance(getattr(package, name), types.ModuleType), f"{package.__name__}.{name} is a module"


def test_readme_explain_call_works() -> None:
    from schedsim import explain, timeline_for

    schedule = timeline_for(SEED_000, start=date(2027, 1, 4))
    lines = explain(schedule, "maintenance.start")
    assert lines[0].startswith("maintenance.start") and any("asct" in line for line in lines)


def test_documented_stage_entry_points() -> None:
    from schedsim.escalation import decide, decision_table
    from schedsim.importer import import_record
    from schedsim.importer.timeframe import parse_time_frame
    from schedsim.plots import protocol_gantt

    assert decide(0, 3, 0.3, (0.25, 0.35)) == "E" and decision_table(0.3, (0.25, 0.35), 3)
    assert parse_time_frame("2 year").points and callable(import_record) and callable(protocol_gantt)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_15_kb(path: Path) -> None:
    assert path.stat().st_size <= MAX_MODULE_BYTES, "split it by responsibility"


def test_package_tree_is_the_pipeline() -> None:
    top = {info.name for info in pkgutil.iter_modules(schedsim.__path__)}
    assert top == set(STAGES) | {"errors", "fileio", "inputs", "tabular", "version"}


def test_no_module_imports_the_package_root() -> None:
    """The root's lazy exports would hide an upward import (``from schedsim import check_file`` in the engine) from
    the layer contracts, so modules import what they use from its own module."""
    import ast

    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            root = isinstance(node, ast.ImportFrom) and node.module == "schedsim" and node.level == 0
            if root or "schedsim" in names:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_stage_packages_are_reachable_from_the_root() -> None:
    assert set(STAGES) <= set(dir(schedsim))
    assert schedsim.plots.protocol_gantt is not None and callable(schedsim.escalation.decide)


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_says_what_it_may_import(stage: str) -> None:
    doc = importlib.import_module(f"schedsim.{stage}").__doc__ or ""
    assert "May import" in doc
    assert "Must not import" in doc or "Nothing in schedsim imports the CLI" in doc


# --- the import-linter contracts ------------------------------------------------------------------------------

def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert command, "import-linter is a test dependency (pyproject.toml)"
    env = {"PYTHONPATH": str(tree), "PATH": str(Path(sys.executable).parent), "LANG": "C.UTF-8"}
    return subprocess.run([command, "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "schedsim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_copy(tree: Path) -> None:
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


VIOLATIONS = {
    "a lower stage imports a higher one": (
        "engine/dates.py", "from schedsim.calendar.clinic import ClinicDays  # deliberate\n",
        "schedsim.engine.dates -> schedsim.calendar.clinic"),
    "one job stage imports another": (
        "simulation/summary.py", "from schedsim.importer.record import read_record  # deliberate\n",
        "schedsim.simulation.summary -> schedsim.importer.record"),
    "the language imports plotting code": (
        "language/durations.py", "import matplotlib  # deliberate\n", "schedsim.language.durations -> matplotlib"),
    "a command module imports another command module": (
        "cli/plots.py", "from schedsim.cli.calendar import CalendarFormat  # deliberate\n",
        "schedsim.cli.plots -> schedsim.cli.calendar"),
    "a stage imports the CLI": (
        "check/findings.py", "from schedsim.cli.options import guard  # deliberate\n",
        "schedsim.check.findings -> schedsim.cli.options"),
}


@pytest.mark.parametrize("case", VIOLATIONS, ids=list(VIOLATIONS))
def test_a_deliberate_violation_breaks_a_contract(tree: Path, case: str) -> None:
    module, line, expected = VIOLATIONS[case]
    with (tree / "schedsim" / module).open("a", encoding="utf-8") as file:
        file.write(line)
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and expected in result.stdout


def test_a_new_flat_module_must_be_given_a_layer(tree: Path) -> None:
    (tree / "schedsim" / "helpers.py").write_text('"""A flat module outside every stage."""\n', encoding="utf-8")
    result = _lint_imports(tree)
    assert result.returncode != 0 and "schedsim.helpers" in result.stdout


def test_an_import_cycle_inside_a_stage_is_refused(tree: Path) -> None:
    with (tree / "schedsim" / "compile" / "ir.py").open("a", encoding="utf-8") as file:
        file.write("from schedsim.compile.compiler import compile_protocol  # deliberate\n")
    result = _lint_imports(tree)
    assert result.returncode != 0 and "No cycles are allowed in schedsim.compile" in result.stdout
