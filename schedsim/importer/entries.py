"""One outcome entry of a registry record, ``measure, description, time frame`` joined by ", " (the parts contain
commas too): where its time frame begins, and whether a line is built of such entries.

>>> split_outcome("Overall survival (OS), Time from first induction date to death, 1 year").time_frame
'1 year'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.importer.timeframe.parse import parse_time_frame
from schedsim.importer.timeframe.words import split_pieces, tidy

OUTCOME_TYPES = ("primary", "secondary", "other")


@dataclass(frozen=True, slots=True)
class OutcomeEntry:
    """One outcome measure as the record gives it."""

    type: str
    measure: str
    description: str
    time_frame: str
    warnings: tuple[str, ...] = ()


_TIME_WORD = re.compile(r"\d|\b(?:day|week|month|year|cycle|completion|baseline|death|progression|visit|end|"
                        r"discharge|transplant|infusion|screening|follow[- ]?up)s?\b", re.IGNORECASE)


def outcome_shaped(line: str) -> bool:
    """Whether a line is built like outcome entries (``measure, description, time frame`` joined by '|') rather than
    prose: most entries end in a short comma piece naming a time, and a single entry is no paragraph of sentences."""
    entries = _split_bar(tidy(line)[0])
    shaped = 0
    for entry in entries:
        pieces = split_pieces(entry)
        tail = pieces[-1] if pieces else ""
        shaped += len(pieces) >= 2 and len(tail) <= 120 and bool(_TIME_WORD.search(tail)) and not re.search(
            r"[.!?]\s+[A-Z]", tail)
    if len(entries) == 1:
        return bool(shaped) and len(re.findall(r"[.!?]\s+[A-Z]", line)) < 4
    return shaped * 2 >= len(entries)


def looks_like_outcome(entry: str) -> bool:
    pieces = split_pieces(entry)
    if len(pieces) < 2:
        return False
    return parse_time_frame(pieces[-1]).complete


_TIMEISH = re.compile(r"^(?:[a-z ]{1,20}: ?)?(?:and |or )?(?:(?:at|on|from|up to|through|until) |(?:day|d\d|week|"
                      r"month|year|cycle|c\d|baseline|screening|pre-?dose|post-?dose|predose|\d))", re.IGNORECASE)

#: A time frame's last piece that qualifies the pieces before it rather than starting a time frame of its own.
_QUALIFIER_TAIL = re.compile(r"^(?:and |or |once |then )|^(?:an average of|on average|average|approximately|"
                             r"a maximum of|whichever|(?:assessed|evaluated|measured|followed|observed) (?:up|p|to|at|"
                             r"through|for|until)|within)\b", re.IGNORECASE)

_LABELLED = re.compile(r"[A-Za-z]{3,}: ?\d+ (?:days?|weeks?|months?|years?)$", re.IGNORECASE)  # "Categories: 1 year"
_BARE_DURATION = re.compile(r"^\d+ (?:days?|weeks?|months?|years?)$", re.IGNORECASE)
_OPENING = re.compile(r"^(?:from|between|since|starting)\b", re.IGNORECASE)  # where a time frame begins

#: The most comma pieces a time frame spans ("at 30 days, 100 days, 6 months, ... and 5 years" has about 15).
MAX_FRAME_PIECES = 40


def split_outcome(entry: str, kind: str = "primary") -> OutcomeEntry:
    """Split ``measure, description, time frame``: the time frame is the longest tail of comma pieces that reads as
    a time frame (its parts contain commas too); the measure is the first piece; the rest is the description."""
    entry, notes = tidy(entry)
    warnings = [f"{note} in {entry[:60]!r}" for note in notes]
    pieces = split_pieces(entry)
    if not pieces:
        return OutcomeEntry(kind, "unnamed outcome", "", "", (f"an empty outcome entry {entry!r}",))
    if len(pieces) == 1:
        return OutcomeEntry(kind, pieces[0], "", "", (f"outcome {pieces[0][:60]!r} has no time frame",))
    tail = 0
    for start in range(len(pieces) - 1, max(len(pieces) - MAX_FRAME_PIECES, 0), -1):  # bounded: import is linear
        candidate = ", ".join(pieces[start:])
        bare = re.fullmatch(r"(?:at |on )?\d+", pieces[start].strip(), re.IGNORECASE)  # "15, 30, 90 days"
        if pieces[start].endswith(".") or not (bare or parse_time_frame(pieces[start]).points):
            continue  # a time frame starts with a time point, not with "whichever comes first"
        if not parse_time_frame(candidate).complete:
            continue
        tail = start
    if tail == 0:
        tail = len(pieces) - 1
        warnings.append(f"time frame {pieces[-1]!r} of {pieces[0][:60]!r} not recognised; taken as the last part")
    floor = 1
    if tail > 1 and _LABELLED.search(pieces[tail - 1]):  # "Categories: 1 year, 2 years, ..., within 8 years": a list
        while tail < len(pieces) - 1 and _BARE_DURATION.match(pieces[tail]):  # the description gives, not a time frame
            tail += 1
        floor = tail
    if _QUALIFIER_TAIL.match(pieces[tail]) and tail > floor:  # "Day 1 of cycle 1, 3 and 6, ..., an average of 15 mo"
        opening = next((i for i in range(tail - 1, max(tail - 8, 0), -1) if _OPENING.match(pieces[i])), None)
        if opening is not None and not any(p.endswith(".") for p in pieces[opening:tail]):
            tail = opening  # "From day 0 to recovery or engraftment failure, assessed up to 24 months"
        while tail > 1 and _TIMEISH.match(pieces[tail - 1]) and not pieces[tail - 1].endswith("."):
            tail -= 1  # the time points before it belong to the time frame, read or not, not to the description
    measure = pieces[0]
    description = ", ".join(pieces[1:tail])
    return OutcomeEntry(kind, measure, description, ", ".join(pieces[tail:]), tuple(warnings))


def _split_bar(line: str) -> list[str]:
    return [part.strip() for part in line.split("|") if part.strip()]
