"""Import a registry record as a draft protocol: phases from the description, one assessment per group of outcome
time points, and every piece it could not read kept as a commented TODO with the record's words.

``import_record(path)`` returns an ``ImportResult`` with the draft's YAML text, the per-outcome report, the
warnings and any validation problems of the draft (none for a readable record).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from schedsim.compile.ir import Timeline
from schedsim.errors import InputError, Problem
from schedsim.importer.phases import LIBRARY, recognise_phases
from schedsim.importer.points import Resolved, Resolver
from schedsim.importer.products import DraftPhase, cycles_placeholder, reference_event
from schedsim.importer.record import OutcomeEntry, Record, read_record
from schedsim.importer.timeframe.parse import TimeFrame, parse_time_frame
from schedsim.importer.writer import DraftAssessment, DraftOutcome, render_draft

_PROVISIONAL = "20y"  # horizon of the provisional drafts planned to find event ids and the latest time point


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """What became of one outcome's time frame."""

    outcome: OutcomeEntry
    outcome_id: str
    frame: TimeFrame
    resolved: tuple[Resolved, ...]
    assessment: str | None


@dataclass(slots=True)
class ImportResult:
    """A draft protocol and what the importer has to say about it."""

    text: str
    record: Record
    phases: list[DraftPhase]
    outcomes: list[OutcomeReport]
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def todo_count(self) -> int:
        return self.text.count("TODO")

    def accounting(self) -> dict[str, dict[str, int]]:
        """Per outcome type (primary, secondary, other), the record's outcomes and how each was read: ``full`` (every
        time point placed), ``partly`` (some placed, the rest a TODO) or ``unread`` (a TODO with the record's words
        only). The three always add up to the record's count: no outcome is dropped."""
        counts: dict[str, dict[str, int]] = {}
        for outcome in self.record.outcomes:
            counts.setdefault(outcome.type, {"record": 0, "full": 0, "partly": 0, "unread": 0})["record"] += 1
        for report in self.outcomes:
            placed = [r for r in report.resolved if r.expr is not None]
            missing = len(report.resolved) - len(placed) + len(report.frame.unparsed)
            how = "unread" if not placed else "partly" if missing else "full"
            counts[report.outcome.type][how] += 1
        return counts


def import_record(path: str | Path, output: str | Path | None = None, library: str | Path | None = None
                  ) -> ImportResult:
    """Read a record and draft a protocol; ``output`` is where the draft will live (the record's path is written
    relative to it). The draft includes the packaged library by name (``lib:vrd``), or with ``library`` (a folder of
    library files: ``vrd.yaml``, ``cart.yaml``, ...) those files, by paths relative to the draft."""
    record = read_record(path)
    out_dir = Path(output).resolve().parent if output is not None else Path.cwd()
    result = draft_protocol(record, out_dir, Path(library) if library is not None else None, Path(path))
    from schedsim.language.yamlsource import parse_yaml

    try:  # a draft is written only when it reads back as YAML (a record's odd characters must not break it)
        parse_yaml(result.text, str(output or "draft.yaml"))
    except InputError as error:
        raise InputError([Problem(str(path), None, "", f"the draft would not be valid YAML: {p.message}")
                          for p in error.problems]) from None
    drafted = str(out_dir / "draft.yaml")  # the draft's problems name the file it is written to
    shown = str(output) if output is not None else "(the draft on stdout)"
    result.problems = [replace(p, file=shown) if p.file == drafted else p for p in result.problems]
    return result


def draft_protocol(record: Record, out_dir: Path, library_dir: Path | None = None, record_path: Path | None = None
                   ) -> ImportResult:
    warnings = list(record.warnings)
    if library_dir is not None and not library_dir.is_dir():
        raise InputError(Problem(str(library_dir), None, "library", "library directory not found"))
    phases = recognise_phases("\n".join([record.description, *record.intervention_details]), record.interventions,
                              record.title, record.summary)
    cycles_doubt = ""
    if not phases:
        frames = [parse_time_frame(outcome.time_frame) for outcome in record.outcomes]
        named = [p.anchor.cycle or 1 for frame in frames for p in frame.points
                 if p.anchor.kind in ("cycle_start", "cycle_end")]
        if named:
            lengths = [int(n.split()[2]) for frame in frames for n in frame.notes if n.startswith("cycle of ")]
            length = max(set(lengths), key=lengths.count) if lengths else None
            phases = [cycles_placeholder(record.interventions, length, min(max(named), 200))]
            parts = re.findall(r"\b(?:blocks?|induction|consolidation|post-consolidation|maintenance|intensification|"
                               r"re-?induction|salvage)\b", " ".join([record.title, record.summary, *(
                                   o.time_frame for o in record.outcomes)]), re.IGNORECASE)
            if parts:
                named = ", ".join(sorted({p.lower() for p in parts}))
                cycles_doubt = (f"the record names parts of treatment ({named}) the draft's placeholder cycles do not "
                                "have: check which cycle this is")
    if not phases:
        warnings.append("no treatment phase recognised in the description or interventions; a placeholder is written")
    names = sorted({LIBRARY[key][0] for p in phases for key in (p.regimen, p.block) if key})
    includes = [f"lib:{name}" if library_dir is None else _rel(library_dir / f"{name}.yaml", out_dir)
                for name in names]
    context = _Context(record, phases, includes, out_dir, record_path)
    first = phases[0].id if phases else "treatment"
    skeleton = context.render([], [], horizon=(f"{first}.start + {_PROVISIONAL}", ""))
    event_ids = _event_ids(skeleton, out_dir)
    resolver = Resolver([p.id for p in phases] or ["treatment"], {p.id: p.role for p in phases} or
                        {"treatment": "treatment"}, event_ids,
                        *reference_event(phases, record.title, record.interventions, record.summary),
                        cycles_doubt=cycles_doubt)
    reports, assessments, outcomes = _outcomes(record, resolver)
    horizon = _horizon(context, reports, assessments, outcomes, out_dir)
    text = context.render(assessments, outcomes, horizon)
    problems = _validate(text, out_dir)
    for report in reports:
        for note in report.frame.notes:
            if note.startswith("'approximately'"):  # the record's hedge is said, not lost
                warnings.append(f"{report.outcome.measure[:50]!r}: {report.outcome.time_frame!r}: {note}")
        for piece, reason in report.frame.unparsed:
            warnings.append(f"{report.outcome.measure[:50]!r}: time frame piece {piece!r} not read ({reason})")
        for resolved in report.resolved:
            if resolved.expr is None:
                warnings.append(f"{report.outcome.measure[:50]!r}: {resolved.point.text!r} has no anchor in the "
                                f"draft ({resolved.reason})")
    return ImportResult(text, record, phases, reports, warnings, problems)


@dataclass(slots=True)
class _Context:
    record: Record
    phases: list[DraftPhase]
    includes: list[str]
    out_dir: Path
    record_path: Path | None

    def render(self, assessments: list[DraftAssessment], outcomes: list[DraftOutcome],
               horizon: tuple[str, str] | None) -> str:
        seed = _rel(self.record_path, self.out_dir) if self.record_path is not None else None
        return render_draft(self.record, self.phases, self.includes, assessments, outcomes, horizon, seed)


def _outcomes(record: Record, resolver: Resolver
              ) -> tuple[list[OutcomeReport], list[DraftAssessment], list[DraftOutcome]]:
    reports: list[OutcomeReport] = []
    groups: dict[tuple[tuple[str, str], ...], DraftAssessment] = {}
    outcomes: list[DraftOutcome] = []
    used_ids: set[str] = set()
    for entry in record.outcomes:
        outcome_id = _unique(_outcome_slug(entry.measure), used_ids)
        frame = parse_time_frame(entry.time_frame)
        default, note = resolver.default_for(entry.measure, entry.description)
        resolved = tuple(resolver.resolve(point, default, note) for point in frame.points)
        key = tuple((r.expr, str(r.point.window or "")) for r in resolved if r.expr is not None)
        todos = [f"time frame piece {piece!r} not read: {reason}" for piece, reason in frame.unparsed]
        todos += [f"{r.point.text!r} has no anchor in this draft: {r.reason}" for r in resolved if r.expr is None]
        if not entry.time_frame:
            todos.append("the record gives no time frame for this outcome")
        assessment = None
        if key:
            if key not in groups:
                groups[key] = DraftAssessment(_unique(f"{outcome_id}_assessment", used_ids),
                                              [r for r in resolved if r.expr is not None],
                                              time_frame=entry.time_frame)
            group = groups[key]
            group.measures.append(entry.measure)
            group.outcome_ids.append(outcome_id)
            assessment = group.id
        reports.append(OutcomeReport(entry, outcome_id, frame, resolved, assessment))
        outcomes.append(DraftOutcome(outcome_id, entry, [assessment] if assessment else [], todos))
    return reports, list(groups.values()), outcomes


def _horizon(context: _Context, reports: list[OutcomeReport], assessments: list[DraftAssessment],
             outcomes: list[DraftOutcome], out_dir: Path) -> tuple[str, str] | None:
    """The latest time point of the draft becomes its horizon (planned on a provisional draft)."""
    points = [(r.expr, report.outcome.time_frame) for report in reports for r in report.resolved
              if r.expr is not None and r.expr != "study.horizon"]
    first = context.phases[0].id if context.phases else "treatment"
    if not points:
        return f"{first}.start + 1y", "TODO: the record gives no time frame to end the study; 1 year written"
    probe = DraftAssessment("horizon_probe", [], probe=[expr for expr, _ in points])
    text = context.render([*assessments, probe], outcomes, (f"{first}.start + {_PROVISIONAL}", ""))
    times = _plan(text, out_dir)
    if times is None:
        return points[0][0], "TODO: check the horizon"
    index = max(range(len(points)), key=lambda i: times.get(f"horizon_probe.t{i + 1}", -10**9))
    expr, frame = points[index]
    return expr, f"The latest time frame in the record is {frame!r}"


def _event_ids(text: str, out_dir: Path) -> frozenset[str]:
    timeline, _ = _compile(text, out_dir)
    return frozenset(e.id for e in timeline.events) if timeline is not None else frozenset()


def _plan(text: str, out_dir: Path) -> dict[str, int] | None:
    from schedsim.engine.subject import plan

    timeline, _ = _compile(text, out_dir)
    return plan(timeline) if timeline is not None else None


def _validate(text: str, out_dir: Path) -> list[Problem]:
    return _compile(text, out_dir)[1]


def _compile(text: str, out_dir: Path) -> tuple[Timeline | None, list[Problem]]:
    """Load and compile a draft from its text as if it were saved in ``out_dir`` (includes resolve from there)."""
    from schedsim.compile.compiler import compile_protocol
    from schedsim.language.loader import load_protocol
    from schedsim.language.yamlsource import parse_yaml

    name = str(out_dir / "draft.yaml")
    try:
        return compile_protocol(load_protocol(name, parse_yaml(text, name))), []
    except InputError as exc:
        return None, exc.problems


def _rel(target: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(target.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.resolve().as_posix()


_STOP = {"the", "a", "an", "of", "in", "and", "or", "to", "rate", "with", "by", "for", "that", "as", "at", "after"}


def _outcome_slug(measure: str) -> str:
    abbreviation = re.search(r"\(([A-Za-z][A-Za-z0-9/ -]{0,14})\)", measure)
    if abbreviation:
        base = abbreviation.group(1)
    else:
        words = [w for w in re.findall(r"[A-Za-z0-9]+", measure) if w.lower() not in _STOP]
        base = "_".join(words[:3]) or "outcome"
    slug = re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_") or "outcome"
    return slug if slug[0].isalpha() else f"o_{slug}"


def _unique(base: str, used: set[str]) -> str:
    base = base[:56]
    name, number = base, 2
    while name in used or name in ("study",):
        name, number = f"{base}_{number}", number + 1
    used.add(name)
    return name
