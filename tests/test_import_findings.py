"""Issue 18, findings 1, 2 and 5-7, each on a record or phrase shaped like the one quoted in the issue (findings 3 and
4, and the rest of 1 and 2, are in test_import_accounting.py): a record without a description line, long comma lists,
transplant and cell-therapy day numbering, phase inference (allogeneic HCT, CAR-T products however spelled, one
infusion, comparator arms), list items as time points and visit series that fit the horizon."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schedsim.importer.draft import ImportResult, import_record
from schedsim.importer.timeframe.parse import describe, parse_time_frame

CORPUS = Path(__file__).resolve().parent / "fixtures" / "registry"


def record(tmp_path: Path, title: str, interventions: str, outcomes: list[str], summary: str = "A study.",
           description: str | None = "Patients are followed for two years.") -> ImportResult:
    lines = [title, summary, "Acute Myeloid Leukemia", interventions, *outcomes]
    if description is not None:
        lines.append(description)
    path = tmp_path / "record.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_record(path, output=tmp_path / "draft.yaml")
    assert result.problems == []
    return result


def exprs(result: ImportResult, measure: str) -> list[str | None]:
    report = next(r for r in result.outcomes if r.outcome.measure == measure)
    return [r.expr for r in report.resolved]


def test_a_record_without_a_description_keeps_its_last_outcome_line(tmp_path: Path) -> None:
    """Finding 1: the registry's CSV download has no description column; the last line is the outcomes'."""
    result = record(tmp_path, "CAR-T in AML", "BIOLOGICAL: CD123 CAR-T", [
        "Tumor load, Quantified by marrow samples, Up to 12 months",
        "CAR-T persistence, Flow cytometry and qPCR, at each visit|Survival, Overall survival, until the last "
        "patient completes follow-up"], description=None)
    assert result.accounting()["secondary"] == {"record": 2, "full": 0, "partly": 0, "unread": 2}
    assert "until the last patient completes follow-up" in result.text  # its words, in a TODO
    assert any("no description line follows it" in w for w in result.warnings)


def test_one_infusion_is_one_car_t_phase() -> None:
    """Finding 6: the NKG2D CAR-T record (one infusion) became four CAR-T phases when its outcomes were taken for a
    description naming the infusion four times."""
    result = import_record(CORPUS / "NCT04658004.txt")
    assert [(p.id, p.role) for p in result.phases] == [("cart", "cart")]


@pytest.mark.parametrize(("text", "expected"), [
    ("at visit Screening, at the end of cycle 3 (84 days) of salvage therapy, 6 months and 12 months after "
     "randomization",
     "point screening; point end(C3 of salvage); point randomization +6mo; point randomization +12mo"),
    ("at 30 days, 100 days, 6 months, 1 year, 18 months and 2 years, 30 months, 3, 4 and 5 years after "
     "randomization, an average of 5 years",
     "; ".join(f"point randomization +{o}" for o in
               ("30d", "100d", "6mo", "1y", "18mo", "2y", "30mo", "3y", "4y", "5y"))),
    ("15, 30, 90 days", "point default +15d; point default +30d; point default +90d"),
])
def test_comma_lists_keep_every_point(text: str, expected: str) -> None:
    """Findings 2 and 7: no point of a list is lost into the description, the anchor at its end is shared past a
    trailing qualifier, and bare list items are time points, not horizons."""
    frame = parse_time_frame(text)
    assert describe(frame) == expected
    assert frame.unparsed == ()


def test_transplant_day_numbering(tmp_path: Path) -> None:
    """Finding 5: "At day +30" in a study that starts with induction is the transplant's day +30 (it was asct.start +
    29d); "up to day +100" counts from the transplant; an open end with a landmark ends at the landmark."""
    result = record(tmp_path, "VRd Then ASCT in Myeloma", "DRUG: VRd|PROCEDURE: ASCT",
                    ["Response, Response by IMWG, At day +30"],
                    description="Patients receive 4 cycles of induction therapy with VRd followed by ASCT.")
    assert exprs(result, "Response") == ["asct.transplant + 30d"]
    allo = record(tmp_path, "Haploidentical Hematopoietic Cell Transplantation in AML", "PROCEDURE: Allogeneic HSCT",
                  ["Engraftment, Neutrophil engraftment, up to day +100|OS, Overall survival, From randomization until "
                   "death from any cause, assessed at 12 months"],
                  summary="Patients receive a transplant from a haploidentical donor.")
    assert exprs(allo, "Engraftment") == ["allo_hct.transplant + 100d"]
    assert exprs(allo, "OS") == ["allo_hct.start", "allo_hct.start + 12mo"]  # not the study horizon


def test_cell_therapy_day_numbering_and_manufacture(tmp_path: Path) -> None:
    """Finding 5: day 0 is the infusion: "Day 0 through Day 28" and "Baseline through Day 30" end on days +28 and +30
    (they came out one day short); "2 weeks post start of CD33CART manufacture" counts from manufacturing."""
    result = record(tmp_path, "CD4CAR in T-cell Leukemia", "BIOLOGICAL: CD4CAR", [
        "DLT, Dose-limiting toxicity, Day 0 through Day 28|CRS, Cytokine release syndrome, Baseline through Day 30|"
        "Feasibility, To determine the feasibility of manufacturing the product, 2 weeks post start of CD33CART "
        "manufacture"])
    assert exprs(result, "DLT") == ["cart.infusion", "cart.infusion + 28d"]
    assert exprs(result, "CRS")[-1] == "cart.infusion + 30d"
    assert exprs(result, "Feasibility") == ["cart.manufacturing + 2w"]


def test_allogeneic_transplant_is_not_the_autologous_block(tmp_path: Path) -> None:
    """Finding 6: an allogeneic HCT became the autologous MEL200 block with G-CSF mobilisation."""
    result = record(tmp_path, "Myeloablative Allo HSCT With Related or Unrelated Donor", "BIOLOGICAL: HSCT with TBI",
                    ["Engraftment, Neutrophil engraftment, Day 42"])
    assert [(p.role, p.block) for p in result.phases] == [("allo", "allo_hct")]
    assert "allo_hct_flu_bu" in result.text and "asct_mel200" not in result.text
    assert exprs(result, "Engraftment") == ["allo_hct.transplant + 42d"]  # day 42 after a day-0 transplant
    autologous = record(tmp_path, "High-dose Melphalan and Autologous Stem Cell Transplant in Myeloma",
                        "PROCEDURE: Autologous stem cell transplantation", ["Engraftment, ANC recovery, Day 14"])
    assert [p.block for p in autologous.phases] == ["asct"]


@pytest.mark.parametrize(("title", "intervention", "block"), [
    ("LCAR-B38M in Relapsed Myeloma", "BIOLOGICAL: LCAR-B38M CAR-T cells", "cart"),
    ("Base Edited CAR T Cells Against AML", "BIOLOGICAL: Cryopreserved BE CAR33 T Cells", "cart_allo"),
    ("CD4CAR in T-cell Leukemia", "BIOLOGICAL: CD4CAR", "cart"),
    ("FLT3 CAR T-cell Therapy AMG 553 in AML", "DRUG: AMG 553", "cart"),
])
def test_car_t_products_however_spelled(title: str, intervention: str, block: str, tmp_path: Path) -> None:
    """Finding 6: CAR-T products not spelled "CAR-T" (LCAR-, BE CAR33, CD4CAR, "CAR T-cell Therapy" in a title); a
    ready-made product from a healthy donor takes the off-the-shelf block."""
    summary = "Ready-made CAR T cells from a healthy donor." if "BE CAR33" in intervention else "A study."
    result = record(tmp_path, title, intervention, ["Safety, Adverse events, 28 days"], summary=summary)
    assert [(p.role, p.block) for p in result.phases] == [("cart", block)]
    assert exprs(result, "Safety") == ["cart.infusion + 28d"]  # counted from the infusion, not a first dose


def test_comparator_arms_are_in_the_draft(tmp_path: Path) -> None:
    """Finding 6: comparator arms were never represented."""
    result = record(tmp_path, "Drug X Versus Best Supportive Care in AML", "DRUG: Drug X|OTHER: Best Supportive Care",
                    ["OS, Overall survival, 2 years"], summary="A randomized study.")
    draft = yaml.safe_load(result.text)
    assert [(a["id"], a["description"]) for a in draft["arms"]] == [
        ("drug_x", "Experimental arm"), ("best_supportive_care", "Comparator")]
    assert draft["arm_assignment"] == "randomised"
    assert "give each arm its own phases" in result.text
    comparing = record(tmp_path, "Comparing Post-Transplant Cyclophosphamide to Standard of Care for AML",
                       "DRUG: Cyclophosphamide", ["GVHD, Acute GVHD, 100 days"])
    assert [a["label"] for a in yaml.safe_load(comparing.text)["arms"]] == [
        "Post-Transplant Cyclophosphamide", "Standard of Care"]


def test_a_long_horizon_suggests_no_weekly_visits(tmp_path: Path) -> None:
    """Finding 7: a 407-week horizon suggested a weekly visit series."""
    result = record(tmp_path, "Drug X in AML", "DRUG: Drug X", ["Toxicity, Adverse events, Up to 407 weeks"])
    assert "every: 6mo from" in result.text and "every: 1w" not in result.text
    short = record(tmp_path, "Drug X in AML", "DRUG: Drug X", ["Toxicity, Adverse events, Up to 28 days"])
    assert "every: 1w from" in short.text


def test_measures_keep_their_whole_name(tmp_path: Path) -> None:
    """Finding 7: a measure name was truncated to its first word."""
    result = record(tmp_path, "Drug X in AML", "DRUG: Drug X", [
        "Incidence of adverse events (AEs, graded by CTCAE v5.0), Any untoward event, 28 days|Overall response rate "
        "(ORR), Proportion of responders, 3 months"])
    assert [r.outcome.measure for r in result.outcomes] == [
        "Incidence of adverse events (AEs, graded by CTCAE v5.0)", "Overall response rate (ORR)"]
    assert [o["measure"] for o in yaml.safe_load(result.text)["outcomes"]] == [
        "Incidence of adverse events (AEs, graded by CTCAE v5.0)", "Overall response rate (ORR)"]
