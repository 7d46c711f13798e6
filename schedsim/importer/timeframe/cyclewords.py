"""The words of a time frame about treatment cycles, put in one shape before it is read: the cycle length taken out
as a note ("(each cycle is 28 days)"), "day 1 or day 5 of cycle 1, 3 and 6" and "cycle 1 days 1 and 15" spelled
out as "cycle N day M" items.

>>> normalise_cycles("day 1 and day 8 of cycle 1 and 2 (each cycle is 21 days)")
('cycle 1 day 1, cycle 1 day 8, cycle 2 day 1, cycle 2 day 8', ['cycle of 21 days'])
"""

from __future__ import annotations

import re


def normalise_cycles(clean: str) -> tuple[str, list[str]]:
    """Lower-case text with its cycle phrases spelled out, and notes on what was taken out."""
    clean, notes = _cycle_length(clean)
    clean = re.sub(r"\bcycle (\d+),? days? (\d+(?:(?:,| and|, and) \d+)*)\b",  # "cycle 1 days 1 and 15"
                   lambda m: ", ".join(f"cycle {m[1]} day {d}" for d in re.findall(r"\d+", m[2])), clean)
    clean = re.sub(r"\b(?:once )?(?:on |at )?(?:the )?(?:follow-up )?(?:visits? )?of cycle (\d+) between day (\d+) and "
                   r"day (\d+)", r"cycle \1 day \2 to cycle \1 day \3", clean)
    clean = _DAYS_OF_CYCLES.sub(_days_of_cycles, clean)
    return clean, notes


_CYCLE_LENGTH = re.compile(r"[\s,;(]*\(?(?:each |a )?cycle\s*(?:is|=|has|of|length(?: is)?)\s*=?\s*"
                           r"(?:max(?:imum)?\.? )?(\d+) days?\)*")


def _cycle_length(text: str) -> tuple[str, list[str]]:
    """Take out "(each cycle is 28 days)", "; cycle =28 days", "cycle 1 (28 days)": a note says the length."""
    notes = [f"cycle of {m[1]} days" for m in _CYCLE_LENGTH.finditer(text)]
    text = _CYCLE_LENGTH.sub("", text)
    found = re.search(r"\b(cycle \d+) \((\d+) days\)", text)
    if found:
        notes.append(f"cycle of {found[2]} days")
        text = text.replace(found[0], found[1])
    return text, notes


_DAYS_OF_CYCLES = re.compile(r"\b(day \d+(?:(?:,| or| and|, or|, and) day \d+)*) of cycles? "
                             r"(\d+(?:(?:,| and|, and) \d+)*)")


def _days_of_cycles(match: re.Match[str]) -> str:
    """ "day 1 or day 5 of cycle 1, 3 and 6" → "cycle 1 day 1, cycle 1 day 5, cycle 3 day 1, ..." """
    days = re.findall(r"\d+", match[1])
    return ", ".join(f"cycle {cycle} day {day}" for cycle in re.findall(r"\d+", match[2]) for day in days)


