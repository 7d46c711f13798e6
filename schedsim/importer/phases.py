"""Recognise a record's treatment phases from its description ("3 cycles of induction therapy with VRD-based
regimen followed by the first infusion of CAR-T cells ... R maintenance starts on day 100 after ASCT") and pick
the bundled regimens and blocks that implement them.

>>> [p.id for p in recognise_phases("Patients receive 3 cycles of induction therapy with VRd followed by ASCT.", [])]
['induction', 'asct']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.importer.products import DraftPhase, cart_phase, from_interventions

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
        return from_interventions(interventions, context, title)
    phases: list[DraftPhase] = []
    carts = sum(m.role == "cart" for m in mentions)
    ascts = sum(m.role == "asct" for m in mentions)
    counters: dict[str, int] = {}
    for mention in mentions:
        counters[mention.role] = counters.get(mention.role, 0) + 1
        number = counters[mention.role]
        if mention.role == "cart":
            phases.append(cart_phase(f"cart{number}" if carts > 1 else "cart", number, carts, mention.text, context))
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
