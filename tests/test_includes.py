"""Where ``include:`` finds library files (issue 16): library names (``lib:vrd``), paths beside the file, the folders
of ``SCHEDSIM_PATH`` and the library that ships in the package; old-style paths get a message that says how to update
them; a missing source record is a warning finding, not bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schedsim.check.checker import check_file
from schedsim.cli import app
from schedsim.compile.validate import validate_file
from schedsim.engine.schedule import timeline_for
from schedsim.errors import InputError
from schedsim.language.includes import PACKAGED_BLOCKS, library_folders, resolve_include
from schedsim.language.loader import load_protocol

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
#: How the bundled protocols included their blocks before the library moved into the package.
OLD_STYLE = "include: [blocks/vrd.yaml, blocks/cart.yaml, blocks/asct.yaml, blocks/maintenance.yaml]"
runner = CliRunner()


def days(path: Path) -> list[tuple[str, int]]:
    return [(e.event.id, e.day) for e in timeline_for(path).events]


def copy_of_seed_000(folder: Path, include: str | None = None) -> Path:
    text = SEED_000.read_text(encoding="utf-8")
    if include is not None:
        text = text.replace("include: [lib:vrd, lib:cart, lib:asct, lib:maintenance]", include)
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_library_names_resolve_to_the_packaged_blocks_from_any_folder(tmp_path: Path) -> None:
    copied = copy_of_seed_000(tmp_path)
    assert days(copied) == days(SEED_000)
    loaded = load_protocol(copied)
    assert [doc.file for doc in loaded.registry.docs[1:]] == ["lib:vrd.yaml", "lib:cart.yaml", "lib:asct.yaml",
                                                              "lib:maintenance.yaml"]


def test_old_style_paths_still_work_beside_the_blocks_and_say_how_to_update_elsewhere(tmp_path: Path) -> None:
    shutil.copytree(PACKAGED_BLOCKS, tmp_path / "blocks")
    beside = copy_of_seed_000(tmp_path, OLD_STYLE)
    assert days(beside) == days(SEED_000)
    shutil.rmtree(tmp_path / "blocks")
    with pytest.raises(InputError) as caught:
        load_protocol(beside)
    problem = caught.value.problems[0]
    assert [p.field for p in caught.value.problems] == ["include.0", "include.1", "include.2", "include.3"]  # all
    assert (problem.file, problem.line, problem.field) == (str(beside), 16, "include.0")
    assert problem.message == ("included file 'blocks/vrd.yaml' not found beside the file or in SCHEDSIM_PATH; the "
                               "packaged library has it: write 'include: [lib:vrd]'")


def test_schedsim_path_folders_come_before_the_packaged_library(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-library"
    site.mkdir()
    text = (PACKAGED_BLOCKS / "maintenance.yaml").read_text(encoding="utf-8")
    assert text.count("value: 28d") == 1
    (site / "maintenance.yaml").write_text(text.replace("value: 28d", "value: 21d"), encoding="utf-8")
    study = copy_of_seed_000(tmp_path)
    monkeypatch.setenv("SCHEDSIM_PATH", f"{tmp_path / 'missing'}:{site}")
    assert library_folders()[-2:] == [site, PACKAGED_BLOCKS]
    assert resolve_include("lib:maintenance", study.parent)[0] == (site / "maintenance.yaml").resolve()
    starts = [day for id_, day in days(study) if id_.startswith("maintenance.c") and id_.endswith(".start")]
    assert starts[1] - starts[0] == 21  # the site's own maintenance block won
    monkeypatch.delenv("SCHEDSIM_PATH")
    starts = [day for id_, day in days(study) if id_.startswith("maintenance.c") and id_.endswith(".start")]
    assert starts[1] - starts[0] == 28


def test_unknown_library_names_list_the_packaged_ones(tmp_path: Path) -> None:
    study = copy_of_seed_000(tmp_path, "include: [lib:vrd, lib:car-t]")
    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 2
    assert f"{study}:16: include.1: library file 'lib:car-t' not found in SCHEDSIM_PATH or the packaged library" \
           in result.stderr
    assert "lib:cart, lib:cart_dual" in result.stderr


def test_a_missing_source_record_is_a_warning_finding(tmp_path: Path) -> None:
    study = copy_of_seed_000(tmp_path)
    assert validate_file(study) == []
    report = check_file(study)
    (finding,) = [f for f in report.findings if f.severity != "info"]
    assert finding.rule == "SCH210" and finding.severity == "warning"
    assert finding.message == ("source record '../seeds/000_9f93e3c7ef5718a8.txt' is outside the protocol's folder "
                               "and the working folder")  # never probed
    inside = tmp_path / "sub"
    inside.mkdir()
    nearby = copy_of_seed_000(inside)
    nearby.write_text(nearby.read_text(encoding="utf-8").replace("../seeds/", "records/"), encoding="utf-8")
    (finding,) = [f for f in check_file(nearby).findings if f.severity != "info"]
    assert finding.message == "source record 'records/000_9f93e3c7ef5718a8.txt' not found beside the protocol"
    assert finding.field == "source.seed" and finding.line == 7
    assert "SCH210" not in {f.rule for f in check_file(SEED_000).findings}


def test_validate_reads_scenario_files_as_scenarios(tmp_path: Path) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 2}\nresources: {beds: 3}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {bad}:3: resources.beds: unknown field 'beds'"]


@pytest.mark.parametrize("entry", ["lib:../../seeds/000_9f93e3c7ef5718a8", "lib:/etc/passwd", "lib:", "lib:a/b"])
def test_library_names_are_names_not_paths(entry: str, tmp_path: Path) -> None:
    study = copy_of_seed_000(tmp_path, f"include: ['{entry}']")
    assert resolve_include(entry, tmp_path)[0] is None
    with pytest.raises(InputError) as caught:
        load_protocol(study)
    (problem,) = caught.value.problems
    assert problem.field == "include.0" and "a library name is letters, digits, '_' and '-' (no folders)" in \
        problem.message
