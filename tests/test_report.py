"""Issue 20 (part): the protocol report, one self-contained HTML page, in headless Chromium: it loads with no console
errors and no network request, the Gantt has one glyph per event, hovering an event shows its anchor chain, and the
page is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import page_of
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.engine.schedule import timeline_for

ROOT = Path(__file__).resolve().parents[1]
PPCL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("bokeh", reason="bokeh is installed by make test (the report extra)")
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", str(PPCL), "--start", "2027-01-04", "--scenario", str(SCENARIO),
                                      "-n", "6", "-r", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_page_holds_every_section_and_fetches_nothing(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for heading in ("Timeline", "Schedule of activities", "Check findings", "Assumptions", "Simulated forecast"):
        assert f"<h2>{heading}</h2>" in html
    assert "<script src=" not in html and "<link " not in html  # everything inline
    assert "asct.transplant + 100d" in html  # the explain chain of maintenance.start, for the hover


def test_assumptions_are_the_protocols_and_the_forecast_says_its_start(report: Path) -> None:
    """The assumption list holds what this protocol rests on — not a library file's other blocks (the allogeneic
    CAR-T block sits in the same file as the BCMA one this protocol uses); the forecast names the date it starts."""
    from schedsim.compile.compiler import compile_file
    from schedsim.engine.schedule import build_schedule

    html = report.read_text(encoding="utf-8")
    section = html[html.index("<h2>Assumptions</h2>"):html.index("<h2>Simulated forecast</h2>")]
    timeline = compile_file(PPCL)
    used = set(build_schedule(timeline, None).used_assumptions)
    listed = {a for a in timeline.assumptions if f"<td>{a}</td>" in section}
    assert used <= listed
    allogeneic = {a for a, found in timeline.assumptions.items() if "cart_allogeneic" in found.field}
    assert allogeneic and not allogeneic & listed
    forecast = html[html.index("<h2>Simulated forecast</h2>"):]
    assert "opens on the scenario's start, <b>2027-01-04</b>" in forecast and "of 12</td>" in forecast


def test_in_a_browser_one_glyph_per_event_and_the_hover_shows_the_chain(report: Path) -> None:
    events = timeline_for(PPCL, "2027-01-04").events
    with page_of(report, {"width": 1280, "height": 900}) as page:
        page.wait_for_function("window.Bokeh !== undefined && Bokeh.documents.length > 0")
        page.wait_for_function("Object.keys(Bokeh.index).length > 0")
        count = page.evaluate("Bokeh.documents[0].get_model_by_name('events').data.id.length")
        assert count == len(events)
        spot = page.evaluate("""() => {
            const source = Bokeh.documents[0].get_model_by_name('events');
            const i = source.data.id.indexOf('maintenance.start');
            const view = Object.values(Bokeh.index)[0];
            const x = view.frame.x_scale.compute(source.data.x[i]);
            const y = view.frame.y_scale.compute(source.data.row[i]);
            const box = view.canvas_view.el.getBoundingClientRect();
            return {x: box.left + x, y: box.top + y};
        }""")
        chain = page.get_by_text("maintenance.start = asct.transplant + 100d").first
        assert not chain.is_visible()  # no tooltip before the hover
        page.mouse.move(spot["x"], spot["y"])
        chain.wait_for(state="visible", timeout=5000)  # the tooltip (in Bokeh's shadow DOM) shows the chain
        assert "day 359 (2027-12-28)" in chain.inner_text()  # the event's date, as the timeline gives it
        shot = page.screenshot()
        assert len(set(shot[200:6000])) > 20
        assert page.errors == []


def test_bad_output_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(PPCL), "-o", str(tmp_path / "report.pdf")])
    assert result.exit_code == 2 and not (tmp_path / "report.pdf").exists()


def test_the_same_input_gives_the_same_page(report: Path, tmp_path: Path) -> None:
    """Bokeh's random document ids are replaced by ones derived from the protocol: byte-identical pages."""
    again = tmp_path / "again.html"
    result = CliRunner().invoke(app, ["report", str(PPCL), "--start", "2027-01-04", "--scenario", str(SCENARIO),
                                      "-n", "6", "-r", "2", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == report.read_bytes()


TWO_ARMS = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"


@pytest.mark.parametrize(("args", "shown", "other"), [([], "cart", "asct"), (["--arm", "asct"], "asct", "cart")])
def test_a_study_with_arms_names_the_path_it_shows(tmp_path: Path, args: list[str], shown: str, other: str) -> None:
    """The page shows one arm's path (the first by default, --arm to choose) and names the others; its assumption
    list holds that path's, not the other arm's."""
    pytest.importorskip("bokeh", reason="bokeh is installed by make test (the report extra)")
    from schedsim.compile.compiler import compile_file
    from schedsim.engine.schedule import build_schedule

    out = tmp_path / "arms.html"
    result = CliRunner().invoke(app, ["report", str(TWO_ARMS), *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f"this page shows arm <b>{shown}</b>" in html and f"other arms: {other} (" in html
    section = html[html.index("<h2>Assumptions</h2>"):]
    mine = set(build_schedule(compile_file(TWO_ARMS, arm=shown), None).used_assumptions)
    theirs = set(build_schedule(compile_file(TWO_ARMS, arm=other), None).used_assumptions) - mine
    assert mine and all(f"<td>{a}</td>" in section for a in mine)
    assert theirs and not any(f"<td>{a}</td>" in section for a in theirs)


def test_forecast_options_need_a_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(PPCL), "-n", "50", "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "give --scenario too" in result.output and not (tmp_path / "r.html").exists()
