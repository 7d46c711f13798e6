"""SDTM trial design datasets of a protocol: TA (trial arms), TE (trial elements), TV (trial visits), TD (trial
disease assessments) and a minimal TS (trial summary), as tables; ``sdtm_files`` writes them as Dataset-JSON v1.1 and
SAS XPT version 5.

Elements are the phases; a cycles phase is one element (one cycle, ``TEDUR`` its length) repeated in TA for each cycle
(``TAETORD`` counts on). Visits are the clinic visit days of the first arm's path (and each other arm's own), with
``VISITDY`` the study day and the planned window in ``TVSTRL``/``TVENRL``. TD lists each efficacy assessment series
from day 1 (``RFSTDTC``): its first offset, its planned interval and how many there are.

>>> tables = sdtm_tables("protocols/rrmm-bcma-cart.yaml")
>>> [t.name for t in tables]
['TA', 'TE', 'TV', 'TD', 'TS']
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Timeline
from schedsim.engine.schedule import build_schedule
from schedsim.standards.soa.groups import group_of
from schedsim.standards.usdm.codes import iso_days
from schedsim.standards.visits import clinic_days


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    label: str
    kind: str = "string"  # string | integer


@dataclass(frozen=True)
class Dataset:
    """One SDTM dataset: its name, label, variables and rows (one value per variable)."""

    name: str
    label: str
    variables: tuple[Variable, ...]
    rows: tuple[tuple[object, ...], ...]


_V = Variable
_COMMON = (_V("STUDYID", "Study Identifier"), _V("DOMAIN", "Domain Abbreviation"))
TA_VARIABLES = (*_COMMON, _V("ARMCD", "Planned Arm Code"), _V("ARM", "Description of Planned Arm"),
                _V("TAETORD", "Planned Order of Element within Arm", "integer"), _V("ETCD", "Element Code"),
                _V("ELEMENT", "Description of Element"), _V("TABRANCH", "Branch"), _V("TATRANS", "Transition Rule"),
                _V("EPOCH", "Epoch"))
TE_VARIABLES = (*_COMMON, _V("ETCD", "Element Code"), _V("ELEMENT", "Description of Element"),
                _V("TESTRL", "Rule for Start of Element"), _V("TEENRL", "Rule for End of Element"),
                _V("TEDUR", "Planned Duration of Element"))
TV_VARIABLES = (*_COMMON, _V("VISITNUM", "Visit Number", "integer"), _V("VISIT", "Visit Name"),
                _V("VISITDY", "Planned Study Day of Visit", "integer"), _V("ARMCD", "Planned Arm Code"),
                _V("ARM", "Description of Planned Arm"), _V("TVSTRL", "Visit Start Rule"),
                _V("TVENRL", "Visit End Rule"))
TD_VARIABLES = (*_COMMON, _V("TDORDER", "Sequence of Planned Assessment Schedule", "integer"),
                _V("TDANCVAR", "Anchor Variable Name"), _V("TDSTOFF", "Offset from the Anchor"),
                _V("TDTGTPAI", "Planned Assessment Interval"), _V("TDMINPAI", "Planned Assessment Interval Minimum"),
                _V("TDMAXPAI", "Planned Assessment Interval Maximum"),
                _V("TDNUMRPT", "Maximum Number of Actual Assessments", "integer"))
TS_VARIABLES = (*_COMMON, _V("TSSEQ", "Sequence Number", "integer"),
                _V("TSPARMCD", "Trial Summary Parameter Short Name"), _V("TSPARM", "Trial Summary Parameter"),
                _V("TSVAL", "Parameter Value"))


def sdtm_tables(path: str | Path) -> list[Dataset]:
    """The trial design datasets of a protocol file (every arm)."""
    main = compile_file(path)
    timelines = [main] + [compile_file(path, arm=arm) for arm, _ in main.design.arms[1:]]
    study = main.protocol_id.upper()
    elements = _elements(timelines)
    return [_ta(study, timelines, elements), _te(study, elements), _tv(study, timelines), _td(study, main),
            _ts(study, main)]


def _arm(timeline: Timeline) -> tuple[str, str]:
    arm = timeline.design.arm
    if arm is None:
        return "A", "Treatment"
    return arm.upper()[:20], timeline.design.arm_label or arm


def _elements(timelines: list[Timeline]) -> dict[str, tuple[str, str, str, str, str]]:
    """Phase id → (ETCD, ELEMENT, TESTRL, TEENRL, TEDUR), in first-seen order."""
    found: dict[str, tuple[str, str, str, str, str]] = {}
    codes: set[str] = set()
    for timeline in timelines:
        schedule = build_schedule(timeline)
        for phase in schedule.phases:
            info = phase.info
            if info.id in found:
                continue
            code = re.sub(r"[^A-Z0-9]", "", info.id.upper())[:8] or "EL"
            while code in codes:
                code = code[:7] + str(len(codes))
            codes.add(code)
            if info.kind == "cycles" and info.cycle_length:
                element = f"{info.label}, one cycle"
                start, end = f"Day 1 of a {info.label} cycle", f"{info.cycle_length} days after the start of the cycle"
                duration = iso_days(info.cycle_length)
            else:
                days = phase.end_t - phase.start_t + 1
                element = info.label
                start, end = f"Start of {info.label}", f"{days} days after the start of {info.label}"
                duration = iso_days(days)
            found[info.id] = (code, element, start, end, duration)
    return found


def _ta(study: str, timelines: list[Timeline], elements: dict[str, tuple]) -> Dataset:
    rows = []
    for timeline in timelines:
        armcd, arm = _arm(timeline)
        order = 0
        schedule = build_schedule(timeline)
        for phase in schedule.phases:
            info = phase.info
            code, element = elements[info.id][:2]
            repeats = info.cycles or 1 if info.kind == "cycles" else 1
            if info.kind == "cycles" and info.cycle_length:
                repeats = max(1, round((phase.end_t - phase.start_t + 1) / info.cycle_length))
            for _cycle in range(repeats):
                order += 1
                branch = (f"Randomized to {arm}" if order == 1 and timeline.design.assignment == "randomised"
                          and len(timelines) > 1 else "")
                rows.append((study, "TA", armcd, arm, order, code, element, branch, "", info.label.upper()[:40]))
    return Dataset("TA", "Trial Arms", TA_VARIABLES, tuple(rows))


def _te(study: str, elements: dict[str, tuple]) -> Dataset:
    rows = tuple((study, "TE", *values) for values in elements.values())
    return Dataset("TE", "Trial Elements", TE_VARIABLES, rows)


def _tv(study: str, timelines: list[Timeline]) -> Dataset:
    """One row per visit of each arm; a visit on the same study day with the same name has one VISITNUM in every
    arm, numbered in study-day order."""
    per_arm = [(timeline, clinic_days(build_schedule(timeline))) for timeline in timelines]
    names: dict[tuple[int, str], str] = {}
    for _timeline, visits in per_arm:
        for visit in visits:
            names.setdefault((visit.day, visit.name), _visit_name(visit.name, visit.day, set(names.values())))
    numbers = {key: number for number, key in enumerate(sorted(names), 1)}
    rows = []
    for timeline, visits in per_arm:
        armcd, arm = _arm(timeline)
        for visit in visits:
            day, before, after = visit.day, visit.early, visit.late
            start = f"Study day {day}" + (f", window {-before if before else 0}/+{after} days" if before or after
                                          else "")
            end = f"Study day {day + after}" if after else f"Study day {day}"
            rows.append((study, "TV", numbers[(day, visit.name)], names[(day, visit.name)], day,
                         armcd if len(timelines) > 1 else "", arm if len(timelines) > 1 else "", start, end))
    rows.sort(key=lambda row: (row[2], row[5]))
    return Dataset("TV", "Trial Visits", TV_VARIABLES, tuple(rows))


def _visit_name(name: str, day: int, taken: set[str]) -> str:
    """A VISIT of at most 40 characters, unique: the name, shortened at a word, with its study day when needed."""
    suffix = f" D{day}"
    text = name if len(name) <= 40 else name[: 40 - len(suffix)].rsplit(" ", 1)[0] + suffix
    if text in taken:
        text = name[: 40 - len(suffix)].rsplit(" ", 1)[0] + suffix if len(name) + len(suffix) > 40 else name + suffix
    return text


def _td(study: str, timeline: Timeline) -> Dataset:
    schedule = build_schedule(timeline)
    series: dict[str, list[int]] = {}
    for item in schedule.events:
        event = item.event
        if event.kind == "assessment" and group_of(" ".join([event.label, *event.activities]), "assessment") \
                == "efficacy":
            series.setdefault(event.id.split(".")[0], []).append(item.t)
    rows = []
    for _name, times in sorted(series.items(), key=lambda kv: min(kv[1])):
        times = sorted(times)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        if len(gaps) >= 2 and max(gaps) - min(gaps) <= 1:  # a regular schedule: one row with its interval
            interval = iso_days(round(statistics.median(gaps)))
            rows.append([iso_days(max(times[0], 0)), interval, iso_days(min(gaps)), iso_days(max(gaps)), len(times)])
        else:  # assessments tied to events, not to an interval: one row each
            rows += [[iso_days(max(t, 0)), "", "", "", 1] for t in times]
    rows = [(study, "TD", order, "RFSTDTC", *row) for order, row in enumerate(rows, 1)]
    return Dataset("TD", "Trial Disease Assessments", TD_VARIABLES, tuple(rows))


def _ts(study: str, timeline: Timeline) -> Dataset:
    arms = timeline.design.arms
    values = [("TITLE", "Trial Title", timeline.title[:200]), ("STYPE", "Study Type", "INTERVENTIONAL"),
              ("INTMODEL", "Intervention Model", "PARALLEL" if len(arms) > 1 else "SINGLE GROUP"),
              ("NARMS", "Planned Number of Arms", str(max(len(arms), 1))),
              ("RANDOM", "Trial is Randomized", "Y" if timeline.design.assignment == "randomised" else "N")]
    rows = tuple((study, "TS", seq, code, name, value) for seq, (code, name, value) in enumerate(values, 1))
    return Dataset("TS", "Trial Summary", TS_VARIABLES, rows)
