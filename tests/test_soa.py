"""Issue 19: the Schedule of Activities: activities as grouped rows, visits as columns (study day, date, window),
repeated cycles compressed, footnotes; text, Markdown, CSV, Excel and a printable HTML page checked in a real
browser. The SoA must say what the timeline says: every clinic event of a patient's plan is marked on its day."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from pathlib import Path

import pytest
from browser import A4_LANDSCAPE, page_of
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.engine.schedule import timeline_for
from schedsim.standards.soa import render_soa, soa_for
from schedsim.standards.soa.html import HTML_BLOCK
from schedsim.standards.soa.model import activities_of

ROOT = Path(__file__).resolve().parents[1]
PPCL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
TWO_ARM = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
PROTOCOLS = sorted((ROOT / "protocols").glob("*.yaml"))


def visit(soa, group: str, label: str):
    return next(v for v in soa.visits if v.group == group and v.label == label)


def test_cycles_are_compressed_with_their_days_and_dates() -> None:
    """VRd induction, 3 cycles of 21 days, bortezomib on days 1, 4, 8, 11: one column group C1–C3 with four
    columns; day 1 of each cycle is study day 1, 22 and 43 (dates from a start of 2027-01-04, counted by hand)."""
    soa = soa_for(PPCL, "2027-01-04")
    induction = [v for v in soa.visits if v.group == "VRd induction C1–C3"]
    assert [v.label for v in induction] == ["D1", "D4", "D8", "D11"]
    assert induction[0].days == (1, 22, 43) and induction[3].days == (11, 32, 53)
    assert [d.isoformat() for d in induction[0].dates] == ["2027-01-04", "2027-01-25", "2027-02-15"]
    cells = {a.name: text for a, text in induction[0].cells.items()}
    assert cells["Bortezomib 1.3 mg/m² SC"] == "X"
    assert cells["Lenalidomide 25 mg PO (at home)"] == "days 1–14"  # the home doses, on the visit that dispenses them
    assert induction[0].window == "−1/+3 d" and induction[1].window == "−1/+1 d"  # declared windows, minus signs
    assert "Lenalidomide maintenance C1–C13" in soa.groups


def test_every_clinic_event_of_the_plan_is_marked_on_its_day() -> None:
    """The SoA and the timeline agree: per study day, the activities marked X are those of that day's clinic
    events (compressed cycles and daily runs expanded back to their days)."""
    schedule = timeline_for(PPCL)
    soa = soa_for(PPCL)
    expected: dict[int, set[str]] = defaultdict(set)
    for item in schedule.events:
        if item.event.kind != "milestone" and item.event.setting != "home":
            expected[item.day] |= {a.name for a in activities_of(item.event, schedule.timeline)}
    shown: dict[int, set[str]] = defaultdict(set)
    for column in soa.visits:
        days = range(column.days[0], column.days[-1] + 1) if ".." in column.key else column.days
        for day in days:
            shown[day] |= {a.name for a, text in column.cells.items() if text == "X"}
    assert shown == expected


def test_an_arm_has_its_own_schedule() -> None:
    cart = soa_for(TWO_ARM, arm="cart")
    asct = soa_for(TWO_ARM, arm="asct")
    assert cart.path == "arm cart" and asct.path == "arm asct"
    assert any("Cilta-cel" in group for group in cart.groups) and not any("ASCT" == g for g in cart.groups)
    assert "ASCT" in asct.groups and not any("Cilta-cel" in group for group in asct.groups)


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.stem)
def test_every_bundled_protocol_has_a_schedule_of_activities(path: Path) -> None:
    soa = soa_for(path, "2027-01-04")
    assert soa.visits and soa.activities
    assert {a.group for a in soa.activities} <= {"eligibility", "treatment", "efficacy", "safety", "pk"}
    assert any(a.group == "treatment" for a in soa.activities)
    assert all(visit.dates for visit in soa.visits)
    used = {a for v in soa.visits for a in v.assumptions}
    assert used == set(soa.assumptions)  # every assumption marked on a visit is explained in the footnotes


def test_csv_and_excel_open_as_tables() -> None:
    pandas = pytest.importorskip("pandas")
    openpyxl = pytest.importorskip("openpyxl")
    soa = soa_for(PPCL, "2027-01-04")
    frame = pandas.read_csv(io.StringIO(render_soa(soa, "csv")), keep_default_na=False)
    assert list(frame.columns[:2]) == ["group", "activity"] and len(frame.columns) == 2 + len(soa.visits)
    assert list(frame["activity"][:6]) == ["phase", "visit", "study day", "date", "window", "assumptions"]
    bortezomib = frame[frame["activity"] == "Bortezomib 1.3 mg/m² SC"].iloc[0]
    assert bortezomib["group"] == "Treatment" and bortezomib["induction.c1-3.d1"] == "X"
    book = openpyxl.load_workbook(io.BytesIO(render_soa(soa, "xlsx")))
    assert book.sheetnames == ["schedule of activities", "notes"]
    assert book["schedule of activities"].max_column == 2 + len(soa.visits)
    # scrolling keeps the column names and the six visit rows (phase ... assumptions) and the activity names in view
    assert book["schedule of activities"].freeze_panes == "C8" and book["notes"].freeze_panes == "A2"
    assert any("A16" in str(row[0].value) for row in book["notes"].iter_rows(min_row=2))
    assert render_soa(soa, "xlsx") == render_soa(soa, "xlsx")  # byte-reproducible


def test_text_and_markdown() -> None:
    soa = soa_for(PPCL)
    text = render_soa(soa, "text")
    assert text.startswith(soa.title) and "Bortezomib 1.3 mg/m² SC" in text and "PK and biomarkers:" in text
    markdown = render_soa(soa, "markdown")
    assert sum(line.startswith("|---|") for line in markdown.splitlines()) == math.ceil(len(soa.visits) / 8)
    assert "| **Treatment** |" in markdown


def test_html_is_self_contained() -> None:
    html = render_soa(soa_for(PPCL, "2027-01-04"), "html")
    assert "<script" not in html and "http" not in html.replace("https://", "http").split("<body>")[0]
    assert "@page { size: A4 landscape" in html and "table-header-group" in html


def test_the_html_page_in_a_browser_fits_a4_landscape(tmp_path: Path) -> None:
    """In headless Chromium at A4 landscape: the tables are there, each with at most HTML_BLOCK visit columns
    beside the activity column, nothing wider than the page, no console errors, a page that is not blank; printed,
    the header rows repeat on every page."""
    soa = soa_for(PPCL, "2027-01-04")
    page_path = tmp_path / "soa.html"
    page_path.write_text(render_soa(soa, "html"), encoding="utf-8")
    with page_of(page_path) as page:
        tables = page.locator("table.soa")
        assert tables.count() == math.ceil(len(soa.visits) / HTML_BLOCK)
        widths = page.evaluate("[...document.querySelectorAll('table.soa')].map(t => "
                               "t.querySelectorAll('thead tr:nth-child(2) th').length)")
        assert sum(w - 1 for w in widths) == len(soa.visits) and max(widths) <= HTML_BLOCK + 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert page.evaluate("Math.max(...[...document.querySelectorAll('table.soa')].map("
                             "t => t.getBoundingClientRect().right))") <= A4_LANDSCAPE["width"]
        shot = page.screenshot(full_page=False)
        assert len(set(shot[200:5000])) > 20  # drawn, not blank
        assert page.get_by_text("Bortezomib 1.3 mg/m² SC").count() >= 1
        pdf = page.pdf(format="A4", landscape=True)
        assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 2
        assert page.errors == []


def test_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    for suffix in ("html", "xlsx", "md", "csv", "txt"):
        result = runner.invoke(app, ["soa", str(PPCL), "--start", "2027-01-04", "-o", str(tmp_path / f"s.{suffix}")])
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"s.{suffix}").stat().st_size > 1000
    assert runner.invoke(app, ["soa", str(PPCL)]).output.startswith("A Study of VRD-based Regimen")
    bad = runner.invoke(app, ["soa", str(TWO_ARM), "--arm", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output
    assert runner.invoke(app, ["soa", str(PPCL), "-f", "xlsx"]).exit_code == 2
    assert runner.invoke(app, ["soa", str(PPCL), "-o", str(tmp_path / "s.docx")]).exit_code == 2
    assert not (tmp_path / "s.docx").exists()
