"""The summary of a simulation: milestone quantiles (study days and dates), study completion, enrolment, weekly
visit load, resource use and queueing, deviations by kind, dropouts by phase — computed from the records."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from schedsim.engine.dates import study_day
from schedsim.simulation.records import CANCELLED, EARLY, LATE, STATUSES

if TYPE_CHECKING:
    from schedsim.simulation.run import SimulationResult

QUANTILES = {"p5": 5, "p50": 50, "p95": 95}


def quantiles(values: list[float] | np.ndarray) -> dict[str, float] | None:
    """5th, 50th and 95th percentiles (linear interpolation), or None without values."""
    if len(values) == 0:
        return None
    found = np.percentile(np.asarray(values, dtype=float), list(QUANTILES.values()))
    return {key: round(float(v), 1) for key, v in zip(QUANTILES, found, strict=True)}


def date_quantiles(days: list[int] | np.ndarray, start: date) -> dict[str, str] | None:
    """Quantiles of days counted from ``start``, as ISO dates (the day rounded down)."""
    found = quantiles(days)
    if found is None:
        return None
    return {key: (start + timedelta(days=int(np.floor(v)))).isoformat() for key, v in found.items()}


def milestone_events(result: SimulationResult) -> list[int]:
    """Event positions summarised: milestones, each block's day 0, and the primary assessments (of every path)."""
    timelines = result.cohort.timelines if result.cohort is not None else (result.timeline,)
    wanted = {phase.reference for t in timelines for phase in t.phases if phase.reference}
    wanted |= {e for params in result.all_params for e in params.primary}
    return [i for i, e in enumerate(result.events) if e.kind == "milestone" or e.id in wanted]


def summarise(result: SimulationResult) -> dict[str, Any]:
    timeline, start = result.timeline, result.start
    zero = timeline.conventions.study_day_zero
    wanted = milestone_events(result)
    local: dict[int, list[int]] = {i: [] for i in wanted}
    absolute: dict[int, list[int]] = {i: [] for i in wanted}
    index = {event.id: i for i, event in enumerate(result.events)}
    primary = {index[e] for params in result.all_params for e in params.primary}
    paths: Counter[str] = Counter()
    completion, enrolment_spans, weekly = [], [], []
    deviations: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    dropouts: dict[str, Counter[str]] = {}
    resources: dict[str, dict[str, Any]] = {}
    clinic = sorted({index[e] for params in result.all_params for e in params.visits})
    for rep in result.replicates:
        table = rep.records
        subjects = np.frombuffer(table.subject, dtype=np.int32)
        events = np.frombuffer(table.event, dtype=np.int32)
        actual = np.frombuffer(table.actual, dtype=np.int32)
        status = np.frombuffer(table.status, dtype=np.int8)
        offsets = np.asarray(rep.day1, dtype=np.int64)[subjects] if len(subjects) else np.zeros(0, dtype=np.int64)
        done = status != CANCELLED
        for i in wanted:
            mask = done & (events == i)
            local[i].extend(actual[mask].tolist())
            absolute[i].extend((actual[mask] + offsets[mask]).tolist())
        last_primary = [int(x) for x in (actual + offsets)[done & np.isin(events, list(primary))]]
        if last_primary:
            completion.append(max(last_primary))
        if rep.day1:
            enrolment_spans.append(max(rep.day1) - min(rep.day1))
        in_clinic = done & np.isin(events, clinic)
        if in_clinic.any():  # patient-days with a clinic visit, counted per week (days may precede the start)
            days = (actual + offsets)[in_clinic]
            first = int(days.min())
            span = int(days.max()) - first + 1
            patient_days = np.unique(subjects[in_clinic].astype(np.int64) * span + (days - first))
            weekly.extend(np.bincount((patient_days % span) // 7).tolist())
        for code, count in Counter(status.tolist()).items():
            statuses[STATUSES[code]] += count
        for k in np.nonzero((status == EARLY) | (status == LATE))[0].tolist():
            reason = table.reasons[table.reason[k]] or "none"
            deviations[f"{STATUSES[status[k]]}: {reason}"] += 1
        if result.cohort is not None:
            paths.update(result.cohort.paths[p].label for p in rep.paths)
        for _subject, phase, cause, _day in rep.dropouts:
            dropouts.setdefault(phase, Counter())[cause] += 1
        for name, use in rep.resources.items():
            entry = resources.setdefault(name, {"capacity": use.capacity, "busy_days": 0, "waits": [], "span": 0,
                                                "moved_in_window": 0, "moved_out_of_window": 0})
            entry["busy_days"] += use.busy_days
            entry["waits"].extend(use.waits)
            entry["span"] += max(rep.end, 1)
            entry["moved_in_window"] += use.moved_in_window
            entry["moved_out_of_window"] += use.moved_out_of_window
    replicates = max(len(result.replicates), 1)
    milestones = {}
    for i in wanted:
        found = quantiles(local[i])
        if found is None:
            continue
        days = {k: _study_day(v, zero) for k, v in found.items()}
        milestones[result.events[i].id] = {**days, "reached": len(local[i]),
                                           "dates": date_quantiles(absolute[i], start)}
    design = {"paths": {path.label: paths[path.label] for path in result.cohort.paths},
              "by_path": by_path(result, wanted, primary)} if result.cohort else {}
    if not design and timeline.design.label:  # one path of a study with arms or decisions, for every patient
        design = {"paths": {timeline.design.label: result.patients * len(result.replicates)}}
    return {
        "protocol": result.protocol, "seed": result.seed, "patients": result.patients,
        "replicates": len(result.replicates), "start": start.isoformat(), "parameters": result.params.describe(),
        "milestones": milestones,
        "completion": date_quantiles(completion, start),
        "completion_definition": "last patient's last primary-outcome assessment, per replicate",
        "enrolment_days": quantiles(enrolment_spans),
        "visit_load_per_week": ({"mean": round(float(np.mean(weekly)), 2),
                                 "p95": round(float(np.percentile(weekly, 95)), 1)} if weekly else None),
        "resources": {name: _resource(entry, replicates) for name, entry in sorted(resources.items())},
        "window_status": dict(sorted(statuses.items())),
        "deviations": dict(sorted(deviations.items())),
        "dropouts": {phase: dict(sorted(c.items())) for phase, c in sorted(dropouts.items())},
        **design,  # a study with arms or decisions: patients on each path (arm, branches), over all replicates
    }


def _study_day(value: float, zero: bool) -> float:
    """A time (0 = day 1) as a study day, keeping the fraction of a quantile."""
    whole = int(np.floor(value))
    return round(study_day(whole, zero) + (value - whole), 1)


def _resource(entry: dict[str, Any], replicates: int) -> dict[str, Any]:
    waits = entry["waits"]
    capacity = entry["capacity"] or 1
    return {"capacity": entry["capacity"],
            "utilisation": round(entry["busy_days"] / (capacity * entry["span"]), 4) if entry["span"] else 0.0,
            "uses": len(waits) if waits else None,
            "queueing_days": ({"mean": round(float(np.mean(waits)), 2),
                               "p95": round(float(np.percentile(waits, 95)), 1), "max": int(max(waits)),
                               "waited": sum(1 for w in waits if w > 0)} if waits else None),
            "moved_in_window": entry["moved_in_window"], "moved_out_of_window": entry["moved_out_of_window"]}


def by_path(result: SimulationResult, wanted: list[int], primary: set[int]) -> dict[str, dict[str, Any]]:
    """Per path (arm and branches): its patients, its milestones' quantiles and its study completion (the last
    primary assessment of its patients, per replicate): the arms are compared, not pooled."""
    assert result.cohort is not None
    zero = result.timeline.conventions.study_day_zero
    found: dict[str, dict[str, Any]] = {}
    for index, path in enumerate(result.cohort.paths):
        local: dict[int, list[int]] = {i: [] for i in wanted}
        completion, patients = [], 0
        for rep in result.replicates:
            table = rep.records
            subjects = np.frombuffer(table.subject, dtype=np.int32)
            on_path = np.asarray(rep.paths, dtype=np.int64)[subjects] == index if len(subjects) else subjects > 0
            patients += sum(1 for p in rep.paths if p == index)
            events = np.frombuffer(table.event, dtype=np.int32)
            actual = np.frombuffer(table.actual, dtype=np.int32)
            done = (np.frombuffer(table.status, dtype=np.int8) != CANCELLED) & on_path
            for i in wanted:
                local[i].extend(actual[done & (events == i)].tolist())
            offsets = np.asarray(rep.day1, dtype=np.int64)[subjects] if len(subjects) else np.zeros(0, np.int64)
            last = (actual + offsets)[done & np.isin(events, list(primary))]
            if len(last):
                completion.append(int(last.max()))
        milestones = {}
        for i in wanted:
            days = quantiles(local[i])
            if days is not None:
                milestones[result.events[i].id] = {**{k: _study_day(v, zero) for k, v in days.items()},
                                                   "reached": len(local[i])}
        found[path.label] = {"patients": patients, "completion": date_quantiles(completion, result.start),
                             "milestones": milestones}
    return found
