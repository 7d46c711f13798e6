"""Issue 20 (part): scenario sweeps on Dask distributed. The grid's points times replicates run serially, on a
LocalCluster of one or two workers, or on a `dask scheduler` + `dask worker` started here on localhost; the files
are the same byte for byte, because every task's random streams come from (seed, grid point, replicate) alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.errors import InputError
from schedsim.simulation.sweep import grid_of, point_seed

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
GRID = "parameters:\n  enrolment.rate_per_month: [2, 4, 6]\n  resources.manufacturing_slots: [1, 2]\n"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(tmp_path: Path, name: str, *extra: str, replicates: int = 50) -> Path:
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID, encoding="utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(app, ["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid),
                                      "-n", "4", "-r", str(replicates), "--seed", "7", "-o", str(out), "--no-plots",
                                      *extra])
    assert result.exit_code == 0, result.output
    return out


def test_grids() -> None:
    grid = grid_of({"parameters": {"a.b": [1, 2, 3], "c": [True, False]}})
    assert grid.names == ("a.b", "c") and len(grid.points) == 6 and grid.values(5) == {"a.b": 3, "c": False}
    listed = grid_of({"points": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]})
    assert listed.points == ((1, 2), (3, 4))
    for bad in ({"parameters": {"a": []}}, {"points": [{"a": 1}, {"b": 2}]}, {}, {"parameters": {}, "points": []}):
        with pytest.raises(InputError):
            grid_of(bad)
    assert point_seed(7, 0) != point_seed(7, 1) and point_seed(7, 1) == point_seed(7, 1)


def test_serial_and_local_cluster_are_byte_identical(tmp_path: Path) -> None:
    """3 x 2 grid points x 50 replicates: serial, one Dask worker and two give the same files."""
    pytest.importorskip("dask.distributed", reason="dask[distributed] is installed by make test (the sweep extra)")
    serial = files(run(tmp_path, "serial"))
    assert serial == files(run(tmp_path, "one", "--workers", "1"))
    two = files(run(tmp_path, "two", "--workers", "2"))
    assert two == serial
    assert sorted(serial) == ["events/point=0/events.parquet", "events/point=1/events.parquet",
                              "events/point=2/events.parquet", "events/point=3/events.parquet",
                              "events/point=4/events.parquet", "events/point=5/events.parquet", "grid.csv",
                              "summary.csv", "summary.parquet"]


def test_an_existing_scheduler_gives_the_same_files(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed", reason="dask[distributed] is installed by make test (the sweep extra)")
    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert dask, "dask's command comes with dask[distributed]"
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen([dask, "scheduler", "--scheduler-file", str(scheduler_file), "--port", "0",
                                  "--dashboard-address", ":0", "--host", "127.0.0.1"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    worker = None
    try:
        for _ in range(300):
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                   "--dashboard-address", ":0", "--host", "127.0.0.1"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path)
        remote = files(run(tmp_path, "remote", "--scheduler", address, replicates=5))
        assert remote == files(run(tmp_path, "local", replicates=5))
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def test_summary_and_plot(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID, encoding="utf-8")
    out = tmp_path / "with-plot"
    result = CliRunner().invoke(app, ["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid),
                                      "-n", "4", "-r", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = pandas.read_csv(out / "summary.csv")
    assert list(summary["enrolment.rate_per_month"]) == [2, 2, 4, 4, 6, 6]
    assert (summary["completion_days_p5"] <= summary["completion_days_p50"]).all()
    assert (summary["completion_days_p50"] <= summary["completion_days_p95"]).all()
    assert summary.equals(pandas.read_parquet(out / "summary.parquet").astype(summary.dtypes.to_dict()))
    events = pandas.read_parquet(out / "events")  # hive partitions: one table with a 'point' column
    assert sorted(events["point"].astype(int).unique()) == [0, 1, 2, 3, 4, 5]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    slower = summary[summary["enrolment.rate_per_month"] == 2]["completion_days_p50"].mean()
    faster = summary[summary["enrolment.rate_per_month"] == 6]["completion_days_p50"].mean()
    assert faster < slower  # enrolling three times faster finishes sooner


def test_bad_sweeps_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    grid = tmp_path / "grid.yaml"
    grid.write_text("parameters:\n  enrolment.rate_per_month: [-1]\n", encoding="utf-8")
    result = runner.invoke(app, ["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid),
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "grid point 0" in result.output
    assert not (tmp_path / "out").exists()
    grid.write_text("points: [oops]\n", encoding="utf-8")
    result = runner.invoke(app, ["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid),
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "grid.yaml" in result.output
