"""The escalation phase in calendar time (simpy): cohorts dosed by the i3+3 rule as patients arrive.

Patients arrive as a Poisson process. Each is assigned to the next cohort: leukapheresis on arrival, manufacturing,
infusion after the protocol's apheresis-to-infusion lead time, but never before the previous cohort's DLT windows
have all closed; a DLT is drawn from the true probability of the dose given. After each cohort the i3+3 decision
moves the dose (E, S, D, DU: exclude this dose and higher); the phase ends at the maximum sample size, or when even
the lowest dose is excluded. The MTD is selected as in the published design: isotonic estimates of the DLT rates of
the doses tried (Beta(0.05, 0.05) prior), the one closest to the target.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from schedsim.compile.compiler import compile_protocol
from schedsim.engine.sampling import stream
from schedsim.engine.subject import plan
from schedsim.errors import InputError, Problem
from schedsim.escalation.rule import decide
from schedsim.language.durations import DAYS_PER_MONTH
from schedsim.language.loader import load_protocol
from schedsim.language.model.scenario import Escalation

MAX_TRIALS = 100_000


@dataclass(frozen=True, slots=True)
class Patient:
    cohort: int
    level: int
    arrival: float
    infusion: float
    dlt_end: float
    dlt: bool


@dataclass
class Trial:
    patients: list[Patient] = field(default_factory=list)
    mtd: int | None = None  # dose level index, None: no dose selected
    stopped_early: bool = False

    @property
    def duration(self) -> float:
        """Days from the first arrival to the last DLT window's end."""
        return max(p.dlt_end for p in self.patients) - self.patients[0].arrival if self.patients else 0.0


@dataclass(frozen=True)
class Design:
    escalation: Escalation
    lead: int  # days from the CAR-T block's first step (leukapheresis or lymphodepletion) to infusion
    labels: tuple[str, ...]

    @property
    def window(self) -> int:
        return round(self.escalation.dlt_window.approx_days)


def load_design(protocol: str | Path) -> Design:
    loaded = load_protocol(protocol)
    escalation = loaded.protocol.escalation
    if escalation is None:
        raise InputError(loaded.doc.problem((), "the protocol has no 'escalation:' block"))
    timeline = compile_protocol(loaded)
    times = plan(timeline)
    infusion = next((e for e in timeline.events if e.role == "infusion"), None)
    block = next((p for p in timeline.phases if infusion is not None and p.id == infusion.phase), None)
    # the lead time: from the block's first step (leukapheresis, or lymphodepletion for an off-the-shelf product)
    lead = times[infusion.id] - times[block.start] if infusion is not None and block is not None else 0
    return Design(escalation, lead, tuple(f"{level.id} ({level.dose})" for level in escalation.dose_levels))


def simulate_trial(design: Design, true_dlt: list[float], rate_per_month: float, seed: int, trial: int) -> Trial:
    """One escalation phase in simpy; every draw from the trial's own streams ("arrivals", "dlt")."""
    e = design.escalation
    env = simpy.Environment()
    arrivals = stream(seed, trial, 0, "arrivals")
    toxicity = stream(seed, trial, 0, "dlt")
    waiting: simpy.Store = simpy.Store(env)  # arrived patients (their arrival days) not yet in a cohort
    result = Trial()

    def arrive() -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(float(arrivals.exponential(DAYS_PER_MONTH / rate_per_month)))
            waiting.put(env.now)

    def escalate() -> Generator[simpy.Event, Any, None]:
        levels = len(e.dose_levels)
        level = [lv.id for lv in e.dose_levels].index(e.start_level) if e.start_level else 0
        n, y = [0] * levels, [0] * levels
        ceiling = levels  # doses at or above this are excluded
        gate, cohort = 0.0, 0
        while len(result.patients) < e.max_patients:
            members = []
            for _ in range(min(e.cohort_size, e.max_patients - len(result.patients))):
                arrival = yield waiting.get()  # leukapheresis on arrival; dosing waits for manufacturing and gate
                infusion = max(arrival + design.lead, gate)
                dlt = bool(toxicity.random() < true_dlt[level])
                members.append(Patient(cohort, level, arrival, infusion, infusion + design.window, dlt))
            result.patients.extend(members)
            yield env.all_of([env.timeout(max(p.dlt_end - env.now, 0.0)) for p in members])  # all DLT windows close
            gate = env.now
            n[level] += len(members)
            y[level] += sum(p.dlt for p in members)
            decision = decide(y[level], n[level], e.target, e.ei, e.safety)
            cohort += 1
            if decision == "DU":
                ceiling = min(ceiling, level)
            if decision in ("D", "DU"):
                if level == 0 and decision == "DU":
                    result.stopped_early = True
                    return
                level = max(level - 1, 0)
            elif decision == "E" and level + 1 < ceiling:
                level += 1
        result.mtd = select_mtd(n, y, e.target, ceiling)

    env.process(arrive())
    env.run(until=env.process(escalate()))
    return result


def select_mtd(n: list[int], y: list[int], target: float, ceiling: int) -> int | None:
    """Isotonic (pool-adjacent-violators) estimates of the tried doses' DLT rates, then the one closest to the
    target (the higher when below it, the lower when above, on ties).

    >>> select_mtd([3, 6, 3], [0, 1, 2], 0.3, 3)
    1
    """
    tried = [d for d in range(min(ceiling, len(n))) if n[d] > 0]
    if not tried:
        return None
    blocks = [[(y[d] + 0.05) / (n[d] + 0.1), n[d], [d]] for d in tried]
    merged: list[list[Any]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] > merged[-1][0]:
            (p2, w2, d2), (p1, w1, d1) = merged.pop(), merged.pop()
            merged.append([(p1 * w1 + p2 * w2) / (w1 + w2), w1 + w2, d1 + d2])
    estimate = {d: p for p, _, doses in merged for d in doses}
    best = min(tried, key=lambda d: (abs(estimate[d] - target), -d if estimate[d] < target else d))
    return best


def simulate_escalation(protocol: str | Path, true_dlt: list[float], *, trials: int, seed: int = 0,
                        rate_per_month: float = 2.0) -> tuple[Design, list[Trial]]:
    design = load_design(protocol)
    problems = []
    if len(true_dlt) != len(design.escalation.dose_levels):
        problems.append(Problem("--true-dlt", None, "", f"give {len(design.escalation.dose_levels)} probabilities "
                                                        f"(one per dose level), got {len(true_dlt)}"))
    if any(not 0 <= p <= 1 for p in true_dlt):
        problems.append(Problem("--true-dlt", None, "", "DLT probabilities lie between 0 and 1"))
    if not 1 <= trials <= MAX_TRIALS:
        problems.append(Problem("--trials", None, "", f"give 1 to {MAX_TRIALS:,} trials"))
    if not 0.01 <= rate_per_month <= 1000:
        problems.append(Problem("--rate", None, "", "give an arrival rate of 0.01 to 1,000 patients a month"))
    if seed < 0:
        problems.append(Problem("--seed", None, "", "the seed is a non-negative integer"))
    if problems:
        raise InputError(problems)
    return design, [simulate_trial(design, true_dlt, rate_per_month, seed, t) for t in range(trials)]


def summarise_escalation(design: Design, trials: list[Trial], true_dlt: list[float], seed: int) -> dict[str, Any]:
    levels = len(design.labels)
    picks = [t.mtd for t in trials]
    count = len(trials)
    patients = np.array([[sum(1 for p in t.patients if p.level == d) for d in range(levels)] for t in trials])
    dlts = sum(p.dlt for t in trials for p in t.patients)
    enrolled = sum(len(t.patients) for t in trials)
    durations = [t.duration for t in trials]
    e = design.escalation
    return {
        "seed": seed, "trials": count, "design": {"target": e.target, "ei": list(e.ei), "cohort_size": e.cohort_size,
                                                  "max_patients": e.max_patients, "dlt_window_days": design.window,
                                                  "lead_days": design.lead},
        "true_dlt": true_dlt,
        "mtd_selection_percent": {**{design.labels[d]: round(100 * picks.count(d) / count, 1) for d in range(levels)},
                                  "none": round(100 * picks.count(None) / count, 1)},
        "mean_patients_per_dose": {design.labels[d]: round(float(patients[:, d].mean()), 2) for d in range(levels)},
        "dlt_rate": round(dlts / enrolled, 4) if enrolled else 0.0,
        "duration_days": {k: round(float(v), 1) for k, v in zip(("p5", "p50", "p95"),
                                                                 np.percentile(durations, [5, 50, 95]), strict=True)},
        "mean_duration_days": round(float(np.mean(durations)), 1),
    }


def summary_text(summary: dict[str, Any]) -> str:
    lines = [f"i3+3 escalation, {summary['trials']} simulated trials (seed {summary['seed']}), true DLT "
             f"{summary['true_dlt']}", "dose level               selected as MTD  mean patients"]
    for label, percent in summary["mtd_selection_percent"].items():
        mean = summary["mean_patients_per_dose"].get(label, "")
        lines.append(f"  {label:<28} {percent:6.1f}%  {mean}")
    d = summary["duration_days"]
    lines.append(f"DLT rate {summary['dlt_rate']:.1%}; escalation phase {d['p50']} days (p5 {d['p5']}, p95 {d['p95']})")
    return "\n".join(lines) + "\n"


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2) + "\n"
