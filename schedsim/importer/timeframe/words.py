"""The words of registry time frames: normalising the text, splitting lists, and naming anchor events.

>>> normalise("12 months after CT0596 infusion]")[0]
'12 months after ct0596 infusion'
>>> str(anchor_of("the second CAR-T cell transfusion"))
'infusion#2'
>>> str(anchor_of("first induction date"))
'start'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.importer.timeframe.cyclewords import normalise_cycles

#: Anchor kinds whose event is its block's day 0 ("Day 28 post infusion" = infusion + 28 days).
ANCHOR_DAY0 = frozenset({"infusion", "transplant"})
#: Anchor kinds that pick one of several instances (the second CAR-T infusion).
INSTANCE_KINDS = frozenset({"infusion", "apheresis", "manufacture", "lymphodepletion", "transplant", "conditioning"})

_ORDINALS = {"first": 1, "1st": 1, "initial": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "last": -1, "final": -1}
_ORD = r"(?:(?P<ord>first|1st|initial|second|2nd|third|3rd|fourth|4th|last|final) )?"
_NUM = r"(?: ?#? ?(?P<n>[1-4]))?"
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18,
    "twenty": 20, "twenty-one": 21, "twenty-four": 24, "twenty-eight": 28, "thirty": 30, "thirty-six": 36,
    "forty-eight": 48, "sixty": 60, "ninety": 90, "hundred": 100, "a hundred": 100, "one hundred": 100,
}
PHASES = ("induction", "consolidation", "maintenance", "bridging", "salvage", "reinduction", "intensification",
          "treatment")


@dataclass(frozen=True, slots=True)
class Anchor:
    """Which event a time point counts from: a kind, the instance (1 = first, -1 = last) and for phases the name."""

    kind: str  # default | start | enrolment | randomization | baseline | screening | infusion | apheresis |
    #            manufacture | lymphodepletion | transplant | conditioning | last_dose | horizon | phase | phase_start |
    #            phase_end | cycle_start | cycle_end
    ordinal: int = 1
    phase: str | None = None
    cycle: int | None = None

    def __str__(self) -> str:
        which = "last" if self.ordinal == -1 else str(self.ordinal)
        if self.kind in INSTANCE_KINDS:
            return f"{self.kind}#{which}"
        if self.kind in ("phase", "phase_start", "phase_end"):
            name = self.phase if self.ordinal == 1 else f"{self.phase}#{which}"
            return {"phase": name, "phase_start": f"start({name})", "phase_end": f"end({name})"}[self.kind]
        if self.kind in ("cycle_start", "cycle_end"):
            cycle = f"C{self.cycle}" + (f" of {self.phase}" if self.phase else "")
            return f"start({cycle})" if self.kind == "cycle_start" else f"end({cycle})"
        return self.kind


def normalise(text: str) -> tuple[str, list[str]]:
    """Lower-case, unescape Markdown, drop stray brackets, spell numbers as digits; notes say what changed."""
    clean, notes = tidy(text)
    clean = clean.lower()
    clean = re.sub(r"^time ?frame:?\s*", "", clean)
    clean = (clean.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-").replace("\u00a0", " ")
             .replace("+/-", "±").replace("+-", "±").replace("plus or minus", "±").replace("&", " and "))
    clean = re.sub(r"\b(post|pre)-(?=[a-z])", r"\1 ", clean)
    clean = re.sub(r"\ba (?=(?:day|week|month|year)s?\b)", "1 ", clean)
    for word, number in sorted(_NUMBER_WORDS.items(), key=lambda item: -len(item[0])):
        clean = re.sub(rf"\b{word}\b(?=[ -](?:days?|weeks?|months?|years?|hours?|cycles?|courses?)\b)",
                       str(number), clean)
    clean = re.sub(r"(\d)-(day|week|month|year|hour)s?\b", r"\1 \2", clean)
    clean, approximate = re.subn(r"\b(?:approximately|approx\.?|about|around|roughly|~)\s*(?=\d)", "", clean)
    if approximate:
        notes.append("'approximately' dropped: the time point is read as written")
    clean = re.sub(r"\b(\d+)\.(25|5|75) years?\b",  # 4.5 years: 54 months (offsets are whole units)
                   lambda m: f"{int(m[1]) * 12 + round(float('0.' + m[2]) * 12)} months", clean)
    clean, cycle_notes = normalise_cycles(clean)
    notes.extend(cycle_notes)
    clean = re.sub(r"\bup(?:-| )?to\b|\bup(?= \d)", "up to", clean)  # "up-to 1 year", "up 18 months"
    clean = re.sub(r"^(?:at )?(?:the )?end of infusion on |^pre ?-?dose (?:on )?|^(?:cohorts? [a-z0-9&]+ only|"
                   r"cohorts? [a-z0-9&]+):\s*", "", clean)
    clean, cohorts = re.subn(r",? for (?:the )?[a-z]+(?: [a-z]+)? cohorts?\b", "", clean)  # "... for adult cohorts"
    if cohorts:
        notes.append("cohort qualifiers dropped: the points of every cohort are kept")
    clean = re.sub(r"\bday (\d+) ?- ?(\d+) (days?|weeks?|months?|years?)\b", r"day \1 to \2 \3", clean)
    clean = re.sub(r"\b(\d+) ?- ?(\d+) (days?|weeks?|months?|years?)\b", r"\1 to \2 \3", clean)
    clean = re.sub(r"\b(within|up to|for|over) (\d+) years?, (\d+) months?\b",  # "within 8 years, 8 months"
                   lambda m: f"{m[1]} {int(m[2]) * 12 + int(m[3])} months", clean)
    clean = re.sub(r"\bcycle (\d+) day (\d+)((?:,? (?:and )?day \d+)+)",  # "cycle 1 day 8 and day 13"
                   lambda m: ", ".join(f"cycle {m[1]} day {d}" for d in [m[2], *re.findall(r"\d+", m[3])]), clean)
    clean = re.sub(r"\b(\d+) years? (?:and )?(\d+) months?\b",  # "3 years 5 months", "4 years and 2 months"
                   lambda m: f"{int(m[1]) * 12 + int(m[2])} months", clean)
    clean = re.sub(r"\b(\d+) weeks? (?:and )?(\d+) days?\b", lambda m: f"{int(m[1]) * 7 + int(m[2])} days", clean)
    clean = re.sub(r"\b(day|d)\s*\+\s*(\d)", r"\1 +\2", clean)
    clean, dropped = re.subn(r"\s*\((?:assessed as )?day [-+]?\d+\)|\s*\(\d+\)|\s*\([a-z]{2,6}\)", "", clean)
    if dropped:  # "(assessed as day 0)", "(day 1)", "(120)", "(hct)" after its long form: noise around the phrase
        notes.append("bracketed remarks dropped")
    clean = re.sub(r"\b(after|post|to|at|of|the|up|until)(?:\s+\1)+\b", r"\1", clean)  # "after after"
    clean = re.sub(r"\bp to\b", "up to", clean)  # "assessed p to 2 years"
    clean = re.sub(r"^(?:assessed|evaluated|measured)\s+(?=up to\b|through\b|at\b|\d)", "", clean)
    clean = re.sub(r"\s+", " ", clean).strip(" .,;:")
    return clean, notes


def tidy(text: str) -> tuple[str, list[str]]:
    """Undo Markdown escapes (``10\\^-5``) and drop stray brackets; the notes say what changed."""
    notes: list[str] = []
    clean = text.strip()
    unescaped = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>^|~])", r"\1", clean)
    if unescaped != clean:
        notes.append("Markdown escapes removed")
    return _balance(unescaped, notes), notes


def original_case(piece: str, text: str) -> str:
    """A normalised piece as the record wrote it (case and all), when normalising left it findable."""
    start = text.lower().find(piece)
    return text[start:start + len(piece)] if start >= 0 else piece


def _balance(text: str, notes: list[str]) -> str:
    """Remove brackets that close nothing or are never closed (a stray ']' at the end of a record line)."""
    pairs = {")": "(", "]": "["}
    stack: list[int] = []
    drop: set[int] = set()
    for index, char in enumerate(text):
        if char in "([":
            stack.append(index)
        elif char in ")]":
            if stack and text[stack[-1]] == pairs[char]:
                stack.pop()
            else:
                drop.add(index)
    drop.update(stack)
    if not drop:
        return text
    notes.append("stray bracket(s) removed: " + " ".join(repr(text[i]) for i in sorted(drop)))
    return "".join(char for index, char in enumerate(text) if index not in drop)


def split_pieces(text: str) -> list[str]:
    """Split a list at commas and semicolons outside parentheses."""
    pieces, depth, current = [], 0, []
    for char in text:
        depth += char == "("
        depth -= char == ")" and depth > 0
        if char in ",;" and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


_LIST_AND = re.compile(r" (?:and|or) (?=(?:day |week |month |year |cycle |d|w|m)?[+-]?\d)")


def split_list(text: str) -> list[str]:
    """Split a list at commas and semicolons, and at 'and'/'or' before a number ("day 1, 14 and 30")."""
    return [part.strip() for piece in split_pieces(text) for part in _LIST_AND.split(piece) if part.strip()]


_PRE = (r"(?:(?!(?:after|post|before|prior|following|within|up|to|of|from|days?|weeks?|months?|years?|\d+)\b)"
        r"[a-z0-9/+.-]+ )")  # a word before "infusion" that is not a preposition, unit or number
_ANCHORS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("horizon", r"^(?:study completion|completion of (?:the )?study|end of (?:the )?study|study end|study closure)$"),
    ("last_dose", r"^(?:(?:the )?(?:last|final) (?:dose|administration|dosing|treatment|cycle)"
                  r"(?: of (?:(?!\b(?:until|to|through|after|before|up|and)\b).)+)?|end of (?:study |protocol )?"
                  r"treatment|eot|end of therapy|treatment discontinuation|discontinuation of (?:study )?treatment)$"),
    ("start", r"^(?:(?:first|initial) (?:induction|dose|treatment|administration|dosing|study treatment|study drug"
              r"|day of treatment)(?: (?:date|day|dose|treatment|administration))?(?: of (?:(?!\b(?:until|to|through|"
              r"after|before|up|and)\b).)+)?|(?:(?:the time of )?(?:the )?first )?(?:study )?(?:treatment|drug) "
              r"administration|(?:start|initiation|beginning|"
              r"commencement) of (?:study |protocol |the )?(?:treatment|therapy|study drug|dosing|study|induction)"
              r"|(?:study )?(?:treatment|therapy) (?:start|initiation)|(?:study )?day 1|c1d1|cycle 1 day 1)$"),
    ("enrolment", r"^(?:enrol+ment|registration|study entry|study enrol+ment|inclusion|(?:signing (?:the )?)?"
                  r"(?:informed consent|icf)|consent)$"),
    ("randomization", r"^(?:randomi[sz]ation|random assignment)$"),
    ("baseline", r"^(?:baseline|pre ?treatment|baseline visit)$"),
    ("screening", r"^(?:screening|screening visit|the screening visit|visit screening)$"),
    ("transplant", rf"^{_ORD}(?:autologous |allogeneic |auto-?)?"
                   rf"(?:(?:hematopoietic |haematopoietic |peripheral blood )?"
                   rf"stem[- ]cell (?:transplant(?:ation)?|infusion|reinfusion|rescue)|"
                   rf"(?:hematopoietic|haematopoietic) cell transplant(?:ation)?|asct|auto-?sct|auto-?hsct|"
                   rf"hsct|hct|sct|(?:micro-?)?transplant(?:ation)?|autograft)(?: day 0)?{_NUM}$"),
    ("apheresis", rf"^{_ORD}(?:leuk[ao]?pheresis|apheresis|t[- ]cell collection|cell collection){_NUM}$"),
    ("manufacture", r"^(?:(?:the )?(?:start|beginning) of )?(?:[a-z0-9-]+ ){0,2}?manufactur(?:e|ing)$"),
    ("lymphodepletion", rf"^{_ORD}(?:lymphodepletion|lymphodepleting (?:chemotherapy|therapy|regimen)|"
                        rf"lymphodepletion chemotherapy){_NUM}$"),
    ("conditioning", rf"^{_ORD}(?:(?:initiating |initiation of |start of )?(?:conditioning|conditioning "
                     rf"(?:chemotherapy|regimen)|high-dose melphalan|tbi|total body irradiation)){_NUM}$"),
    ("infusion", rf"^{_ORD}{_PRE}{{0,5}}?(?:infusion|transfusion|reinfusion|injection)"
                 rf"(?: of (?:the )?{_PRE}{{0,5}}?(?:cells?|car-?t|product|[a-z0-9-]*cel))?{_NUM}$"),
    ("infusion", rf"^{_ORD}{_PRE}{{0,3}}?(?:car-?t|cart|car t|[a-z]+-cel)(?: cells?)?(?: (?:therapy|"
                 rf"treatment|administration|dosing|dose))?{_NUM}$"),
    ("infusion", r"^cart(?P<n>[1-4])$"),
    ("phase", rf"^{_ORD}(?P<p>induction|consolidation|maintenance|bridging|salvage|re-?induction|intensification)"
              rf"(?: (?:therapy|treatment|phase|chemotherapy|regimen|cycles?|courses?|period))?{_NUM}$"),
    ("phase", r"^(?P<p>(?:study |protocol )?(?:treatment|therapy))(?: period)?$"),
))


def anchor_of(text: str) -> Anchor | None:
    """The event a phrase names ("the second CAR-T cell transfusion" → infusion #2), or None."""
    text = re.sub(r"^(?:the |a )?(?:(?:date|time|day) of (?:the )?)?", "", text.strip().lower()).strip()
    text = re.sub(r"\s*\((?:day 0|d0)\)$| date$| \(?day 0\)?$", "", text)
    for kind, pattern in _ANCHORS:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        ordinal = _ORDINALS.get(groups.get("ord") or "", 1)
        if groups.get("n"):
            ordinal = int(groups["n"])
        if kind == "phase":
            phase = groups["p"].replace("-", "")
            phase = "treatment" if phase.endswith(("treatment", "therapy")) else phase
            return Anchor("phase", ordinal, phase=phase)
        if infusion_is_stem_cells(kind, text):
            return Anchor("transplant", ordinal)
        return Anchor(kind, ordinal)
    return None


def infusion_is_stem_cells(kind: str, text: str) -> bool:
    return kind == "infusion" and bool(re.search(r"stem[- ]cell|cd34|autograft|hsc", text))


def phase_of(text: str) -> str | None:
    """The phase a cycle reference names: "induction", "consolidation therapy" → its name."""
    anchor = anchor_of(text)
    return anchor.phase if anchor is not None and anchor.kind == "phase" else None
