"""Calendar exports: the CSV/JSON contract, ICS read back by icalendar with stable UIDs, Markdown and HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from html.parser import HTMLParser

import icalendar
from conftest import SEED_000

from schedsim.calendar.actuals import parse_actuals_csv
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.export import all_rows, calendars_to_markdown, rows_to_csv, rows_to_json
from schedsim.calendar.html import calendars_to_html
from schedsim.calendar.ics import calendars_to_ics
from schedsim.calendar.patient import CALENDAR_FIELDS, PatientCalendar, build_calendar
from schedsim.compile.compiler import compile_file

TIMELINE = compile_file(SEED_000)
START = date(2027, 1, 4)


def make(actuals: str | None = None, **options) -> PatientCalendar:
    loaded = parse_actuals_csv(actuals, "a.csv") if actuals else None
    return build_calendar(TIMELINE, START, patient_id="P-001", actuals=loaded, **options)


CAL = make(clinic=ClinicDays(country="CN"), today=date(2027, 4, 20))


def test_csv_has_exactly_the_contract_fields_and_one_row_per_visit() -> None:
    rows = list(csv.DictReader(io.StringIO(rows_to_csv(CAL.rows))))
    assert tuple(rows[0]) == CALENDAR_FIELDS
    assert len(rows) == len(CAL.rows) and len({r["event_id"] for r in rows}) == len(rows)
    assert {r["kind"] for r in rows} == {"visit", "dose", "procedure", "assessment"}  # milestones are not visits
    moved = [r for r in rows if r["scheduled_date"] != r["target_date"]]
    assert moved and all(r["shift_reason"] for r in moved)
    for r in rows:
        date.fromisoformat(r["target_date"]), date.fromisoformat(r["scheduled_date"])
        if r["window_earliest"]:
            assert r["window_earliest"] <= r["target_date"] <= r["window_latest"]
    assert [r["scheduled_date"] for r in rows] == sorted(r["scheduled_date"] for r in rows)


def test_json_is_a_list_of_contract_objects() -> None:
    data = json.loads(rows_to_json(CAL.rows))
    assert isinstance(data, list) and len(data) == len(CAL.rows)
    assert all(tuple(item) == CALENDAR_FIELDS for item in data)
    first = data[0]
    assert first["patient_id"] == "P-001" and first["event_id"] == "induction.c1.d1"
    assert isinstance(first["activities"], list) and isinstance(first["assumptions"], list)
    # the day-1 visit's -1d/+3d window opens on study day 1 itself: cycle 1 day 1 is the first dose
    assert first["status"] == "overdue" and first["window_earliest"] == "2027-01-04"
    assert (first["study_day"], first["phase"], first["cycle"], first["setting"], first["tag"]) == (
        1, "induction", 1, "clinic", "C1D1")


def test_exports_are_deterministic() -> None:
    again = make(clinic=ClinicDays(country="CN"), today=date(2027, 4, 20))
    assert rows_to_csv(CAL.rows) == rows_to_csv(again.rows)
    assert calendars_to_ics([CAL]) == calendars_to_ics([again])
    assert calendars_to_html([CAL]) == calendars_to_html([again])


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_ics_reads_back_with_the_same_events() -> None:
    events = vevents(calendars_to_ics([CAL]))
    assert len(events) == len(CAL.rows)
    for event, row in zip(events, CAL.rows, strict=True):
        assert event.decoded("dtstart") == row.scheduled_date  # all-day: a date, not a datetime
        assert event.decoded("dtend") == row.scheduled_date + timedelta(days=1)
        assert str(event["summary"]) == f"P-001: {row.tag} {row.label}".replace(":  ", ": ")
        description = str(event["description"])
        assert row.event_id in description and f"Status: {row.status}" in description
        if row.window_earliest:
            assert f"Window: {row.window_earliest} to {row.window_latest}" in description
        if row.activities:
            assert "; ".join(row.activities) in description
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_ics_uids_are_stable_when_dates_move() -> None:
    plain = {str(e["uid"]): e for e in vevents(calendars_to_ics([make()]))}
    delayed_cal = make("event_id,date\ncart1.infusion,2027-05-02\n")  # 15 days late: the last cycle passes the horizon
    delayed = {str(e["uid"]): e for e in vevents(calendars_to_ics([delayed_cal]))}
    dropped = {str(e["description"]).split()[1] for uid, e in plain.items() if uid not in delayed}
    assert delayed.keys() <= plain.keys()  # same visits, same UIDs: a calendar app updates them
    assert dropped and all(event_id.startswith("maintenance.") for event_id in dropped)  # pushed past the horizon
    infusion_uid = next(uid for uid, e in plain.items() if "cart1.infusion " in str(e["description"]))
    assert plain[infusion_uid].decoded("dtstart") == date(2027, 4, 17)
    assert delayed[infusion_uid].decoded("dtstart") == date(2027, 5, 2)
    other_patient = build_calendar(TIMELINE, START, patient_id="P-002")
    assert not plain.keys() & {str(e["uid"]) for e in vevents(calendars_to_ics([other_patient]))}


def test_ics_marks_skipped_visits_cancelled() -> None:
    events = vevents(calendars_to_ics([make("event_id,date,status\ncart2,,skipped\n")]))
    status = {str(e["description"]).split("\n")[0]: str(e["status"]) for e in events}
    assert status["Event: cart2.infusion (procedure, study day 319, D0, inpatient)"] == "CANCELLED"
    assert status["Event: cart1.infusion (procedure, study day 104, D0, inpatient)"] == "TENTATIVE"


def test_ics_summary_has_the_tag_and_sequence_grows_with_what_is_recorded() -> None:
    def parsed(cal: PatientCalendar) -> dict[str, object]:
        return {str(e["description"]).split()[1]: e for e in vevents(calendars_to_ics([cal]))}

    before = parsed(make(today=date(2027, 2, 1)))
    assert str(before["induction.c2.d8.bortezomib"]["summary"]) == "P-001: C2D8 Bortezomib 1.3 mg/m² SC"
    recorded = parsed(make("event_id,date\ninduction.c1.d1.bortezomib,2027-01-04\n", today=date(2027, 2, 1)))
    later = parsed(make(today=date(2027, 2, 2)))
    sequence = {name: int(cal["cart1.infusion"]["sequence"]) for name, cal in
                (("before", before), ("recorded", recorded), ("later", later))}
    assert sequence["before"] < sequence["recorded"] < sequence["later"]  # a re-import updates the visits
    assert len({int(e["sequence"]) for e in before.values()}) == 1  # one revision per file and patient


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: dict[str, int] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "br"):
            self.stack.append(tag)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.external += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    parser.close()
    assert parser.stack == []  # every element closed, properly nested
    return parser


def test_html_agenda_is_self_contained_and_lists_every_visit() -> None:
    page = calendars_to_html([CAL])
    parsed = parse_html(page)
    assert parsed.external == [] and "script" not in parsed.tags
    text = "".join(parsed.text)
    assert all(row.label in text for row in CAL.rows)
    assert parsed.tags["tr"] == len(CAL.rows) + len({(r.scheduled_date.year, r.scheduled_date.month)
                                                     for r in CAL.rows})  # one header row per month
    assert "@media print" in page


def test_html_month_grid_has_a_cell_per_day() -> None:
    small = make(home_doses=False)
    parsed = parse_html(calendars_to_html([small], "month"))
    months = sorted({(r.scheduled_date.year, r.scheduled_date.month) for r in small.rows})
    assert parsed.tags["table"] == len(months)
    assert parsed.tags["td"] % 7 == 0  # whole weeks


def test_html_escapes_what_it_shows() -> None:
    page = calendars_to_html([build_calendar(TIMELINE, START, patient_id="<b>x</b>")])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_markdown_has_a_table_row_per_visit() -> None:
    text = calendars_to_markdown([CAL])
    table_rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert len(table_rows) == len(CAL.rows)
    assert text.startswith("# Patient P-001: ")


def test_roster_exports_list_patients_one_after_another() -> None:
    second = build_calendar(TIMELINE, date(2027, 2, 1), patient_id="P-002")
    rows = list(csv.DictReader(io.StringIO(rows_to_csv(all_rows([CAL, second])))))
    assert [r["patient_id"] for r in rows] == ["P-001"] * len(CAL.rows) + ["P-002"] * len(second.rows)
