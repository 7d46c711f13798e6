"""Findings of a clinical review of the bundled protocols (issue 15), each pinned by a test so it stays fixed."""

from __future__ import annotations

from datetime import date

from conftest import PROTOCOLS, SEED_000, SEED_001

from schedsim.calendar.actuals import parse_actuals_csv
from schedsim.calendar.patient import build_calendar
from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import timeline_for

START = date(2027, 1, 4)
IMWG = {"serum and urine protein electrophoresis", "serum and urine immunofixation", "serum free light chains",
        "bone marrow aspirate and biopsy"}


def test_g_csf_runs_through_the_last_apheresis_day() -> None:
    """Finding 3: stem cells are collected under G-CSF, so mobilisation lasts through the last apheresis day."""
    for path in (SEED_000, SEED_001):
        timeline = compile_file(path)
        g_csf = [e.id for e in timeline.events if e.id.startswith("asct.mobilisation.") and e.agent == "g_csf"]
        apheresis = [e.id for e in timeline.events if e.id.startswith("asct.stem_cell_apheresis.")]
        days = timeline_for(path, START)
        last_dose = max(days.find(e).date for e in g_csf)  # type: ignore[union-attr,type-var]
        assert last_dose == max(days.find(e).date for e in apheresis)  # type: ignore[union-attr,type-var]


def test_the_primary_assessment_stays_inside_the_horizon_when_car_t_2_is_late() -> None:
    """Finding 7: seed 001's horizon is the later of 2 years and the end of the primary assessment's window."""
    timeline = compile_file(SEED_001)
    planned = build_calendar(timeline, START)
    primary, horizon = planned.find("response.post_cart2"), timeline_for(SEED_001, START).find("study.horizon")
    assert primary is not None and horizon is not None and horizon.date == date(2029, 1, 4)  # 2 years: the later
    late = parse_actuals_csv("event_id,date\ncart2.infusion,2028-02-20\n", "late.csv")  # three months late
    delayed = build_calendar(timeline, START, actuals=late)
    row = delayed.find("response.post_cart2")
    assert row is not None and row.target_date == date(2029, 2, 20)  # beyond the 2 years, and still in the study
    assert row.window_latest == date(2029, 2, 27)  # its whole window: the horizon follows it


def test_response_assessments_carry_what_imwg_response_needs() -> None:
    """Finding 9: electrophoresis, immunofixation, free light chains, marrow; circulating plasma cells in PCL."""
    for path in sorted(PROTOCOLS.glob("*.yaml")):
        response = [e for e in compile_file(path).events if e.id.startswith("response.")]
        assert response, path.name
        for event in response:
            assert IMWG <= set(event.activities), (path.name, event.id)
            if "pcl" in path.name:
                assert "circulating plasma cells by peripheral blood flow cytometry" in event.activities


def test_a_cd19_target_brings_b_cell_aplasia_and_igg_monitoring() -> None:
    """Finding 9: the BCMA/CD19 product depletes B cells: monthly CD19+ B cells and IgG for a year."""
    schedule = timeline_for(PROTOCOLS / "rrmm-bcma-cd19-dual-cart.yaml", START)
    checks = [item.event for item in schedule.events if item.event.id.startswith("b_cell_aplasia.")]
    assert len(checks) == 12 and all("serum IgG (IVIG below 400 mg/dL)" in e.activities for e in checks)


def test_car_t_2_thaws_product_collected_before_asct() -> None:
    """Finding 2: no leukapheresis at ASCT + 34 d (lowest T cells after MEL200): CAR-T #2 uses cryopreserved cells."""
    for path in (SEED_000, SEED_001):
        timeline = compile_file(path)
        cart2 = [e for e in timeline.events if e.phase == "cart2"]
        assert cart2 and not [e for e in cart2 if e.role in ("apheresis", "manufacturing")]
        assert [e for e in timeline.events if e.phase == "cart1" and e.role == "apheresis"]
        assert any("cryopreserved" in info.rationale for info in timeline.assumptions.values())


def test_ct0596_is_off_the_shelf_and_the_escalation_waits_only_for_lymphodepletion() -> None:
    """Finding 1: an allogeneic product: no patient leukapheresis or manufacturing, lead time 5 days, not 26."""
    from schedsim.escalation.simulation import load_design

    path = PROTOCOLS / "pcl-ct0596-dose-escalation.yaml"
    assert not [e for e in compile_file(path).events if e.role in ("apheresis", "manufacturing")]
    assert load_design(path).lead == 5


def test_outcomes_link_assessments_that_can_measure_them() -> None:
    """Finding 5: peak and AUC need the early samples; CAR-T measures 'in bone marrow ... 2 years' need marrow."""
    from schedsim.language.loader import load_protocol

    ct0596 = load_protocol(PROTOCOLS / "pcl-ct0596-dose-escalation.yaml").protocol
    links = {o.id: o.assessments for o in ct0596.outcomes}
    assert "pk_early" in links["peak"] and "pk_early" in links["auc"]
    early = next(a for a in ct0596.assessments if a.id == "pk_early")
    assert early.setting == "inpatient" and len(early.at) == 5  # type: ignore[arg-type]
    bcma = load_protocol(PROTOCOLS / "rrmm-bcma-cart.yaml").protocol
    for outcome in (o for o in bcma.outcomes if "bone marrow" in o.measure and o.time_frame == "2 years"):
        assert "marrow" in outcome.assessments
    schedule = timeline_for(PROTOCOLS / "rrmm-bcma-cart.yaml", START)
    marrow = [item for item in schedule.events if item.event.id.startswith("marrow.")]
    infusion = schedule.find("cart.infusion")
    assert infusion is not None and max(item.t for item in marrow) - infusion.t >= 365 * 2 - 1  # to 2 years


def test_seed_004_escalates_doses_and_assesses_response_early() -> None:
    """Finding 6: DLTs 'limit increasing CAR-T dose' and 18 subjects: an escalation block; response at day 28."""
    from schedsim.language.loader import load_protocol

    protocol = load_protocol(PROTOCOLS / "rrmm-bcma-cd19-dual-cart.yaml").protocol
    assert protocol.escalation is not None and protocol.escalation.max_patients == 18
    assert round(protocol.escalation.dlt_window.approx_days) == 84  # 12 weeks
    schedule = timeline_for(PROTOCOLS / "rrmm-bcma-cd19-dual-cart.yaml", START)
    first = min(item.t for item in schedule.events if item.event.id.startswith("response"))
    assert first - schedule.find("cart.infusion").t == 28  # type: ignore[union-attr]


def test_dlt_assessments_are_tied_to_the_escalation_window() -> None:
    """Finding 8: a check rule (SCH115) ties the DLT assessments to escalation.dlt_window; both escalations pass."""
    from schedsim.check.checker import check_file

    for name in ("pcl-ct0596-dose-escalation.yaml", "rrmm-bcma-cd19-dual-cart.yaml"):
        assert "SCH115" not in {f.rule for f in check_file(PROTOCOLS / name).findings}


def test_bridging_is_scheduled_or_its_absence_explained() -> None:
    """Finding 4: between leukapheresis and lymphodepletion, a bridging step or a recorded rationale for none."""
    for path in sorted(PROTOCOLS.glob("*.yaml")):
        timeline = compile_file(path)
        for phase in {e.phase for e in timeline.events if e.role == "apheresis"}:
            bridging = [e for e in timeline.events if e.phase == phase and e.role == "bridging"]
            said = [a for a in timeline.assumptions.values() if "bridging" in a.rationale.lower()]
            assert bridging or said, (path.name, phase)


def test_key_procedures_on_weekends_are_reported_for_the_demo_start_date() -> None:
    """Finding 10: `make demo` checks with --start 2027-01-04: CAR-T #1 on a Saturday, ASCT day 0 on a Sunday."""
    from schedsim.check.checker import check_file

    findings = [f for f in check_file(SEED_000, start=START).findings if f.rule == "SCH209"]
    told = {event for f in findings for event in f.events}
    assert {"cart1.infusion", "asct.transplant"} <= told
    assert any("2027-04-17 (Saturday)" in f.message for f in findings)
