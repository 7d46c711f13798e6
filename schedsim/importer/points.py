"""Turn the symbolic time points of a time frame into anchors of the draft ("infusion#2 +6mo" → "cart2.infusion
+ 6mo"), choosing each outcome's reference event from its description when the time frame names none.

>>> resolver = Resolver(["induction", "cart1", "cart2"], {"induction": "induction", "cart1": "cart", "cart2": "cart"})
>>> resolver.anchor(Anchor("infusion", 2))
('cart2.infusion', '')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.importer.timeframe.parse import Point, resolve_day
from schedsim.importer.timeframe.phrases import DAY0_NOTE
from schedsim.importer.timeframe.words import ANCHOR_DAY0, Anchor, anchor_of
from schedsim.language.durations import Duration

#: Anchor kind → (the role of the phase it lies in, its step id in the bundled blocks; None: a multi-day dose step).
_STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "infusion": (("cart", "cells"), "infusion"), "apheresis": (("cart",), "apheresis"),
    "manufacture": (("cart",), "manufacturing"), "lymphodepletion": (("cart",), None),
    "transplant": (("asct", "allo"), "transplant"), "conditioning": (("asct", "allo"), None),
}
_DURATION_FROM = re.compile(r"\b(?:\d+|one|two|three|four|five|six|twelve|eighteen|twenty-four)\s+(?:days?|weeks?|"
                            r"months?|years?)\s*(?:from|after|since|following|post)[\s-]+(?:the\s+)?(?:date of\s+)?"
                            r"([\w-]+(?: [\w-]+)?)", re.IGNORECASE)
#: Events an outcome's description may name as where its time frame counts from ("at one year from randomisation").
_NAMED_IN_DESCRIPTIONS = frozenset({"randomization", "enrolment", "transplant", "infusion", "start", "apheresis"})
MANUFACTURE_DOUBT = ("a manufacturing outcome: counted from the apheresis the product is made from (the record "
                     "names no event)")
_BLOCK_ROLES = frozenset({"cart", "cells", "asct", "allo"})
SCREENING_DOUBT = ("screening is placed on the first day of treatment: the record does not say how long before it "
                   "screening is (add a screening visit, e.g. `use: screening` from lib:visits)")
_ROLE_NAMES = {("cart", "cells"): "cell infusion", ("cart",): "CAR-T", ("asct", "allo"): "transplant"}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A time point as a draft anchor expression, or the reason it has none."""

    point: Point
    expr: str | None
    note: str = ""
    reason: str = ""
    todo: str = ""  # a doubt about the reading, said in the draft as a TODO beside the time point
    anchor: Anchor | None = None  # the event it counts from, the outcome's default put in for "default"
    offset: Duration | None = None  # from that event, "Day N" numbering applied


class Resolver:
    """Maps anchors onto the draft's phases (ids in order, each with its role)."""

    def __init__(self, phase_ids: list[str], roles: dict[str, str], event_ids: frozenset[str] = frozenset(),
                 reference: str = "start", doubt: str = "", cycles_doubt: str = "") -> None:
        self.phase_ids = phase_ids
        self.roles = roles
        self.event_ids = event_ids
        self.reference = reference  # what the study's outcomes count from: start | infusion | transplant | ...
        self.doubt = doubt  # why that reference is a guess ("" when the record says it)
        self.cycles_doubt = cycles_doubt  # why the draft's cycles may not be the ones a time frame counts

    def default_for(self, measure: str, description: str) -> tuple[Anchor, str]:
        """The event an outcome counts from when its time frame names none, and why."""
        found = re.search(r"\bfrom (?:the )?(.+?) (?:to|until|till)\b", description, re.IGNORECASE)
        if found:
            anchor = anchor_of(found.group(1).lower())
            if anchor is not None and anchor.kind != "phase":
                return anchor, f"counted from {found.group(1)!r} (the outcome's description)"
        for found in _DURATION_FROM.finditer(description):  # "RFS at one year from randomisation of ..."
            words = found.group(1).lower().split()
            for text in (" ".join(words), words[0]):
                anchor = anchor_of(text)
                if anchor is not None and anchor.kind in _NAMED_IN_DESCRIPTIONS:
                    return anchor, f"counted from {text!r} (the outcome's description)"
        if re.search(r"manufactur", f"{measure} {description}", re.IGNORECASE) and self._has("cart"):
            return Anchor("apheresis"), MANUFACTURE_DOUBT
        if self.reference == "infusion":
            return Anchor("infusion"), "counted from the cell infusion (the study's treatment)"
        if self._has("cart") and re.search(r"\bcar[- ]?t\b|\bcart\b|\bcar copies\b", f"{measure} {description}",
                                            re.IGNORECASE):
            return Anchor("infusion"), "CAR-T cells are measured from the first infusion"
        if self.reference == "transplant":
            return Anchor("transplant"), "counted from the transplant (day 0), the study's reference event"
        if self.reference in ("randomization", "enrolment"):
            return Anchor(self.reference), f"counted from {self.reference}"
        return Anchor("start"), "counted from the first day of treatment"

    def resolve(self, point: Point, default: Anchor, default_note: str) -> Resolved:
        anchor, note, todo = point.anchor, "", ""
        if anchor.kind == "default" and DAY0_NOTE in point.notes and default.kind not in ANCHOR_DAY0:
            day0 = self._day0()  # "at day +30" in a study that starts with induction: the transplant's day +30
            if day0 is not None:
                default, default_note = day0, f"'{point.text}' counted from the {day0.kind} (day 0)"
            else:
                todo = f"'{point.text}' counts from a day 0 (a transplant or cell infusion) the draft does not have"
        if anchor.kind == "default":
            anchor, note = default, default_note
            todo = todo or (self.doubt if default.kind == self.reference else "")
            todo = todo or (default_note if default_note == MANUFACTURE_DOUBT else "")
        ref, why = self.anchor(anchor)
        if ref is None:
            return Resolved(point, None, reason=why, anchor=anchor)
        if why == SCREENING_DOUBT:
            todo, why = why, ""
        first = self.phase_ids[0] if self.phase_ids else ""
        if anchor.kind in ("enrolment", "randomization") and self.roles.get(first) in _BLOCK_ROLES:
            todo = (f"{anchor.kind} placed on the first day of {first}, a procedure block: the record does not say "
                    "how long before its first step it is")
        if anchor.kind in ("cycle_start", "cycle_end") and self.cycles_doubt:
            todo = todo or self.cycles_doubt
        if anchor.kind == "horizon" and point.until:
            todo = f"the record gives no end for 'until {point.until}': placed at the study horizon"
        note = "; ".join(n for n in (note, why, *point.notes) if n)
        offset = resolve_day(point, anchor.kind in ANCHOR_DAY0)
        if point.kind == "before":
            offset = Duration(-1, "d")
            note = "; ".join(n for n in (note, "the day before") if n)
        return Resolved(point, _expr(ref, offset), note=note, todo=todo, anchor=anchor, offset=offset)

    def anchor(self, anchor: Anchor) -> tuple[str | None, str]:
        """The event id an anchor names in the draft, with a note on any assumption, or (None, reason)."""
        first = self.phase_ids[0] if self.phase_ids else None
        if anchor.kind in ("start", "enrolment", "randomization", "baseline", "screening"):
            if first is None:
                return None, "the draft has no phase"
            if anchor.kind == "start":
                return f"{first}.start", ""
            if anchor.kind == "screening":
                return f"{first}.start", SCREENING_DOUBT
            return f"{first}.start", f"{anchor.kind} taken as the first day of {first}"
        if anchor.kind == "horizon":
            return "study.horizon", ""
        if anchor.kind in _STEPS:
            roles, step = _STEPS[anchor.kind]
            phase = self._instance(roles, anchor.ordinal)
            if phase is None:
                return None, f"no {_ROLE_NAMES[roles]} phase #{anchor.ordinal} in the draft for {anchor}"
            if step is None:  # a multi-day dose step: its first event
                return self._first_event(f"{phase}.{anchor.kind}", anchor)
            return f"{phase}.{step}", ""
        if anchor.kind == "last_dose":
            return (f"{self.phase_ids[-1]}.end", "the end of the last phase") if self.phase_ids else (
                None, "the draft has no phase")
        if anchor.kind in ("phase_start", "phase_end"):
            return self._phase(anchor)
        if anchor.kind in ("cycle_start", "cycle_end"):
            return self._cycle(anchor)
        return None, f"no event for {anchor}"

    def _day0(self) -> Anchor | None:
        if any(self.roles[p] in ("asct", "allo") for p in self.phase_ids):
            return Anchor("transplant")
        if any(self.roles[p] in ("cart", "cells") for p in self.phase_ids):
            return Anchor("infusion")
        return None

    def _has(self, role: str) -> bool:
        return any(self.roles[p] == role for p in self.phase_ids)

    def _instance(self, roles: str | tuple[str, ...], ordinal: int) -> str | None:
        roles = (roles,) if isinstance(roles, str) else roles
        matches = [p for p in self.phase_ids if self.roles[p] in roles]
        if not matches:
            return None
        if ordinal == -1:
            return matches[-1]
        return matches[ordinal - 1] if ordinal <= len(matches) else None

    def _first_event(self, prefix: str, anchor: Anchor) -> tuple[str | None, str]:
        found = sorted(e for e in self.event_ids if e == prefix or e.startswith(prefix + "."))
        if not found:
            return None, f"no {anchor.kind} event in the draft"
        return found[0], ""

    def _phase(self, anchor: Anchor) -> tuple[str | None, str]:
        name = anchor.phase or ""
        end = anchor.kind == "phase_end"
        if name == "treatment":
            if not self.phase_ids:
                return None, "the draft has no phase"
            return (f"{self.phase_ids[-1]}.end", "the end of the last phase") if end else (
                f"{self.phase_ids[0]}.start", "")
        phase = self._instance(name, anchor.ordinal)
        if phase is None:
            return None, f"no {name} phase in the draft"
        return f"{phase}.{'end' if end else 'start'}", ""

    def _cycle(self, anchor: Anchor) -> tuple[str | None, str]:
        phases = [p for p in self.phase_ids if anchor.phase is None or self.roles[p] == anchor.phase]
        phase = next((p for p in phases if f"{p}.c1.start" in self.event_ids), None)
        if phase is None:
            return None, "no cycles phase in the draft"
        cycle = anchor.cycle if anchor.cycle is not None else 1  # cycle 0 (a lead-in) is no cycle 1
        if anchor.kind == "cycle_start":
            ref = f"{phase}.c{cycle}.start"
            return (ref, "") if ref in self.event_ids else (None, f"{phase} has no cycle {cycle}")
        following = f"{phase}.c{cycle + 1}.start"
        if following in self.event_ids:
            return following, f"the end of cycle {cycle} taken as the start of cycle {cycle + 1}"
        if f"{phase}.c{cycle}.start" in self.event_ids:
            return f"{phase}.end", ""
        return None, f"{phase} has no cycle {cycle}"


def _expr(ref: str, offset: Duration | None) -> str:
    if offset is None or offset.amount == 0:
        return ref
    sign = "+" if offset.amount > 0 else "-"
    return f"{ref} {sign} {abs(offset.amount)}{offset.unit}"


__all__ = ["Anchor", "Resolved", "Resolver"]
