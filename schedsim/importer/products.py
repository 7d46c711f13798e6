"""Phases from a record's interventions when its description names none: CAR-T products however spelled (CAR-T,
CD4CAR, BE CAR33, LCAR-B38M; off-the-shelf ones), other cell products given as one infusion (NK cells, donor
lymphocytes, veto cells), an autologous or allogeneic transplant; and the event a study's outcomes count from.

>>> [p.block for p in from_interventions(["BIOLOGICAL: CD4CAR"], "CD4CAR in AML")]
['cart']
>>> [p.id for p in from_interventions(["PROCEDURE: Haploidentical HCT"], "haploidentical donor")]
['allo_hct']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class DraftPhase:
    """A phase of the draft: where it came from and what the library gives it."""

    id: str
    role: str  # induction | consolidation | maintenance | treatment | cart | asct | ...
    kind: str  # cycles | procedure
    label: str
    source: str  # the words of the record it came from
    cycles: int | None = None
    regimen: str | None = None  # LIBRARY key
    regimen_assumed: str | None = None
    block: str | None = None  # LIBRARY key
    start_day: int | None = None  # "starts on day 100 after ASCT"
    start_after: str | None = None  # role/ordinal text of that anchor ("asct")
    cycle_length: int | None = None  # days, when the record states it ("each cycle is 28 days")
    agent: str | None = None  # an unknown regimen's drug, for an inline placeholder
    todos: list[str] = field(default_factory=list)

    @property
    def is_cart(self) -> bool:
        return self.role == "cart"


def cart_phase(ident: str, number: int, total: int, text: str, context: str) -> DraftPhase:
    dual = bool(re.search(r"cd19", context, re.IGNORECASE) and re.search(r"bcma", context, re.IGNORECASE))
    label = "CAR-T" if total == 1 else f"CAR-T #{number}"
    if _OFF_THE_SHELF.search(text) or (_OFF_THE_SHELF.search(context) and not re.search(r"autologous", text,
                                                                                         re.IGNORECASE)):
        return DraftPhase(ident, "cart", "procedure", label, text, block="cart_allo", todos=[
            "an off-the-shelf (allogeneic) CAR-T product: the bundled block has no apheresis or manufacturing; "
            "check its lymphodepletion and monitoring days"])
    phase = DraftPhase(ident, "cart", "procedure", label, text, block="cart_dual" if dual else "cart")
    if not dual and not re.search(r"bcma", context, re.IGNORECASE):
        phase.todos.append("the bundled CAR-T block is an anti-BCMA product's: check its days fit this product")
    return phase



_TRANSPLANT = re.compile(r"transplant|\bH?SCT\b|\bHCT\b|\bBMT\b|stem[- ]cell (?:graft|infusion|addback|boost|rescue)|"
                         r"progenitor cell graft|conditioning regimen|microtransplant", re.IGNORECASE)
_ALLO = re.compile(r"\ballo|haplo|\bdonor|unrelated|\bHLA\b|gvhd|graft[- ]v(?:ersu)?s?\.?[- ]host|cord blood|"
                   r"microtransplant|\btcr ?(?:alpha|α)", re.IGNORECASE)
_AUTO = re.compile(r"\bautologous (?:hematopoietic |haematopoietic |peripheral blood )?(?:stem|progenitor)|\bASCT\b|"
                   r"\bauto[- ]?(?:HSCT|SCT|HCT|transplant)", re.IGNORECASE)
#: CAR-T products however spelled: CAR-T, CAR T, CART-123, CD4CAR, cCAR, LCAR-B38M, BE CAR33, chimeric antigen receptor.
CAR = re.compile(r"(?<![a-z])(?:cd\d+|[a-z]{1,2})?car(?:[- ]?t|\d+)?(?![a-z])|chimeric antigen receptor", re.IGNORECASE)
_OFF_THE_SHELF = re.compile(r"allogeneic|donor[- ]derived|off[- ]the[- ]shelf|ready[- ]made|healthy donor|universal|"
                            r"\bucar", re.IGNORECASE)
#: Other cell products given as one infusion: NK cells, donor lymphocytes, veto cells, T cells, "-leucel" products.
CELLS = re.compile(r"\bnk\b|natural killer|\bveto cells?|donor lymphocyte|\bdli\b|lymphocytes\b|\w+leucel\b|"
                   r"\bcik\b|\bt[- ]cells?\b|cells? (?:therapy|infusion|immunotherapy)", re.IGNORECASE)
_AFTER_TRANSPLANT = re.compile(r"\b(?:after|following|post)[- ](?:\w+ ){0,6}?(?:transplant\w*|h?sct|hct|bmt)\b",
                               re.IGNORECASE)


def from_interventions(interventions: list[str], context: str, title: str = "") -> list[DraftPhase]:
    """Phases from the interventions (and a transplant named in the title): CAR-T or another cell product given as
    one infusion, an autologous or allogeneic transplant, VRd; one phase each, in the order of the treatment."""
    names = [item.split(":", 1)[-1].strip() for item in interventions]
    products: list[DraftPhase] = []
    transplant: DraftPhase | None = None
    for item, name in zip(interventions, names, strict=True):
        kind = item.split(":", 1)[0].strip().upper() if ":" in item else ""
        if CAR.search(name):
            if not any(p.is_cart for p in products):
                products.append(cart_phase("cart", 1, 1, item, context))
        elif _TRANSPLANT.search(name) and transplant is None:
            transplant = _transplant_phase(item, context)
        elif kind == "BIOLOGICAL" and CELLS.search(name) and not products:
            products.append(DraftPhase("cells", "cells", "procedure", "Cell infusion", item, todos=[
                "a single infusion on day 0 written; add the product's other days (collection, conditioning, "
                "a second dose) from the protocol"]))
        elif re.search(r"\bvrd\b", name, re.IGNORECASE):
            products.append(DraftPhase("treatment", "treatment", "cycles", "VRd", item, cycles=1, regimen="vrd",
                                       todos=["the record gives no number of cycles; 1 written"]))
    if not products and CAR.search(title):  # "FLT3 CAR-T AMG 553": the product's code name in the interventions
        products.append(cart_phase("cart", 1, 1, f"title: {title}", context))
    if transplant is None and _TRANSPLANT.search(title):
        prior = _PRIOR_TRANSPLANT.search(title)  # "... MRD after allogeneic SCT": before the study, no phase of it
        if not prior:
            transplant = _transplant_phase(f"title: {title}", context)
    if transplant is None:
        return products
    if _AFTER_TRANSPLANT.search(title) or not products:
        return [transplant, *products]
    return [*products, transplant]


_PRIOR_TRANSPLANT = re.compile(r"\b(?:after|following)\s+(?!(?:the )?(?:first|second) )(?:[\w/]+[ -]){0,6}?"
                               r"(?:transplant\w*|h?sct|hct|bmt)\b", re.IGNORECASE)


def _transplant_phase(source: str, context: str) -> DraftPhase:
    if _ALLO.search(context) and not _AUTO.search(source):
        return DraftPhase("allo_hct", "allo", "procedure", "Allogeneic HCT", source, block="allo_hct", todos=[
            "the bundled allogeneic block's conditioning (fludarabine/busulfan) and GVHD prophylaxis are assumed: "
            "check them against the protocol"])
    phase = DraftPhase("asct", "asct", "procedure", "ASCT", source, block="asct")
    if not _AUTO.search(context):
        phase.todos.append("the record does not say autologous or allogeneic; the autologous MEL200 block assumed")
    return phase


def reference_event(phases: list[DraftPhase], title: str, interventions: list[str], context: str = ""
                    ) -> tuple[str, str]:
    """The event a study's outcomes count from when a time frame names none, and a doubt to say in a TODO ("" when
    none): the cell infusion of a cell-therapy study (the transplant when the cells follow a transplant of the
    protocol), the transplant of a transplant study, the first dose of a drug study; for a study with no treatment
    (a screening or care study) randomization or enrolment, which the record does not say."""
    roles = {p.role for p in phases}
    if roles - {"cart", "cells", "asct", "allo"}:  # cycles of treatment (induction, ...) come first: day 1
        return "start", ""
    cells = bool(roles & {"cart", "cells"})
    transplant = bool(roles & {"asct", "allo"})
    if cells:
        first = phases[0].role in ("asct", "allo")
        return ("transplant" if transplant and first else "infusion"), ""
    if transplant:
        return "transplant", ""
    kinds = {item.split(":", 1)[0].strip().upper() for item in interventions if ":" in item}
    treats = re.search(r"chemotherap|\bdrug|regimen|medication", " ".join(interventions), re.IGNORECASE)
    if kinds and not kinds & {"DRUG", "BIOLOGICAL", "RADIATION", "GENETIC", "COMBINATION_PRODUCT"} and not treats:
        event = "randomization" if re.search(r"randomi[sz]", f"{title} {context}", re.IGNORECASE) else "enrolment"
        return event, f"the record names no treatment and no event this time frame counts from; {event} assumed"
    return "start", ""


def cycles_placeholder(interventions: list[str], cycle_length: int | None, cycles: int) -> DraftPhase:
    """A treatment phase of cycles for a drug study whose outcomes count in cycles ("Day 1 and Day 23 of Cycle 1") but
    whose record gives no schedule: the first drug as its agent, the stated cycle length, as many cycles as the
    outcomes name."""
    drug = next((item.split(":", 1)[1].strip() for item in interventions
                 if item.split(":", 1)[0].strip().upper() == "DRUG" and ":" in item), None)
    source = "the outcomes' time frames count in cycles"
    return DraftPhase("treatment", "treatment", "cycles", "Treatment cycles", source,
                      agent=drug, cycle_length=cycle_length, cycles=cycles, todos=[
                          f"the record's treatment schedule was not read: {cycles} cycle(s) of the study drug written, "
                          "the last cycle its outcomes name; give the phases, cycles, drugs and days"])
