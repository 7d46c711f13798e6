"""Plots: every kind renders for every bundled protocol; structure checked on the figure, not on pixels."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED, PROTOCOLS, ROOT, SEED_000
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images
from typer.testing import CliRunner

from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import calendar_for
from schedsim.calendar.roster import roster_calendars
from schedsim.cli import app
from schedsim.engine.schedule import timeline_for
from schedsim.plots.charts import protocol_gantt, zoom_range
from schedsim.plots.cohort import swimmer_figure, visit_load_figure
from schedsim.plots.cohort_data import lanes_from_calendars, weekly_visit_load
from schedsim.plots.gantt import gantt_figure
from schedsim.plots.gantt_data import patient_gantt_data, protocol_gantt_data
from schedsim.plots.style import save_figure

runner = CliRunner()
START = date(2027, 1, 4)
EXAMPLES = PROTOCOLS / "examples"
GOLDEN = ROOT / "tests" / "golden" / "ppcl-vrd-cart-asct-cart2.gantt.png"


def artists(figure: Figure, prefix: str) -> list:
    ax = figure.axes[0]
    return [a for a in [*ax.lines, *ax.collections, *ax.patches, *ax.texts] if (a.get_gid() or "").startswith(prefix)]


def row_labels(figure: Figure) -> list[str]:
    return [t.get_text().strip() for t in figure.axes[0].texts if t.get_gid() == "row"]


def xs_of(figure: Figure, gid: str) -> set[float]:
    return {float(x) for line in artists(figure, gid) for x in line.get_xdata()}


def assert_no_overlaps(figure: Figure, gids: tuple[str, ...] = ("milestone", "cycle", "row")) -> None:
    renderer = figure.canvas.get_renderer()
    texts = [t for t in figure.axes[0].texts if t.get_gid() in gids and t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, texts, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())


@pytest.mark.parametrize("protocol", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_protocol_gantt_structure(protocol: Path) -> None:
    schedule = timeline_for(protocol, START)
    data = protocol_gantt_data(schedule)
    figure = gantt_figure(data)
    ax = figure.axes[0]
    assert len(row_labels(figure)) == len(data.rows)
    assert row_labels(figure)[0].startswith(schedule.phases[0].info.label)
    for phase in schedule.phases:  # a bar per phase (cycles: one per cycle)
        assert artists(figure, f"span:{phase.info.id}")
    for item in schedule.events:  # every assessment has a marker at its day, and its window as a whisker: the
        if item.event.phase is None and item.event.kind == "assessment":  # window calendars use (bounded at the
            group = item.event.id.split(".")[0]  # phase start and the horizon, SCH303), not one reaching past them
            assert item.t + 0.5 in xs_of(figure, f"marks:{group}"), item.event.id
            if item.earliest is not None and item.latest is not None and item.earliest < item.latest:
                ends = {item.earliest + 0.5, item.latest + 0.5}
                assert ends <= xs_of(figure, f"window:{group}"), item.event.id
                assert item.latest <= schedule.events[-1].t or item.event.window is None
    dosing = {item.t + 0.5 for item in schedule.events if item.event.id.startswith("induction.")
              and item.event.agent == "bortezomib" and item.event.kind == "dose"}
    if dosing:
        assert xs_of(figure, "marks:induction.bortezomib") == dosing
    labels = {t.get_text() for t in ax.texts if t.get_gid() == "milestone"}
    # every block's day 0 (CAR-T #1, ASCT, CAR-T #2 ...) and the start of maintenance-like phases (repeated until)
    expected = {f"{p.info.label} day 0" for p in schedule.phases if p.info.reference}
    expected |= {f"{p.info.label} start" for p in schedule.phases if p.info.kind == "cycles" and p.info.cycles is None}
    assert expected and expected <= labels
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert any(text.startswith("assumed value") for text in legend)
    assert any(h.get_hatch() for h in artists(figure, "span:"))  # assumed bars are hatched
    assert_no_overlaps(figure)


@pytest.mark.parametrize("protocol", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_zoomed_gantt_keeps_rows_with_content_and_labels_apart(protocol: Path) -> None:
    data = protocol_gantt_data(timeline_for(protocol))
    for first, last in ((0, 20), (90, 140), (250, 330)):
        figure = gantt_figure(data, (first, last))
        ax = figure.axes[0]
        lo, hi = ax.get_xlim()
        assert lo <= first and hi >= last + 1 and hi - lo < last - first + 3
        shown = row_labels(figure)
        assert 0 < len(shown) <= len(data.rows)
        assert_no_overlaps(figure)


def test_cycle_labels_appear_when_they_fit() -> None:
    data = protocol_gantt_data(timeline_for(SEED_000))
    zoomed = [t.get_text() for t in gantt_figure(data, (0, 62)).axes[0].texts if t.get_gid() == "cycle"]
    assert zoomed == ["C1", "C2", "C3"]


def patient_figure(protocol: Path = SEED_000, **options) -> tuple[Figure, object]:
    calendar = calendar_for(protocol, date(2026, 6, 1), **options)
    data = patient_gantt_data(calendar)
    return gantt_figure(data), data


@pytest.mark.parametrize("protocol", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_patient_gantt_renders_for_every_protocol(protocol: Path) -> None:
    figure, data = patient_figure(protocol, today=date(2026, 11, 23), clinic=ClinicDays(country="CN"))
    assert len(row_labels(figure)) == len(data.rows)
    assert artists(figure, "closed") and artists(figure, "today")
    calendar = data.patient  # nothing happened yet: ghosts only where a visit moved off a closed day
    moved = {(r.planned_date - calendar.start).days + 0.5 for r in calendar.rows
             if r.planned_date != r.scheduled_date and r.setting != "offsite"}
    assert xs_of(figure, "planned:") == moved
    assert all("moved" in r.shift_reason for r in calendar.rows if r.planned_date != r.scheduled_date)
    assert_no_overlaps(figure)


def test_patient_gantt_shows_actual_against_planned() -> None:
    figure, data = patient_figure(actuals=EXAMPLES / "P001.actuals.csv", today=date(2026, 11, 23),
                                  clinic=ClinicDays(country="CN"), home_doses=False)
    calendar = data.patient
    ghosts = xs_of(figure, "planned:")
    moved = [r for r in calendar.rows if r.planned_date != r.scheduled_date and r.setting != "offsite"]
    assert moved and {(r.planned_date - calendar.start).days + 0.5 for r in moved} == ghosts
    infusion = calendar.find("cart1.infusion")
    assert (infusion.scheduled_date - calendar.start).days + 0.5 in xs_of(figure, "marks:cart1.infusion")
    outside = [r for r in calendar.rows if r.out_of_window]
    assert outside and {(r.scheduled_date - calendar.start).days + 0.5 for r in outside} == xs_of(figure, "alert:")
    assert xs_of(figure, "today") == {(date(2026, 11, 23) - calendar.start).days + 0.5}
    legend = {t.get_text() for t in figure.legends[0].get_texts()}
    assert {"planned", "out of window", "clinic closed", "today"} <= legend


def test_swimmer_and_visit_load_for_the_example_roster() -> None:
    calendars = roster_calendars(EXAMPLES / "roster.csv", today=date(2026, 11, 23), home_doses=False).calendars
    lanes = lanes_from_calendars(calendars)
    assert [lane.label for lane in lanes] == ["P001", "P002", "P003", "P004"]
    figure = swimmer_figure(lanes, today=date(2026, 11, 23))
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P001", "P002", "P003", "P004"]
    bars = artists(figure, "phase:induction")[0].get_paths()
    assert len(bars) == 4 and all(b.get_extents().height == pytest.approx(0.64) for b in bars)
    first = calendars[0]
    induction = [r.scheduled_date for r in first.rows if r.phase == "induction"]
    extent = bars[0].get_extents()
    assert (extent.x0, extent.x1) == (date2num(min(induction)), date2num(max(induction)) + 1)
    by_progress = lanes_from_calendars(calendars, "progress")
    assert by_progress[0].label == "P001" and by_progress[0].progress > by_progress[-1].progress
    load = weekly_visit_load(calendars)
    total = sum(sum(counter.values()) for counter in load.values())
    clinic_rows = [r for c in calendars for r in c.rows if r.setting in (None, "clinic")
                   and r.status not in ("missed", "skipped")]
    assert total == len(clinic_rows)
    assert all(week.weekday() == 0 for week in load)
    figure = visit_load_figure(load)
    stacked = sum(bar.get_height() for bar in artists(figure, "load:"))
    assert stacked == total


def test_a_thousand_lanes(tmp_path: Path) -> None:
    calendars = roster_calendars(EXAMPLES / "roster.csv", home_doses=False).calendars
    lanes = lanes_from_calendars(calendars) * 250
    figure = swimmer_figure(lanes)
    assert len(artists(figure, "phase:induction")[0].get_paths()) == 1000
    save_figure(figure, tmp_path / "swimmer.png")
    assert (tmp_path / "swimmer.png").stat().st_size > 10_000


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_formats_by_extension_and_same_bytes_twice(tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    protocol_gantt(SEED_000, START, first)
    protocol_gantt(SEED_000, START, second)
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix]
    assert first.read_bytes().startswith(magic) and first.read_bytes() == second.read_bytes()


def test_gantt_command_and_its_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    result = runner.invoke(app, ["gantt", str(SEED_000), "--from", "1", "--to", "63", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"<?xml")
    for args, message in ((["-o", str(tmp_path / "g.gif")], "unknown image type '.gif'"),
                          (["--from", "2027-01-04", "-o", str(tmp_path / "x.png")], "a date needs --start"),
                          (["--from", "50", "--to", "10", "-o", str(tmp_path / "x.png")], "ends before it starts"),
                          (["--from", "0", "-o", str(tmp_path / "x.png")], "there is no study day 0")):
        result = runner.invoke(app, ["gantt", str(SEED_000), *args])
        assert result.exit_code == 2 and message in result.stderr, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


def test_patient_and_cohort_commands(tmp_path: Path) -> None:
    patient = tmp_path / "p.png"
    result = runner.invoke(app, ["patient-gantt", str(SEED_000), "--start", "2026-06-01", "--actuals",
                                 str(EXAMPLES / "P001.actuals.csv"), "--today", "2026-11-23", "--country", "CN",
                                 "-o", str(patient)])
    assert result.exit_code == 0, result.output
    for command in ("swimmer", "visit-load"):
        out = tmp_path / f"{command}.pdf"
        assert runner.invoke(app, [command, str(EXAMPLES / "roster.csv"), "-o", str(out)]).exit_code == 0
        assert out.read_bytes().startswith(b"%PDF")


def test_zoom_range() -> None:
    assert zoom_range("1", "63", None) == (0, 62)
    assert zoom_range("2027-01-11", None, START) == (7, 10**6)
    assert zoom_range("-14", "-1", None) == (-14, -1)


def test_seed_000_gantt_matches_the_golden_image(tmp_path: Path, regen_golden: bool) -> None:
    out = tmp_path / "gantt.png"
    protocol_gantt(SEED_000, START, out)
    if regen_golden:
        GOLDEN.write_bytes(out.read_bytes())
    assert compare_images(str(GOLDEN), str(out), tol=3) is None


def _span_colour(figure: Figure, key: str) -> tuple[float, ...]:
    ax = figure.axes[0]
    collection = next(c for c in ax.collections if c.get_gid() == f"span:{key}")
    return tuple(collection.get_facecolor()[0])


def test_gantt_for_a_slide_labels_windows_horizon_and_days() -> None:
    """Rows named by the assessments' labels, the DLT window and the horizon drawn, study days under the dates,
    a phase's colour the same when zoomed, a long title wrapped rather than cut."""
    ct0596 = protocol_gantt_data(timeline_for(PROTOCOLS / "pcl-ct0596-dose-escalation.yaml", date(2027, 1, 4)))
    labels = {row.key: row.label for row in ct0596.rows}
    assert labels["cytokines"] == "Cytokines in peripheral blood (IL-6)" and labels["pk"].startswith("CAR-T cell PK")
    assert [(b.t1 - b.t0, b.label) for b in ct0596.bands] == [(28, "DLT window (28 d)")]
    assert any(m.event_id == "study.horizon" for m in ct0596.milestones)
    figure = gantt_figure(ct0596)
    ax = figure.axes[0]
    assert any(p.get_gid() == "band" for p in ax.patches)
    assert all("\nday " in label.get_text() for label in ax.get_xticklabels())
    data = protocol_gantt_data(timeline_for(SEED_000, date(2027, 1, 4)))
    assert [m.label for m in data.row("response").marks] == ["post induction", "post cart1", "end consolidation",
                                                             "post cart2"]  # which response is which
    assert {m.label for m in data.row("followup").marks} == {""}  # a numbered series needs no names
    t = data.row("cart2").spans[0].t0
    assert _span_colour(gantt_figure(data), "cart2") == _span_colour(gantt_figure(data, zoom=(t - 5, t + 40)), "cart2")
    long = type(data)(data.title + " — " + "a much longer title " * 8, data.start, data.rows, data.milestones)
    title = gantt_figure(long)._suptitle.get_text()  # type: ignore[union-attr]
    assert "\n" in title and title.replace("\n", " ").endswith("a much longer title") and "…" not in title
