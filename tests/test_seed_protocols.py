"""The CART-ASCT-CART2 protocols of seeds 000 and 001: the relations their records state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED, SEED_000, SEED_001
from dateutil.relativedelta import relativedelta

from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import Schedule, timeline_for
from schedsim.language.loader import load_protocol

START = date(2027, 1, 4)
PHASES = ["induction", "cart1", "consolidation", "asct", "cart2", "maintenance"]
MILESTONES = ["induction.start", "induction.end", "cart1.infusion", "consolidation.start", "consolidation.end",
              "asct.transplant", "cart2.infusion", "maintenance.start"]


def dates(schedule: Schedule) -> dict[str, date]:
    return {e.event.id: e.date for e in schedule.events if e.date is not None}


@pytest.fixture(scope="module", params=[SEED_000, SEED_001], ids=["seed000", "seed001"])
def seed(request: pytest.FixtureRequest) -> tuple[Path, Schedule]:
    return request.param, timeline_for(request.param, START)


def test_phases_in_order_without_overlap(seed: tuple[Path, Schedule]) -> None:
    _, schedule = seed
    assert [p.info.id for p in schedule.phases] == PHASES
    for before, after in zip(schedule.phases, schedule.phases[1:], strict=False):
        assert before.end_t < after.start_t, (before.info.id, after.info.id)


def test_milestones_exist_in_order(seed: tuple[Path, Schedule]) -> None:
    _, schedule = seed
    d = dates(schedule)
    assert [d[m] for m in MILESTONES] == sorted(d[m] for m in MILESTONES)
    assert len({d[m] for m in MILESTONES}) == len(MILESTONES)
    assert schedule.find("induction.start").day == 1  # type: ignore[union-attr]


def test_three_plus_three_cycles_of_21_days(seed: tuple[Path, Schedule]) -> None:
    _, schedule = seed
    d = dates(schedule)
    for phase in ("induction", "consolidation"):
        starts = [d[f"{phase}.c{k}.start"] for k in (1, 2, 3)]
        assert [(b - a).days for a, b in zip(starts, starts[1:], strict=False)] == [21, 21]
        assert f"{phase}.c4.start" not in d
        assert (d[f"{phase}.end"] - d[f"{phase}.start"]).days == 62  # 3 × 21 days, day 1 to day 63
    assert schedule.find("induction.end").day == 63  # type: ignore[union-attr]


def test_one_dose_event_per_agent_per_dosing_day(seed: tuple[Path, Schedule]) -> None:
    path, schedule = seed
    doses = [e for e in schedule.events if e.event.kind == "dose" and e.event.phase == "induction"]
    per_agent = {agent: sorted((e.event.id.split(".")[1], e.t) for e in doses if e.event.agent == agent)
                 for agent in ("bortezomib", "lenalidomide", "dexamethasone")}
    assert len(per_agent["bortezomib"]) == 3 * 4
    assert len(per_agent["lenalidomide"]) == 3 * 14
    assert len(per_agent["dexamethasone"]) == 3 * 8
    c1 = {e.event.id: e.day for e in doses if e.event.id.startswith("induction.c1.") and e.event.agent == "bortezomib"}
    assert sorted(c1.values()) == [1, 4, 8, 11]
    consolidation_agents = {e.event.agent for e in schedule.events
                            if e.event.kind == "dose" and e.event.phase == "consolidation"}
    expected = {"bortezomib", "lenalidomide"} | ({"dexamethasone"} if path == SEED_001 else set())
    assert consolidation_agents == expected  # VR-based (000) vs VRd-based (001)


def test_maintenance_starts_exactly_100_days_after_transplant(seed: tuple[Path, Schedule]) -> None:
    _, schedule = seed
    d = dates(schedule)
    assert (d["maintenance.start"] - d["asct.transplant"]).days == 100
    assert d["maintenance.c1.d1.lenalidomide"] == d["maintenance.start"]
    horizon = d["study.horizon"]
    maintenance = [v for k, v in d.items() if k.startswith("maintenance.")]
    assert max(maintenance) == horizon == d["maintenance.end"]  # runs to the horizon, nothing beyond it
    assert horizon == START + relativedelta(years=2)


def test_block_internals(seed: tuple[Path, Schedule]) -> None:
    _, schedule = seed
    d = dates(schedule)
    for cart in ("cart1", "cart2"):
        infusion = d[f"{cart}.infusion"]
        assert [(infusion - d[f"{cart}.lymphodepletion.d{k}.fludarabine"]).days for k in (-5, -4, -3)] == [5, 4, 3]
    assert d["cart1.apheresis"] < d["cart1.manufacturing"] < d["cart1.lymphodepletion.d-5.fludarabine"]
    # CAR-T #2 thaws product collected at the first leukapheresis: no second collection after MEL200
    assert not [e for e in d if e.startswith("cart2.") and ("apheresis" in e or "manufacturing" in e)]
    assert (d["asct.transplant"] - d["asct.conditioning.melphalan"]).days == 2
    assert d["asct.stem_cell_apheresis.d-16"] < d["asct.conditioning.melphalan"]
    engraftment = schedule.find("asct.engraftment")
    assert engraftment is not None and engraftment.latest is not None
    assert d["cart2.lymphodepletion.d-5.fludarabine"] > schedule.date(engraftment.latest)  # type: ignore[operator]
    assert d["maintenance.start"] > d["cart2.followup_visit.d28"]


def test_response_assessments_at_stated_offsets(seed: tuple[Path, Schedule]) -> None:
    path, schedule = seed
    d = dates(schedule)
    months_after_cart2 = 6 if path == SEED_000 else 12
    assert d["response.post_induction"] == d["induction.end"]
    assert d["response.post_cart1"] == d["cart1.infusion"] + relativedelta(months=1)
    assert d["response.end_consolidation"] == d["consolidation.end"]
    assert d["response.post_cart2"] == d["cart2.infusion"] + relativedelta(months=months_after_cart2)
    response = [e for e in schedule.events if e.event.id.startswith("response.")]
    assert len(response) == 4
    for item in response:
        assert item.event.kind == "assessment"
        assert {"serum and urine protein electrophoresis", "serum and urine immunofixation", "serum free light chains",
                "bone marrow aspirate and biopsy", "MRD by flow cytometry"} <= set(item.event.activities)  # IMWG
        assert item.earliest is not None and item.earliest < item.t < item.latest  # type: ignore[operator]
    assert d["response.post_cart2"] <= d["study.horizon"]


def test_other_outcomes_have_assessments_with_their_time_frames(seed: tuple[Path, Schedule]) -> None:
    path, schedule = seed
    protocol = load_protocol(path).protocol
    assessment_ids = {a.id for a in protocol.assessments}
    for outcome in protocol.outcomes:
        assert outcome.assessments and set(outcome.assessments) <= assessment_ids, outcome.id
    d = dates(schedule)
    assert d["survival_landmark"] == START + relativedelta(years=1)  # PFS/OS at 1 year
    persistence = sorted(v for k, v in d.items() if k.startswith("car_persistence."))
    assert persistence[-1] <= d["cart1.infusion"] + relativedelta(years=1)  # qPCR up to 1 year
    followups = sorted(v for k, v in d.items() if k.startswith("followup."))
    assert followups[-1] <= d["study.horizon"] and len(followups) == 8  # TEAE, DOR follow-up over 2 years
    assert {o.id for o in protocol.outcomes} >= {"orr", "crr", "mrd", "pfs", "os", "dor", "teae", "car_duration"}


def test_source_record_cited_and_assumptions_marked(seed: tuple[Path, Schedule]) -> None:
    path, schedule = seed
    protocol = load_protocol(path).protocol
    assert protocol.source.seed is not None and (path.parent / protocol.source.seed).is_file()
    timeline = schedule.timeline
    fields = {a.field for a in timeline.assumptions.values()}
    assert {"phases.1.gap", "phases.4.day0", "conventions.month", "horizon"} <= fields
    manufacturing = {a.field for a in timeline.assumptions.values() if a.file.endswith("cart.yaml")}
    assert "blocks.cart_bcma.steps.1" in manufacturing
    explained = {timeline.assumptions[a].field for a in timeline.assumptions_of("cart2.infusion")}
    assert "phases.4.day0" in explained
    assert "regimens.vrd_21d.agents.dexamethasone" not in explained  # a dose choice does not move dates


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_protocol_compiles(path: Path) -> None:
    timeline = compile_file(path)
    assert len(timeline.events) > 50  # the single-infusion CAR-T protocols make about 60
    assert timeline.horizon == "study.horizon"
