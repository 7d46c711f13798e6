"""Issue 20 (part): scenario sweeps on Dask distributed. The grid's points times replicates run serially, on a
LocalCluster of one or two workers, or on a `dask scheduler` + `dask worker` started here on localhost; the files
are the same byte for byte, because every task's random streams come from (seed, grid point, replicate) alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.errors import InputError
from schedsim.simulation.grid import grid_of
from schedsim.simulation.sweep import point_seed

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


def same_table(from_csv, from_parquet) -> bool:  # type: ignore[no-untyped-def]
    """The CSV and Parquet tables hold the same values; Parquet's date columns are dates (ISO text in the CSV)."""
    dates = [c for c in from_parquet.columns if c.startswith(("completion_p", "date_p"))]
    assert dates and all(str(from_parquet[c].dropna().iloc[0]) == from_csv[c].dropna().iloc[0] for c in dates)
    assert all(not isinstance(v, str) for c in dates for v in from_parquet[c].dropna())
    converted = from_parquet.assign(**{c: from_parquet[c].map(lambda v: v.isoformat() if v is not None else v)
                                       for c in dates})
    return bool(from_csv.equals(converted.astype(from_csv.dtypes.to_dict())))


def test_grids() -> None:
    grid = grid_of({"parameters": {"a.b": [1, 2, 3], "c": [True, False]}})
    assert grid.names == ("a.b", "c") and len(grid.points) == 6 and grid.values(5) == {"a.b": 3, "c": False}
    listed = grid_of({"points": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]})
    assert listed.points == ((1, 2), (3, 4))
    for bad in ({"parameters": {"a": []}}, {"points": [{"a": 1}, {"b": 2}]}, {}, {"parameters": {}, "points": []},
                {"parameters": {"a": [2, 2]}}):
        with pytest.raises(InputError):
            grid_of(bad)
    assert point_seed(7, 0) != point_seed(7, 1) and point_seed(7, 1) == point_seed(7, 1)


def test_serial_and_local_cluster_are_byte_identical(tmp_path: Path) -> None:
    """3 x 2 grid points x 50 replicates: the serial path (no Dask), a LocalCluster of one Dask worker and one of two
    give the same files."""
    pytest.importorskip("dask.distributed", reason="dask[distributed] is installed by make test (the sweep extra)")
    serial = files(run(tmp_path, "serial"))
    assert serial == files(run(tmp_path, "one", "--workers", "1"))
    two = files(run(tmp_path, "two", "--workers", "2"))
    assert two == serial
    assert sorted(serial) == sorted([*(f"{name}/point={point}/{name}.parquet" for point in range(6)
                                       for name in ("events", "patient_milestones")), "grid.csv",
                                     "milestone_summary.csv", "milestone_summary.parquet", "summary.csv",
                                     "summary.parquet"])


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
    first = summary.iloc[0]  # the terminal's headline per grid point: the summary's numbers
    assert (f"point 0 (enrolment.rate_per_month=2, resources.manufacturing_slots=1): completion p50 "
            f"{first['completion_p50']} (p5 {first['completion_p5']}, p95 {first['completion_p95']}), "
            f"{first['dropouts']} dropouts") in result.output
    noted = re.search(r"note: at points ([\d, ]+) patients waited up to (\d+) d", result.output)
    assert noted, result.output  # one manufacturing slot for these patients: waits past four weeks are pointed out
    assert {int(p) for p in noted[1].split(", ")} & {0, 2, 4}
    assert (summary["completion_days_p5"] <= summary["completion_days_p50"]).all()
    assert (summary["completion_days_p50"] <= summary["completion_days_p95"]).all()
    assert same_table(summary, pandas.read_parquet(out / "summary.parquet"))
    events = pandas.read_parquet(out / "events")  # hive partitions: one table with a 'point' column
    assert sorted(events["point"].astype(int).unique()) == [0, 1, 2, 3, 4, 5]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # each patient's milestones: the rows of the milestone events, reached unless cancelled, same days and dates
    patients = pandas.read_parquet(out / "patient_milestones")
    assert {"cart1.infusion", "asct.transplant", "cart2.infusion"} <= set(patients["milestone"].astype(str))
    joined = patients.merge(events, left_on=["point", "replicate", "subject", "milestone"],
                            right_on=["point", "replicate", "subject", "event_id"], validate="one_to_one")
    assert len(joined) == len(patients)
    assert (joined["reached"] == (joined["window_status"] != "cancelled")).all()
    reached = joined[joined["reached"]]
    assert (reached["study_day"] == reached["actual_day"]).all() and (reached["date_x"] == reached["date_y"]).all()
    # the milestone summary: the quantiles of those days, per grid point
    milestones = pandas.read_csv(out / "milestone_summary.csv")
    assert same_table(milestones, pandas.read_parquet(out / "milestone_summary.parquet"))
    for point in (0, 5):
        row = milestones[(milestones["point"] == point) & (milestones["milestone"] == "asct.transplant")].iloc[0]
        days = reached[(reached["point"].astype(int) == point) & (reached["milestone"] == "asct.transplant")]
        assert row["reached"] == len(days)
        assert row["study_day_p50"] == pytest.approx(days["study_day"].median(), abs=0.05)
        assert row["study_day_p5"] <= row["study_day_p50"] <= row["study_day_p95"]
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


def test_the_plot_draws_each_forecast_against_each_parameter() -> None:
    """A row per forecast (completion, then each block's day 0), a column per swept parameter; each grid point one
    dot, coloured by the other parameters' values (named in the column's legend)."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from schedsim.plots.sweep import sweep_figure
    from schedsim.simulation.sweep import sweep

    result = sweep(PROTOCOL, SCENARIO, grid_of({"parameters": {"enrolment.rate_per_month": [2, 4, 6],
                                                               "resources.manufacturing_slots": [1, 2]}}),
                   patients=4, replicates=2, seed=3)
    figure = sweep_figure(result)
    try:
        axes = figure.axes
        assert len(axes) == 4 * 2
        labels = [axes[2 * row].get_ylabel() for row in range(4)]
        assert labels[0].startswith("completion (days from")
        assert [label.split(" ")[0] for label in labels[1:]] == ["cart1.infusion", "asct.transplant",
                                                                 "cart2.infusion"]
        for axis in axes:  # six grid points: six dots in every panel
            assert sum(len(line.get_xdata()) for line in axis.lines if line.get_marker() == "o") == 6
        assert axes[0].get_legend().get_title().get_text() == "resources.manufacturing_slots"
        assert axes[1].get_legend().get_title().get_text() == "enrolment.rate_per_month"
        assert [t.get_text() for t in axes[-2].get_xticklabels()] == ["2", "4", "6"]  # on the bottom row
    finally:
        plt.close(figure)


def test_workers_choose_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No --workers: this process; --workers N: a Dask LocalCluster of N (even N = 1); --scheduler: that cluster."""
    from schedsim.simulation import sweep as module

    chosen: list[object] = []

    class Recorder:
        def __init__(self, executor: object) -> None:
            chosen.append(executor)

        def imap(self, function, items):  # type: ignore[no-untyped-def]
            return (function(item) for item in items)

    monkeypatch.setattr(module, "Serial", lambda: Recorder(("serial",)))
    monkeypatch.setattr(module, "DaskCluster", lambda workers, scheduler: Recorder(("dask", workers, scheduler)))
    grid = grid_of({"parameters": {"resources.manufacturing_slots": [1]}})
    for options in ({}, {"workers": 1}, {"workers": 2}, {"scheduler": "tcp://127.0.0.1:8786"}):
        module.sweep(PROTOCOL, SCENARIO, grid, patients=2, replicates=1, **options)  # type: ignore[arg-type]
    assert chosen == [("serial",), ("dask", 1, None), ("dask", 2, None), ("dask", 1, "tcp://127.0.0.1:8786")]


@pytest.mark.parametrize(("grid_text", "args", "expected"), [
    ("parameters:\n  enrolment.rate_per_mnth: [2, 4]\n", [],
     "grid.yaml:2: enrolment.rate_per_mnth: unknown field 'rate_per_mnth' (grid point 0: 2)"),
    ("points:\n  - {enrolment.rate_per_month: 2}\n  - {enrolment.rate_per_month: two}\n", [],
     "grid.yaml:3: enrolment.rate_per_month: Input should be a valid number"),
    ("parameters:\n  resources.manufacturing_slots:\n    - 1\n    - 0\n", [],
     "grid.yaml:4: resources.manufacturing_slots:"),
    ("parameters:\n  enrolment.rate_per_month: [2]\n", ["--scheduler", "garbage"],
     "--scheduler: cannot reach the Dask scheduler at 'garbage'"),
    ("parameters:\n  enrolment.rate_per_month: [2]\n", ["-n", "0"], "--patients: give 1 to 20,000, not 0"),
    ("parameters:\n  enrolment.rate_per_month: [2]\n", ["-w", "2", "--scheduler", "tcp://127.0.0.1:8786"],
     "--workers: give --workers (a cluster on this machine) or --scheduler (an existing one), not both"),
    ("points:\n  - {dropout.induction: {progression: 2027-01-04}}\n", [],
     'grid.yaml:2: dropout.induction: Input should be a valid number (grid point 0: {"progression": "2027-01-04"})'),
    ("parameters:\n  enrolment.rate_per_month: [2]\nextra: 1\n", [], "grid.yaml:3: extra: unknown field"),
    ("points:\n  - {enrolment.rate_per_month: 2}\n  - {resources.manufacturing_slots: 2}\n", [],
     "grid.yaml:2: points.0: lacks resources.manufacturing_slots"),
    ("parameters:\n" + "".join(f"  p{k}: [{', '.join(map(str, range(100)))}]\n" for k in range(4)), [],
     "parameters: 100,000,000 grid points: at most 1,000"),
    ("parameters:\n  enrolment.rate_per_month: [2]\n", ["--seed", "-1"], "--seed: give a seed of 0 or more"),
])
def test_sweep_errors_name_where_the_mistake_is(tmp_path: Path, grid_text: str, args: list[str],
                                                expected: str) -> None:
    """A value the scenario refuses is named at its line in the grid file (not in the scenario); each option's
    own range is named; an address that is none is refused without a traceback."""
    grid = tmp_path / "grid.yaml"
    grid.write_text(grid_text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner_invoke(["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid), "-r", "1",
                            "-n", "2", "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_missing_grid_is_called_a_grid(tmp_path: Path) -> None:
    result = runner_invoke(["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid",
                            str(tmp_path / "nothing.yaml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "nothing.yaml: grid file not found" in result.output


def test_a_distribution_can_be_swept(tmp_path: Path) -> None:
    """Grid values that are mappings (a manufacturing time's law) run, and are written as JSON text."""
    pandas = pytest.importorskip("pandas")
    grid = tmp_path / "grid.yaml"
    grid.write_text("parameters:\n  steps.manufacturing.duration:\n    - {fixed: 14d}\n    - {fixed: 60d}\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = runner_invoke(["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid), "-r", "2",
                            "-n", "6", "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pandas.read_csv(out / "grid.csv")
    assert list(table["steps.manufacturing.duration"]) == ['{"fixed": "14d"}', '{"fixed": "60d"}']
    milestones = pandas.read_csv(out / "milestone_summary.csv").set_index(["point", "milestone"])
    assert milestones.loc[(1, "cart1.infusion"), "study_day_p50"] > milestones.loc[(0, "cart1.infusion"),
                                                                                     "study_day_p50"]
    assert (out / "sweep.png").exists()


def runner_invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args)


def test_dates_can_be_swept(tmp_path: Path) -> None:
    """The scenario's own start, unquoted dates in YAML: two grid points enrolling half a year apart."""
    pandas = pytest.importorskip("pandas")
    grid = tmp_path / "grid.yaml"
    grid.write_text("parameters:\n  start: [2027-01-04, 2027-07-01]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner_invoke(["sweep", str(PROTOCOL), "--scenario", str(SCENARIO), "--grid", str(grid), "-r", "2",
                            "-n", "3", "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert list(pandas.read_csv(out / "grid.csv")["start"]) == ["2027-01-04", "2027-07-01"]
    summary = pandas.read_csv(out / "summary.csv")
    assert summary["completion_p50"][1] > summary["completion_p50"][0]
