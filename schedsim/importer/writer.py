"""Write a draft protocol as YAML that reads like a hand-written one: the record's words quoted beside what
they became, assumptions marked ``assumed: "TODO: ..."`` and what could not be read kept as ``# TODO`` comments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from schedsim.importer.arms import draft_arms
from schedsim.importer.phases import LIBRARY
from schedsim.importer.points import Resolved
from schedsim.importer.products import DraftPhase
from schedsim.importer.record import OutcomeEntry, Record
from schedsim.importer.timeframe.words import original_case
from schedsim.language.durations import Duration

_GAPS = {"asct": 28, "allo": 28}
_DEFAULT_GAP = 14
_ESCALATION = re.compile(r"i3\+3|\b3 ?\+ ?3\b|\bBOIN(?:12)?\b|\bmTPI|\bCRM\b|continual reassessment|"
                         r"dose[- ](?:escalation|finding)|optimal biological dose", re.IGNORECASE)


@dataclass(slots=True)
class DraftAssessment:
    """One assessment of the draft: the time points shared by one or more outcomes."""

    id: str
    points: list[Resolved]
    measures: list[str] = field(default_factory=list)
    outcome_ids: list[str] = field(default_factory=list)
    time_frame: str = ""
    probe: list[str] | None = None  # anchors only (used to plan the horizon)


@dataclass(slots=True)
class DraftOutcome:
    id: str
    entry: OutcomeEntry
    assessments: list[str]
    todos: list[str]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def render_draft(record: Record, phases: list[DraftPhase], includes: list[str], assessments: list[DraftAssessment],
                 outcomes: list[DraftOutcome], horizon: tuple[str, str] | None, seed: str | None) -> str:
    out: list[str] = []
    source = record.registry_id or record.source.rsplit("/", 1)[-1]
    out += [f"# Draft protocol imported by `schedsim import` from {source}.",
            "# Review every TODO and every `assumed:` value before use: the record states little of the schedule.",
            f"id: {_protocol_id(record.title)}",
            f"title: {q(record.title or 'TODO: title')}",
            "source:"]
    if seed:
        out.append(f"  seed: {q(seed)}")
    out.append("  registry: ClinicalTrials.gov")
    if record.registry_id:
        out.append(f"  registry_id: {record.registry_id}")
    schedule = "; ".join(q(p.source)[1:-1] for p in phases if p.source)
    note = record.summary or record.description[:300]
    out.append(f"  note: {q(note + (' Schedule read from: ' + schedule if schedule else ''))}")
    out.append(f"conditions: [{', '.join(q(c) for c in record.conditions)}]")
    out.append(f"interventions: [{', '.join(q(i) for i in record.interventions)}]")
    if includes:
        out.append(f"include: [{', '.join(q(i) for i in includes)}]")
    if record.enrollment:
        out.append(f"# Enrolment: {record.enrollment} participants (record).")
    for sentence in _escalation_sentences(record):
        out.append(f"# TODO: dose escalation in the record: {sentence!r} -- add an `escalation:` block "
                   "(see `schedsim escalation table`).")
    out += _arms(record)
    out += ["", "conventions:",
            "  month:", "    value: calendar",
            "    assumed: \"TODO: the record does not define a month; calendar months assumed.\"",
            "  year:", "    value: calendar",
            "    assumed: \"TODO: the record does not define a year; calendar years assumed.\"", "", "phases:"]
    out += _phases(phases)
    if horizon is not None:
        expr, why = horizon
        out += ["", "horizon:", f"  value: {expr}", f"  assumed: {q(why if why.startswith('TODO') else why + '.')}"]
    out += ["", "assessments: []" if not assessments else "assessments:"]
    for assessment in assessments:
        out += _assessment(assessment)
    out += ["", "outcomes: []" if not outcomes else "outcomes:"]
    for outcome in outcomes:
        out += _outcome(outcome)
    return "\n".join(out) + "\n"


def _arms(record: Record) -> list[str]:
    arms = draft_arms(record.title, record.interventions, record.arm_groups)
    if not arms:
        said = re.search(r"[^.]*\brandomi[sz]\w*[^.]*", f"{record.summary} {record.description}", re.IGNORECASE)
        if said or record.randomised:
            return ["", f"# TODO: the record randomises ({(said[0].strip() if said else 'its allocation')[:160]!r}) "
                        "but names no arms the draft can tell apart: add `arms:` and `arm_assignment: randomised`."]
        return []
    text = f"{record.title} {record.summary} {record.description}"
    randomised = record.randomised if record.randomised is not None else bool(re.search(r"randomi[sz]", text, re.I))
    out = ["", "# TODO: the record compares arms; every phase below is every arm's: give each arm its own phases "
               "with `arms: [...]` on them.", "arms:"]
    for arm in arms:
        out += [f"  - id: {arm.id}", f"    label: {q(arm.label)}", f"    description: {q(arm.description)}"]
    out.append(f"arm_assignment: {'randomised' if randomised else 'assigned'}"
               + ("" if randomised or record.randomised is not None else
                  "   # TODO: the record does not say the arms are randomised"))
    return out


def _phases(phases: list[DraftPhase]) -> list[str]:
    if not phases:
        return ["  - id: treatment", "    kind: procedure", "    label: Treatment",
                "    # TODO: no treatment phase recognised in the record; describe the schedule here.",
                "    steps:", "      - {id: first_dose, label: First dose, day: 0}"]
    out: list[str] = []
    previous: DraftPhase | None = None
    for phase in phases:
        out += [f"  - id: {phase.id}", f"    kind: {phase.kind}", f"    label: {q(phase.label)}"]
        out.append(f"    # from the record: {q(phase.source)}")
        out += [f"    # TODO: {todo}" for todo in phase.todos]
        if phase.block:
            out.append(f"    block: {LIBRARY[phase.block][1]}")
        elif phase.kind == "procedure":
            label = q(phase.source.split(":", 1)[-1].strip())
            out += ["    steps:", f"      - {{id: infusion, label: {label}, day: 0}}"]
        elif phase.regimen:
            name = LIBRARY[phase.regimen][1]
            if phase.regimen_assumed:
                out += ["    regimen:", f"      value: {name}", f"      assumed: {q(phase.regimen_assumed)}"]
            else:
                out.append(f"    regimen: {name}")
        else:
            agent = re.sub(r"[^a-z0-9_]+", "_", (phase.agent or "study_drug").lower()).strip("_") or "study_drug"
            agent = agent if agent[0].isalpha() else f"drug_{agent}"
            out += [f"    cycle_length: {phase.cycle_length}d   # from the record"] if phase.cycle_length else [
                "    cycle_length:", "      value: 28d",
                "      assumed: \"TODO: the record gives no cycle length; 28 days written.\""]
            out += ["    agents:", f"      {agent}:", "        dose: \"TODO: dose\"", "        days: [1]",
                    "        assumed: \"TODO: the record gives no dosing days; day 1 written.\""]
        if phase.cycles is not None:
            out.append(f"    cycles: {phase.cycles}")
        elif phase.kind == "cycles":
            out.append("    until: study.horizon")
        if previous is not None:
            out += _timing(phase, previous, phases)
        previous = phase
    return out


def _timing(phase: DraftPhase, previous: DraftPhase, phases: list[DraftPhase]) -> list[str]:
    if phase.start_day is not None:
        asct = [p for p in phases[:phases.index(phase)] if p.role == "asct"]
        if asct:
            return [f"    start: {asct[-1].id}.transplant + {phase.start_day}d   # {q(phase.source)}"]
    gap = _GAPS.get(phase.role, _DEFAULT_GAP)
    return [f"    after: {previous.id}.end", "    gap:", f"      value: {gap}d",
            f"      assumed: {q(f'TODO: the record gives no gap between {previous.id} and {phase.id}; {gap} days.')}"]


def _assessment(assessment: DraftAssessment) -> list[str]:
    if assessment.probe is not None:
        return [f"  - id: {assessment.id}", "    label: probe", f"    at: [{', '.join(assessment.probe)}]"]
    out = [f"  - id: {assessment.id}", f"    label: {q(_label(assessment.measures))}",
           f"    activities: [{', '.join(q(m) for m in assessment.measures)}]",
           "    # TODO: windows and visit frequency are not in the record.", "    at:"]
    used: set[str] = set()
    for resolved in assessment.points:
        assert resolved.expr is not None
        point = resolved.point
        ident = re.sub(r"[^a-z0-9]+", "_", resolved.expr.lower()).strip("_")
        ident = ident if ident not in used else f"{ident}_{len(used) + 1}"
        used.add(ident)
        text = original_case(point.text, assessment.time_frame)
        label = text[:1].upper() + text[1:]
        if point.kind in ("horizon", "until"):
            label = f"End of the time frame: {text}"
        out += [f"      - id: {ident}", f"        label: {q(label)}", f"        at: {resolved.expr}"]
        if point.window is not None:
            out.append(f"        window: {point.window}")
        if resolved.note:
            out.append(f"        # {resolved.note}")
        if resolved.todo:
            out.append(f"        # TODO: {resolved.todo}")
        if point.kind in ("horizon", "until"):
            start = resolved.expr.split(" ")[0]
            every = _visit_interval(point.offset)
            out.append(f"        # TODO: the record gives a horizon ({text!r}): add visits up to it, e.g. "
                       f"'every: {every} from {start} until {resolved.expr}'.")
    return out


def _visit_interval(offset: Duration | None) -> str:
    """A visit frequency to suggest up to a horizon: weekly over 2 months, monthly up to a year, then every 3 or 6
    months (a 407-week horizon is no weekly series)."""
    days = offset.approx_days if offset is not None else 365
    return "1w" if days <= 60 else "4w" if days <= 366 else "3mo" if days <= 3 * 366 else "6mo"


def _outcome(outcome: DraftOutcome) -> list[str]:
    entry = outcome.entry
    out = [f"  - id: {outcome.id}", f"    type: {entry.type}", f"    measure: {q(entry.measure)}"]
    if entry.description:
        out.append(f"    description: {q(entry.description)}")
    out.append(f"    time_frame: {q(entry.time_frame)}")
    out.append(f"    assessments: [{', '.join(outcome.assessments)}]")
    out += [f"    # TODO: {todo}" for todo in outcome.todos]
    return out


def _label(measures: list[str]) -> str:
    names = [_short(m) for m in measures]
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"


def _short(measure: str) -> str:
    abbreviation = re.search(r"\(([A-Za-z][A-Za-z0-9/ -]{0,14})\)", measure)
    if abbreviation:
        return abbreviation.group(1)
    words = measure.split()
    return " ".join(words[:5]) + (" ..." if len(words) > 5 else "")


def _escalation_sentences(record: Record) -> list[str]:
    text = " ".join([record.summary, record.description])
    sentences = [s.strip() for s in re.split(r"(?<=[.;])\s+", text) if _ESCALATION.search(s)]
    return list(dict.fromkeys(sentences))[:2]


_TITLE_STOP = {"a", "an", "the", "of", "in", "with", "for", "and", "to", "study", "trial", "patients", "on", "or",
               "phase", "clinical", "evaluate", "evaluating"}


def _protocol_id(title: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _TITLE_STOP]
    ident = "_".join(words[:6]) or "draft"
    ident = ident if ident[0].isalpha() else f"p_{ident}"
    return ident[:64].rstrip("_")
