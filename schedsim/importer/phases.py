"""Recognise a record's treatment phases from its description ("3 cycles of induction therapy with VRD-based
regimen followed by the first infusion of CAR-T cells ... R maintenance starts on day 100 after ASCT") and pick
the bundled regimens and blocks that implement them.

>>> [p.id for p in recognise_phases("Patients receive 3 cycles of induction therapy with VRd followed by ASCT.", [])]
['induction', 'asct']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Library regimens and blocks the importer knows, by the library file (``lib:NAME``) that holds them.
LIBRARY: dict[str, tuple[str, str]] = {
    "vrd": ("vrd", "vrd_21d"),
    "vr": ("vrd", "vr_21d"),
    "len_maintenance": ("maintenance", "len_maintenance"),
    "cart": ("cart", "cart_bcma"),
    "cart_dual": ("cart_dual", "cart_bcma_cd19"),
    "asct": ("asct", "asct_mel200"),
    "allo_hct": ("allo_hct", "allo_hct_flu_bu"),
    "cart_allo": ("cart", "cart_allogeneic"),
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "twelve": 12}
_ROLES = ("induction", "consolidation", "maintenance", "bridging", "salvage", "reinduction", "intensification")
_SCHEDULE_WORDS = re.compile(r"cycles? of|courses? of|followed by|infusion of|transfusion of|\bthen\b|starts? on|"
                             r"maintenance|\bASCT\b|transplant", re.IGNORECASE)


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


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    role: str
    text: str
    cycles: int | None = None
    what: str = ""
    day: int | None = None
    anchor: str | None = None


_CYCLES = re.compile(r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve) (?:cycles?|courses?) of "
                     r"(?P<what>[^.;]+?)(?=,? (?:followed|and then|then)\b|[.;]|$)", re.IGNORECASE)
_CART = re.compile(r"(?:(?P<ord>first|second|third|1st|2nd|3rd) )?(?:infusion|transfusion) of (?:the )?"
                   r"(?:[\w/-]+ ){0,3}?CAR[- ]?T(?: cells?)?|CAR[- ]?T(?: cells?)? (?:infusion|transfusion)",
                   re.IGNORECASE)
_ASCT = re.compile(r"\bASCT\b|autologous (?:hematopoietic |haematopoietic )?stem[- ]cell transplant(?:ation)?",
                   re.IGNORECASE)
_MAINTENANCE_START = re.compile(
    r"(?P<what>(?:\b[\w-]+ (?:or [\w-]+ )?)?)maintenance(?: therapy| treatment)? (?:starts?|begins?|starting|"
    r"beginning|commences?|will start|is started|initiated)? ?(?:on |from |at )?day (?P<day>\d+) "
    r"(?:after|post|following) (?P<anchor>ASCT|transplant(?:ation)?|autologous stem[- ]cell transplant(?:ation)?)",
    re.IGNORECASE)
_MAINTENANCE = re.compile(r"(?P<what>\b[\w-]+ )?maintenance(?: therapy| treatment)?", re.IGNORECASE)


def recognise_phases(description: str, interventions: list[str], title: str = "", summary: str = ""
                     ) -> list[DraftPhase]:
    """The phases a record describes, in order; from the interventions when the description names none."""
    mentions = _mentions(description)
    context = " ".join([title, *interventions, summary, description])
    if not mentions:
        return _from_interventions(interventions, context, title)
    phases: list[DraftPhase] = []
    carts = sum(m.role == "cart" for m in mentions)
    ascts = sum(m.role == "asct" for m in mentions)
    counters: dict[str, int] = {}
    for mention in mentions:
        counters[mention.role] = counters.get(mention.role, 0) + 1
        number = counters[mention.role]
        if mention.role == "cart":
            phases.append(_cart_phase(f"cart{number}" if carts > 1 else "cart", number, carts, mention.text, context))
        elif mention.role == "asct":
            ident = f"asct{number}" if ascts > 1 else "asct"
            phases.append(DraftPhase(ident, "asct", "procedure", "ASCT", mention.text, block="asct"))
        else:
            phases.append(_cycles_phase(mention, number, phases))
    return phases


def _mentions(description: str) -> list[_Mention]:
    found: list[_Mention] = []
    for sentence in re.split(r"(?<=[.;])\s+", description):
        if not _SCHEDULE_WORDS.search(sentence) or not (_CYCLES.search(sentence) or _CART.search(sentence)
                                                         or _MAINTENANCE_START.search(sentence)):
            continue
        offset = description.find(sentence)
        for match in _MAINTENANCE_START.finditer(sentence):
            found.append(_Mention(offset + match.start(), offset + match.end(), "maintenance", match.group(0),
                                  what=match["what"] or "", day=int(match["day"]), anchor="asct"))
        for match in _CYCLES.finditer(sentence):
            what = match["what"]
            role = next((r for r in _ROLES if r in what.lower()), "treatment")
            number = match["n"].lower()
            count = int(number) if number.isdigit() else _WORDS[number]
            found.append(_Mention(offset + match.start(), offset + match.end(), role, match.group(0), cycles=count,
                                  what=what))
        for match in _CART.finditer(sentence):
            found.append(_Mention(offset + match.start(), offset + match.end(), "cart", match.group(0)))
        for match in _ASCT.finditer(sentence):
            found.append(_Mention(offset + match.start(), offset + match.end(), "asct", match.group(0)))
        for match in _MAINTENANCE.finditer(sentence):
            found.append(_Mention(offset + match.start(), offset + match.end(), "maintenance", match.group(0),
                                  what=match["what"] or ""))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[_Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _cart_phase(ident: str, number: int, total: int, text: str, context: str) -> DraftPhase:
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


def _cycles_phase(mention: _Mention, number: int, earlier: list[DraftPhase]) -> DraftPhase:
    role = mention.role
    ident = role if number == 1 else f"{role}{number}"
    label = role.capitalize() if role != "treatment" else "Treatment cycles"
    phase = DraftPhase(ident, role, "cycles", label, mention.text, cycles=mention.cycles)
    what = f" {mention.what.lower()} "
    if role == "maintenance":
        phase.cycles = None
        phase.start_day = mention.day
        phase.start_after = mention.anchor
        if re.search(r"\b(?:r|len|lenalidomide)\b", what) or not mention.what.strip():
            phase.regimen = "len_maintenance"
            if not re.search(r"\b(?:r|len|lenalidomide)\b", what):
                phase.regimen_assumed = "TODO: the record does not name the maintenance drug; lenalidomide assumed"
        return phase
    if re.search(r"\bvrd\b|bortezomib,? lenalidomide,? (?:and )?dexamethasone", what):
        phase.regimen = "vrd"
    elif re.search(r"\bvr\b|bortezomib (?:and|plus) lenalidomide", what):
        phase.regimen = "vr"
    else:
        previous = next((p for p in reversed(earlier) if p.kind == "cycles" and p.regimen), None)
        if previous is not None and previous.regimen is not None:
            phase.regimen = previous.regimen
            phase.regimen_assumed = (f"TODO: the record says {mention.text!r} without the regimen; "
                                     f"the {previous.id} regimen assumed")
        else:
            drug = re.search(r"\bwith ([a-z][\w-]*)", what)
            phase.agent = drug.group(1) if drug else None
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
CELLS = re.compile(r"\bnk[- ]cells?|natural killer|\bveto cells?|donor lymphocyte|\bdli\b|lymphocytes\b|\w+leucel\b|"
                   r"\bcik\b|\bt[- ]cells?\b|cells? (?:therapy|infusion|immunotherapy)", re.IGNORECASE)
_AFTER_TRANSPLANT = re.compile(r"\b(?:after|following|post)[- ](?:\w+ ){0,6}?(?:transplant\w*|h?sct|hct|bmt)\b",
                               re.IGNORECASE)


def _from_interventions(interventions: list[str], context: str, title: str = "") -> list[DraftPhase]:
    """Phases from the interventions (and a transplant named in the title): CAR-T or another cell product given as
    one infusion, an autologous or allogeneic transplant, VRd; one phase each, in the order of the treatment."""
    names = [item.split(":", 1)[-1].strip() for item in interventions]
    products: list[DraftPhase] = []
    transplant: DraftPhase | None = None
    for item, name in zip(interventions, names, strict=True):
        kind = item.split(":", 1)[0].strip().upper() if ":" in item else ""
        if CAR.search(name):
            if not any(p.is_cart for p in products):
                products.append(_cart_phase("cart", 1, 1, item, context))
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
        products.append(_cart_phase("cart", 1, 1, f"title: {title}", context))
    if transplant is None and _TRANSPLANT.search(title):
        prior = _PRIOR_TRANSPLANT.search(title)  # "... MRD after allogeneic SCT": before the study, no phase of it
        if not prior:
            transplant = _transplant_phase(f"title: {title}", context)
    if transplant is None:
        return products
    if _AFTER_TRANSPLANT.search(title) or not products:
        return [transplant, *products]
    return [*products, transplant]


_PRIOR_TRANSPLANT = re.compile(r"\b(?:after|following)\s+(?!(?:the )?(?:first|second) )(?:[\w/-]+ ){0,6}?"
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
                          f"no schedule in the record: {cycles} cycle(s) of the study drug written, the last cycle its "
                          "outcomes name; give the number of cycles, the drugs and their days"])
