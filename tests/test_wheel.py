"""The installed package works anywhere (issue 16, findings 1 and 8): a wheel built from the sources, installed into
a fresh virtual environment outside the repository, runs the main commands on a copy of a bundled protocol in an
empty folder, with the regimen blocks, the schemas and the licence carried inside the package.

The fresh environment gets the wheel itself (no editable install, nothing of the checkout on its path); the
third-party dependencies come from the test environment's site-packages through a ``.pth`` line, so the test needs
no network. ``pip check`` is not run for that reason: the dependency list is read from the wheel's metadata instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
RECORD = next((ROOT / "seeds").glob("000_*.txt"))


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the fresh environment's ``schedsim`` command, the built wheel)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "schedsim", source / "schedsim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v", "-w",
                work / "dist", source, cwd=work)
    assert built.returncode == 0, built.stderr
    # finding 8: the licence as an SPDX expression, so setuptools has no deprecation to warn about
    assert "Deprecat" not in built.stdout + built.stderr, built.stdout[-3000:]
    (wheel,) = (work / "dist").glob("schedsim-*.whl")
    venv = work / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel, cwd=work)
    assert done.returncode == 0, done.stderr
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin" / "schedsim", wheel


@pytest.fixture()
def empty(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty folder holding only a copy of a bundled protocol, and an environment that knows nothing of the
    checkout (no PYTHONPATH, no SCHEDSIM_PATH)."""
    shutil.copy2(PROTOCOL, tmp_path / "my-study.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCHEDSIM_PATH", "VIRTUAL_ENV")}
    return tmp_path, env


def test_the_wheel_carries_the_library_the_schemas_and_the_licence(installed: tuple[Path, Path]) -> None:
    _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    for block in (ROOT / "schedsim" / "language" / "library" / "blocks").glob("*.yaml"):
        assert f"schedsim/language/library/blocks/{block.name}" in names
    for kind in ("protocol", "library", "scenario"):
        assert f"schedsim/language/library/schedsim-{kind}.schema.json" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text
    assert "Requires-Dist: openpyxl" in text and 'Requires-Dist: pyarrow>=14; extra == "parquet"' in text


def test_installed_package_runs_the_main_commands_on_a_copied_protocol(
        installed: tuple[Path, Path], empty: tuple[Path, dict[str, str]]) -> None:
    schedsim, _ = installed
    folder, env = empty
    where = run(schedsim.parent / "python", "-c", "import schedsim; print(schedsim.__file__)", cwd=folder, env=env)
    assert str(schedsim.parents[1]) in where.stdout, where  # the wheel's copy, not the checkout
    validate = run(schedsim, "validate", "my-study.yaml", cwd=folder, env=env)
    assert validate.returncode == 0 and validate.stdout.startswith("OK my-study.yaml"), validate.stderr
    timeline = run(schedsim, "timeline", "my-study.yaml", "--start", "2027-01-04", "-o", "timeline.csv",
                   cwd=folder, env=env)
    assert timeline.returncode == 0, timeline.stderr
    assert (folder / "timeline.csv").read_text(encoding="utf-8").startswith("id,kind,phase,label,day,date,")
    calendar = run(schedsim, "calendar", "my-study.yaml", "--start", "2027-01-04", "-o", "calendar.xlsx",
                   cwd=folder, env=env)
    assert calendar.returncode == 0, calendar.stderr
    assert (folder / "calendar.xlsx").read_bytes()[:2] == b"PK"
    check = run(schedsim, "check", "my-study.yaml", cwd=folder, env=env)
    # the copy has no source record beside it: a warning finding, not bad input (exit 2)
    assert check.returncode == 0 and "warning SCH210" in check.stdout and " SCH1" not in check.stdout, check.stdout
    assert run(schedsim, "check", "my-study.yaml", "--strict", cwd=folder, env=env).returncode == 1
    shutil.copy2(RECORD, folder / RECORD.name)
    imported = run(schedsim, "import", RECORD.name, "-o", "draft.yaml", cwd=folder, env=env)
    assert imported.returncode == 0, imported.stderr
    includes = yaml.safe_load((folder / "draft.yaml").read_text(encoding="utf-8"))["include"]
    assert includes and all(name.startswith("lib:") for name in includes)
    assert run(schedsim, "validate", "draft.yaml", cwd=folder, env=env).returncode == 0
    version = run(schedsim, "--version", cwd=folder, env=env)
    assert version.returncode == 0 and version.stdout.startswith("schedsim ")


def test_old_style_include_paths_are_told_how_to_update(
        installed: tuple[Path, Path], empty: tuple[Path, dict[str, str]]) -> None:
    """A protocol written before the library travelled with the package (``include: [blocks/vrd.yaml]``), copied
    away from the blocks: the message names the file, line and field, and the new spelling."""
    schedsim, _ = installed
    folder, env = empty
    path = folder / "my-study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lib:vrd", "blocks/vrd.yaml"), encoding="utf-8")
    result = run(schedsim, "validate", "my-study.yaml", cwd=folder, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "my-study.yaml:16: include.0: included file 'blocks/vrd.yaml' not found" in result.stderr
    assert "write 'include: [lib:vrd]'" in result.stderr
