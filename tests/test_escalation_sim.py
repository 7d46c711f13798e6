"""The escalation phase in calendar time: cohort gating, the i3+3 moves, MTD selection, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PROTOCOLS
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.escalation.simulation import select_mtd, simulate_escalation, summarise_escalation

runner = CliRunner()
PCL = PROTOCOLS / "pcl-ct0596-dose-escalation.yaml"
TRUE = [0.05, 0.15, 0.3, 0.45]


def test_cohorts_wait_for_the_previous_dlt_windows_and_for_the_lead_time() -> None:
    design, trials = simulate_escalation(PCL, TRUE, trials=30, seed=4)
    assert design.lead == 5 and design.window == 28  # off-the-shelf CT0596: lymphodepletion from day -5, no apheresis
    for trial in trials:
        for patient in trial.patients:
            assert patient.infusion >= patient.arrival + design.lead
            assert patient.dlt_end == patient.infusion + design.window
            earlier = [p for p in trial.patients if p.cohort == patient.cohort - 1]
            if earlier:
                assert patient.infusion >= max(p.dlt_end for p in earlier)
        assert len(trial.patients) <= design.escalation.max_patients
        arrivals = [p.arrival for p in trial.patients]
        assert arrivals == sorted(arrivals)


def test_moves_follow_the_rule_at_the_extremes() -> None:
    _, safe = simulate_escalation(PCL, [0.0, 0.0, 0.0, 0.0], trials=5, seed=1)
    for trial in safe:  # no DLT ever: escalate cohort by cohort, stay at the top, select the top dose
        assert [p.level for p in trial.patients][::3] == [0, 1, 2, 3, 3, 3] and trial.mtd == 3
    _, toxic = simulate_escalation(PCL, [1.0, 1.0, 1.0, 1.0], trials=5, seed=1)
    for trial in toxic:  # 3 DLTs in 3 at the lowest dose: DU there, the phase stops with no MTD
        assert len(trial.patients) == 3 and trial.stopped_early and trial.mtd is None


def test_selection_reaches_the_true_mtd_most_often_and_is_reproducible() -> None:
    design, trials = simulate_escalation(PCL, TRUE, trials=400, seed=9)
    summary = summarise_escalation(design, trials, TRUE, 9)
    percent = summary["mtd_selection_percent"]
    assert abs(sum(percent.values()) - 100) < 0.5
    assert max(percent, key=percent.get) == design.labels[2]  # dl3 has the target DLT rate 0.3
    assert abs(sum(summary["mean_patients_per_dose"].values()) - 18) < 0.5
    assert 0.1 < summary["dlt_rate"] < 0.35
    design_again, trials_again = simulate_escalation(PCL, TRUE, trials=400, seed=9)
    assert summarise_escalation(design_again, trials_again, TRUE, 9) == summary


def test_mtd_selection_pools_violators() -> None:
    # estimates (y + 0.05)/(n + 0.1): 0.016, 0.339, 0.008 -> doses 1 and 2 pooled to 0.118 -> a tie below the
    # target goes to the higher dose
    assert select_mtd([3, 3, 6], [0, 1, 0], 0.3, 3) == 2
    assert select_mtd([3, 3, 0], [0, 3, 0], 0.3, 3) == 0
    assert select_mtd([0, 0], [0, 0], 0.3, 2) is None


def test_cli_json_and_gantt(tmp_path: Path) -> None:
    gantt = tmp_path / "escalation.png"
    result = runner.invoke(app, ["escalation", "simulate", str(PCL), "--true-dlt", "0.05,0.15,0.3,0.45", "--trials",
                                 "50", "--seed", "2", "-f", "json", "--gantt", str(gantt)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["trials"] == 50 and data["true_dlt"] == TRUE
    assert set(data) >= {"mtd_selection_percent", "mean_patients_per_dose", "dlt_rate", "duration_days"}
    assert gantt.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(app, ["escalation", "simulate", str(PCL), "--true-dlt", "0.1,0.2"])
    assert bad.exit_code == 2 and "give 4 probabilities" in bad.output
    none = runner.invoke(app, ["escalation", "simulate", str(PROTOCOLS / "rrmm-bcma-cart.yaml"), "--true-dlt", "0.1"])
    assert none.exit_code == 2 and "no 'escalation:' block" in none.output
