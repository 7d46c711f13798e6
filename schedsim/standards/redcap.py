"""REDCap: a protocol's visits as a longitudinal project's arms and events (the CSV files REDCap's "Upload arms",
"Upload events" and "Upload instrument-event mappings" take), and a REDCap record export turned into actuals CSVs.

Events are the clinic visit days of each arm's path: ``event_name`` (at most 50 characters), ``arm_num``,
``day_offset`` (days from study day 1), ``offset_min``/``offset_max`` (the window), ``unique_event_name`` (REDCap
derives its own on upload; ours: the name in lower case with underscores, cut to 18 characters, unique within the
arm, then ``_arm_N`` — check them against the project's before uploading the mappings) and ``custom_event_label``.
Instruments are one per activity (its name in lower case with underscores). A map
(``actuals-map.yaml``) says which protocol event each REDCap event stands for and which field holds its date;
``actuals_from_redcap`` reads a record export (``record_id``, ``redcap_event_name`` and the date fields) with it.

>>> unique_event_name("Cycle 1 day 1 visit", 1, set())
'cycle_1_day_1_visi_arm_1'
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import build_schedule
from schedsim.errors import InputError, Problem
from schedsim.fileio import write_folder
from schedsim.inputs import date_problem, read_input
from schedsim.language.yamlsource import parse_yaml
from schedsim.standards.soa.model import activities_of
from schedsim.standards.visits import clinic_days

EVENT_COLUMNS = ("event_name", "arm_num", "day_offset", "offset_min", "offset_max", "unique_event_name",
                 "custom_event_label")
ARM_COLUMNS = ("arm_num", "name")
MAPPING_COLUMNS = ("arm_num", "unique_event_name", "form")
FILES = ("arms.csv", "events.csv", "instrument_designation.csv", "actuals-map.yaml")


def unique_event_name(name: str, arm: int, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:18].strip("_") or "event"
    stem, number = base, 2
    while f"{stem}_arm_{arm}" in taken:
        stem, number = f"{base[:16]}{number}", number + 1
    taken.add(f"{stem}_arm_{arm}")
    return f"{stem}_arm_{arm}"


def form_name(activity: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", activity.lower()).strip("_")[:50] or "form"
    return name if name[0].isalpha() else f"form_{name}"


@dataclass
class RedcapProject:
    """The arms, events and instrument–event mappings of a protocol, and the map for importing actuals."""

    arms: list[tuple[int, str]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    mappings: list[tuple[int, str, str]] = field(default_factory=list)
    actual_map: dict[str, dict[str, Any]] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        return {"arms.csv": _csv(ARM_COLUMNS, self.arms), "events.csv": _csv(EVENT_COLUMNS, self.events),
                "instrument_designation.csv": _csv(MAPPING_COLUMNS, self.mappings),
                "actuals-map.yaml": _map_yaml(self.actual_map)}


def write_redcap(path: str | Path, output: str | Path) -> list[Path]:
    """Write a protocol's REDCap project files into the folder ``output``; the files written."""
    if Path(output).suffix:
        raise InputError(Problem(str(output), None, "", f"give a folder (no extension): the files are "
                                                        f"{', '.join(FILES)}"))
    return write_folder(output, redcap_project(path).files(), FILES)


def redcap_project(path: str | Path) -> RedcapProject:
    main = compile_file(path)
    timelines = [main] + [compile_file(path, arm=arm) for arm, _ in main.design.arms[1:]]
    project = RedcapProject()
    for number, timeline in enumerate(timelines, 1):
        project.arms.append((number, (timeline.design.arm_label or "Arm 1")[:50]))
        taken: set[str] = set()
        for visit in clinic_days(build_schedule(timeline)):
            full = f"{visit.name} (day {visit.day})"
            name = full if len(full) <= 50 else f"{visit.name[:42].rsplit(' ', 1)[0]} (day {visit.day})"
            unique = unique_event_name(name, number, taken)
            event_id = visit.main.event.id
            project.events.append((name, number, visit.t, visit.early, visit.late, unique, event_id))
            also = [i.event.id for i in visit.items if i.event.id != event_id]
            project.actual_map[unique] = {"event": event_id, "also": also, "date": "visit_date"}
            forms = {form_name(a.name) for item in visit.items for a in activities_of(item.event, timeline)}
            project.mappings += [(number, unique, form) for form in sorted(forms)]
    return project


def _csv(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _map_yaml(mapping: dict[str, dict[str, Any]]) -> str:
    lines = ["# Which protocol event each REDCap event records (and the other events of that visit day, done with it),",
             "# and the field that holds its date; edit 'date' to your project's field names.",
             "# Used by: schedsim actuals from-redcap EXPORT.csv --map actuals-map.yaml",
             "record_id: record_id", "events:"]
    for unique, m in mapping.items():
        also = f", also: [{', '.join(m['also'])}]" if m.get("also") else ""
        lines.append(f"  {unique}: {{event: {m['event']}{also}, date: {m['date']}}}")
    return "\n".join(lines) + "\n"


@dataclass
class RedcapActuals:
    """Record id → actuals CSV text, and what was left out (events the map does not name)."""

    records: dict[str, str]
    warnings: list[str]

    def of(self, record: str | None, export: str) -> str:
        """The actuals of ``record``; without one, of the export's only record with dates."""
        known = ", ".join(sorted(self.records)[:10]) or "none"
        if record is not None and record not in self.records:
            raise InputError(Problem(export, None, "--record", f"record {record!r} has no dated event the map names "
                                                               f"(records with dates: {known})"))
        if record is None and len(self.records) != 1:
            raise InputError(Problem(export, None, "--record", f"the export holds {len(self.records)} records with "
                                                               f"dates: choose one with --record ({known})"))
        return self.records[record if record is not None else next(iter(self.records))]


def actuals_from_redcap(export: str | Path, map_path: str | Path) -> RedcapActuals:
    """Actuals CSV text (``event_id,date,status``) per record of a REDCap record export, read with an actuals map:
    a REDCap event's date marks its protocol event and the others of that visit day (``also``) done."""
    mapping = parse_yaml(read_input(map_path, "map"), str(map_path)).data
    if not isinstance(mapping, dict) or not isinstance(mapping.get("events"), dict):
        raise InputError(Problem(str(map_path), None, "events", "the map needs 'events:' (REDCap event → "
                                                                  "{event: protocol event id, date: field})"))
    id_field = str(mapping.get("record_id") or "record_id")
    events: dict[str, Any] = mapping["events"]
    text = read_input(export, "actuals")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if rows and (id_field not in rows[0] or "redcap_event_name" not in rows[0]):
        raise InputError(Problem(str(export), 1, id_field, f"a REDCap record export needs the columns {id_field!r} "
                                                           "and 'redcap_event_name'"))
    out: dict[str, list[tuple[str, str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    unmapped: dict[str, int] = {}
    for line, row in enumerate(rows, 2):
        entry = events.get(row["redcap_event_name"])
        if not isinstance(entry, dict):
            unmapped[row["redcap_event_name"]] = unmapped.get(row["redcap_event_name"], 0) + 1
            continue  # an event the map does not name (a repeating form, an unscheduled visit)
        if row.get("redcap_repeat_instrument") or row.get("redcap_repeat_instance"):
            continue  # a repeating form's row: no visit date of its own
        value = (row.get(str(entry.get("date", "visit_date"))) or "").strip()[:10]
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise InputError(Problem(str(export), line, str(entry.get("date")),
                                     f"{value!r} is no date (REDCap exports dates as YYYY-MM-DD)")) from None
        problem = date_problem(day)
        if problem:
            raise InputError(Problem(str(export), line, str(entry.get("date")), problem))
        key = (row[id_field], row["redcap_event_name"])
        if key in seen:
            raise InputError(Problem(str(export), line, "redcap_event_name", f"record {key[0]!r} has event {key[1]!r} "
                                                                            f"twice (first on line {seen[key]})"))
        seen[key] = line
        for event in [str(entry["event"]), *(str(e) for e in entry.get("also") or [])]:
            out.setdefault(row[id_field], []).append((event, day.isoformat()))
    warnings = [f"{count} row(s) of REDCap event {name!r} left out: the map does not name it"
                for name, count in sorted(unmapped.items())]
    records = {record: _csv(("event_id", "date", "status"), [(e, d, "done") for e, d in items])
               for record, items in out.items()}
    return RedcapActuals(records, warnings)
