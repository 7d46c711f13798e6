"""Read a registry record: the seed text layout (one field per line, fields told apart by content) or the
ClinicalTrials.gov JSON API v2 format. Malformed records give a record plus warnings, never an exception,
unless the file is not a record at all.

>>> _split_bar("Overall survival, Time to death, 1 year| PFS, 2 years |")
['Overall survival, Time to death, 1 year', 'PFS, 2 years']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from schedsim.errors import InputError, Problem
from schedsim.importer.entries import OUTCOME_TYPES, OutcomeEntry, looks_like_outcome, outcome_shaped, split_outcome
from schedsim.importer.timeframe.words import tidy
from schedsim.inputs import read_input

_TYPES = ("DRUG", "BIOLOGICAL", "PROCEDURE", "DEVICE", "RADIATION", "BEHAVIORAL", "GENETIC", "DIETARY_SUPPLEMENT",
          "COMBINATION_PRODUCT", "DIAGNOSTIC_TEST", "OTHER")
_INTERVENTION = re.compile(rf"^(?:{'|'.join(_TYPES)}):\s*\S", re.IGNORECASE)


@dataclass(slots=True)
class Record:
    """The fields of a registry record that a draft protocol needs."""

    source: str
    title: str = ""
    registry_id: str | None = None
    summary: str = ""
    conditions: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    intervention_details: list[str] = field(default_factory=list)
    outcomes: list[OutcomeEntry] = field(default_factory=list)
    description: str = ""
    enrollment: int | None = None
    arm_groups: list[tuple[str, str]] = field(default_factory=list)  # (label, type) of the JSON's armGroups
    randomised: bool | None = None  # the JSON's designInfo.allocation, when given
    warnings: list[str] = field(default_factory=list)


def read_record(path: str | Path) -> Record:
    """Read a record file (text layout or JSON API v2); ``InputError`` only when it holds no record at all."""
    return parse_record(read_input(path, "record"), str(path))


_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\u2027\u202f-\u2065\u206a-\ud7ff\ue000-\ufffd"
                          "\U00010000-\U0010ffff]")  # no controls, line separators or bidirectional overrides


MAX_JSON_DEPTH = 64  # a registry record nests about 8 levels


def _depth(data: object, limit: int = MAX_JSON_DEPTH + 1) -> int:
    """How deeply ``data`` nests (counting stops past ``limit``)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_record(text: str, source: str) -> Record:
    """Read a record from its text (``source`` names it in messages)."""
    text, controls = _UNPRINTABLE.subn(" ", text)
    stripped = text.strip()
    if not stripped:
        raise InputError(Problem(source, None, "", "the record is empty"))
    if stripped[0] in "{[":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(Problem(source, exc.lineno, "", f"not valid JSON: {exc.msg}")) from None
        except RecursionError:
            raise InputError(Problem(source, None, "", "not a record: JSON nested too deeply")) from None
        except ValueError as exc:  # an integer of thousands of digits
            raise InputError(Problem(source, None, "", f"not a record: {exc}")) from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise InputError(Problem(source, None, "", f"not a record: JSON nested deeper than {MAX_JSON_DEPTH}"))
        record = _from_json(data, source)
    else:
        record = _from_text(text, source)
    if controls:
        record.warnings.insert(0, f"{controls} control character(s) replaced by spaces")
    return record


# --- the seed text layout -----------------------------------------------------------------------------------

def _other_format(lines: list[str]) -> str | None:
    """What a text that is plainly no registry record is instead: a CSV table or a YAML file (a protocol)."""
    if len(lines) >= 3:
        commas = lines[0].count(",")
        if _CSV_HEADER.match(lines[0]) and sum(line.count(",") >= commas for line in lines) >= 0.8 * len(lines):
            return "a CSV table"
        if sum(bool(_YAML_LINE.match(line)) for line in lines) >= 0.8 * len(lines):
            return "a YAML file"
    return None


_CSV_HEADER = re.compile(r"^[a-z_][a-z0-9_]*(?:,[a-z_][a-z0-9_]*){2,}$")  # patient_id,protocol,start
_YAML_LINE = re.compile(r"^(?:#.*|- .*|[a-z_][a-z0-9_]*:(?: .*)?)$")  # YAML keys are lower case; DRUG: is a record


def _from_text(text: str, source: str) -> Record:
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    other = _other_format([line for _, line in lines])
    if other is not None:
        raise InputError(Problem(source, None, "", f"not a registry record: this is {other} (give the record's text "
                                                   "layout or its ClinicalTrials.gov JSON)"))
    record = Record(source)
    record.title = lines[0][1]
    rest = lines[1:]
    kinds = [_line_kind(line) for _, line in rest]
    after = next((i for i, kind in enumerate(kinds) if kind == "interventions"), None)
    if after is not None:  # between the interventions and the last line come the outcome lines, whatever they hold
        for index in range(after + 1, len(rest) - 1):
            if kinds[index] != "outcomes" and "," in rest[index][1]:
                kinds[index] = "outcomes"
                record.warnings.append(f"line {rest[index][0]}: read as outcome measures by its place in the record")
        last = len(rest) - 1
        earlier = sum(kind == "outcomes" for kind in kinds[after + 1:last])
        if last > after and kinds[last] != "outcomes" and earlier < 3 and outcome_shaped(rest[last][1]):
            kinds[last] = "outcomes"  # a record without a description (the registry's CSV download has none)
            record.warnings.append(f"line {rest[last][0]}: read as outcome measures by its form (no description "
                                   "line follows it)")
    first_structured = next((i for i, kind in enumerate(kinds) if kind in ("interventions", "outcomes")), len(rest))
    outcome_lines: list[tuple[int, str]] = []
    prose: list[tuple[int, str]] = []
    for index, ((number, line), kind) in enumerate(zip(rest, kinds, strict=True)):
        if kind == "interventions":
            record.interventions.extend(_split_bar(line))
        elif kind == "outcomes":
            outcome_lines.append((number, line))
        elif kind == "conditions" and index < first_structured and not record.conditions:
            record.conditions = _split_bar(line)
        else:
            prose.append((number, line))
    first_outcome = outcome_lines[0][0] if outcome_lines else 10**9
    before = [p for p in prose if p[0] < first_outcome]
    after = [p for p in prose if p[0] >= first_outcome]
    kept: list[tuple[int, str]] = []  # lines before the outcomes that are no field: first in the description
    if before:
        record.summary = before[0][1]
        for number, line in before[1:]:
            if not record.conditions and len(line) < 200 and not line.endswith("."):
                record.conditions = _split_bar(line)
            else:
                record.warnings.append(f"line {number}: not recognised as a field; kept with the description")
                kept.append((number, line))
    after = [*reversed(kept), *after]  # as the former insert-at-front did, in linear time
    record.description = "\n".join(line for _, line in after)
    if not record.interventions:
        record.warnings.append("no interventions line (TYPE: name) found")
    if not outcome_lines:
        record.warnings.append("no outcome measures found")
    if len(outcome_lines) > 3:
        record.warnings.append(f"{len(outcome_lines)} outcome lines; the 4th and later are read as 'other'")
    for index, (number, line) in enumerate(outcome_lines):
        kind = OUTCOME_TYPES[min(index, 2)]
        for entry in _split_bar(line):
            outcome = split_outcome(entry, kind)
            record.outcomes.extend([outcome])
            record.warnings.extend(f"line {number}: {w}" for w in outcome.warnings)
    return record


def _split_bar(line: str) -> list[str]:
    return [part.strip() for part in line.split("|") if part.strip()]


def _line_kind(line: str) -> str:
    entries = _split_bar(tidy(line)[0])
    if entries and all(_INTERVENTION.match(e) for e in entries):
        return "interventions"
    if entries and sum(looks_like_outcome(e) for e in entries) * 2 >= len(entries) and len(entries) >= 1:
        return "outcomes"
    if len(line) < 300 and not re.search(r"\.\s+[A-Z]", line) and not line.endswith("."):
        return "conditions"
    return "prose"


# --- the JSON API v2 ----------------------------------------------------------------------------------------

def _from_json(data: object, source: str) -> Record:
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        studies = data["studies"]
        if not studies:
            raise InputError(Problem(source, None, "studies", "the file lists no studies"))
        data = studies[0]
        extra = len(studies) - 1
    else:
        extra = 0
    section = data.get("protocolSection") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise InputError(Problem(source, None, "protocolSection",
                                 "not a ClinicalTrials.gov API v2 study: no protocolSection"))
    record = Record(source)
    if extra:
        record.warnings.append(f"the file lists {extra + 1} studies; only the first is read")
    ident = _dict(section, "identificationModule", record)
    record.title = _text(ident.get("briefTitle")) or _text(ident.get("officialTitle"))
    record.registry_id = _text(ident.get("nctId")) or None
    described = _dict(section, "descriptionModule", record)
    record.summary = _text(described.get("briefSummary"))
    record.description = _text(described.get("detailedDescription"))
    record.conditions = [_text(c) for c in _list(_dict(section, "conditionsModule", record), "conditions") if c]
    arms = _dict(section, "armsInterventionsModule", record)
    for item in _list(arms, "interventions"):
        if isinstance(item, dict):
            kind, name = _text(item.get("type")), _text(item.get("name"))
            record.interventions.append(f"{kind}: {name}" if kind else name)
            if item.get("description"):
                record.intervention_details.append(_text(item["description"]))
    for item in _list(arms, "armGroups"):
        if isinstance(item, dict) and item.get("description"):
            record.intervention_details.append(_text(item["description"]))
        if isinstance(item, dict) and item.get("label"):
            record.arm_groups.append((_text(item["label"]), _text(item.get("type")) or "EXPERIMENTAL"))
    design = _dict(section, "designModule", record)
    info = design.get("designInfo")
    allocation = info.get("allocation") if isinstance(info, dict) else None
    record.randomised = {"RANDOMIZED": True, "NON_RANDOMIZED": False}.get(str(allocation).upper())
    enrollment = design.get("enrollmentInfo")
    count = enrollment.get("count") if isinstance(enrollment, dict) else None
    record.enrollment = count if isinstance(count, int) and count > 0 else None
    outcomes = _dict(section, "outcomesModule", record)
    for kind in OUTCOME_TYPES:
        for index, item in enumerate(_list(outcomes, f"{kind}Outcomes")):
            if not isinstance(item, dict):
                record.warnings.append(f"{kind}Outcomes[{index}] is not an object; skipped")
                continue
            warnings: list[str] = []
            measure, frame, description = (_tidy(_text(item.get(key)), warnings)
                                           for key in ("measure", "timeFrame", "description"))
            if not measure:
                warnings.append(f"{kind}Outcomes[{index}] has no measure")
                measure = f"{kind} outcome {index + 1}"
            if not frame:
                warnings.append(f"{kind}Outcomes[{index}] ({measure[:60]!r}) has no time frame")
            record.outcomes.append(OutcomeEntry(kind, measure, description, frame, tuple(warnings)))
            record.warnings.extend(warnings)
    if not record.title:
        record.warnings.append("no title")
    return record


def _dict(parent: dict, key: str, record: Record) -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        record.warnings.append(f"{key} is not an object; ignored")
        return {}
    return value


def _list(parent: dict, key: str) -> list:
    value = parent.get(key)
    return value if isinstance(value, list) else []


def _tidy(text: str, warnings: list[str]) -> str:
    clean, notes = tidy(text)
    warnings.extend(f"{note} in {clean[:60]!r}" for note in notes)
    return clean


def _text(value: object) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()
