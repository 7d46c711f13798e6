"""Parts of a time frame around its points: ± windows ("28±7days", "day 100 (-7 to +14 days)"), a trailing
parenthesis ("(up to 36 months)") and the units and anchors that list items share ("Day 1, 14 and 30 of ASCT").

>>> take_window("28±7days")
('day 28', Window(early=7, late=7))
>>> distribute(["1", "3", "12 months after infusion"])
['1 months after infusion', '3 months after infusion', '12 months after infusion']
"""

from __future__ import annotations

import re

from schedsim.language.durations import DAYS_PER_MONTH, Window

UNIT = r"(?P<u>days?|d|weeks?|wks?|w|months?|mos?|m|years?|yrs?|y|hours?|hrs?|h|minutes?|mins?)"

_PM = re.compile(rf"\s*\(?\s*(?:window:?\s*)?±\s*(?P<w>\d+)\s*{UNIT}?\s*(?:window)?\s*\)?")
_ASYM = re.compile(rf"\s*[\(,]?\s*(?:window:?\s*)?-\s*(?P<e>\d+)\s*(?P<eu>days?|d|weeks?|w)?\s*(?:to|/)\s*"
                   rf"\+\s*(?P<l>\d+)\s*{UNIT}\s*(?:window)?\s*\)?")


def take_window(text: str) -> tuple[str, Window | None]:
    """(g) Pull a ± or -a/+b window out of an item: "28±7days", "day 28 (± 3 days)", "day 100 (-7 to +14 days)"."""
    match = _PM.search(text)
    if match:
        unit = match["u"] or "d"
        days = window_days(match["w"], unit)
        rest = (text[:match.start()] + " " + text[match.end():]).strip()
        rest = re.sub(r"\s+", " ", rest)
        if re.fullmatch(r"\d+", rest):  # "28±7days": the target borrows the window's unit
            rest = f"day {rest}" if unit.startswith("d") else f"at {rest} {unit}"
        return rest, Window(days, days)
    match = _ASYM.search(text)
    if match:
        window = Window(window_days(match["e"], match["eu"] or match["u"]), window_days(match["l"], match["u"]))
        rest = re.sub(r"\s+", " ", text[:match.start()] + " " + text[match.end():]).strip()
        return rest, window
    return text, None


def window_days(number: str, unit: str) -> int:
    unit = unit.lower()
    if unit.startswith("w"):
        return int(number) * 7
    if unit.startswith("m") and not unit.startswith("min"):
        return round(int(number) * DAYS_PER_MONTH)
    if unit.startswith("y"):
        return round(int(number) * 365.25)
    return int(number)


def take_parenthetical(text: str) -> tuple[str, str | None]:
    match = re.search(r"\s*\(([^()]*)\)\s*$", text)
    if not match:
        return text, None
    return text[:match.start()].strip(), match.group(1).strip()


_NUMBERED = re.compile(rf"^(?:(?:at|and|on|by) )?(?P<pre>(?:days?|weeks?|months?|years?|cycle) ?)?(?P<n>\d+)"
                       rf"(?P<unit> ?{UNIT})?"
                       rf"(?P<rest>.*)$")


def distribute(pieces: list[str]) -> list[str]:
    """Share units and anchors in number lists: "Day 1, 14 and 30 of ASCT", "1, 3, 6 and 12 months after X"; a
    list may follow other points ("Baseline, Month 1, 3, 6 and 12"): the numbers at its end share among themselves."""
    first = len(pieces)
    while first > 0 and _NUMBERED.match(pieces[first - 1]):
        first -= 1
    if 0 < first < len(pieces) - 1:
        return [*pieces[:first], *distribute(pieces[first:])]
    numbered = [_NUMBERED.match(p) for p in pieces]
    if not all(numbered) or len(pieces) < 2:
        return pieces
    out = []
    last_rest = next((m["rest"] for m in reversed(numbered) if m and m["rest"].strip()), "")
    if any(m["rest"].strip() for m in numbered[:-1] if m):
        last_rest = ""  # anchors of their own: nothing to share
    for index, match in enumerate(numbered):
        assert match is not None
        pre, unit = match["pre"], match["unit"]
        if not pre and not unit:  # a bare number borrows the style of its neighbours
            style = next((m for m in [*numbered[index + 1:], *reversed(numbered[:index])]
                          if m and (m["pre"] or m["unit"])), None)
            if style is None:
                return pieces
            pre, unit = style["pre"], style["unit"]
        rest = match["rest"] if match["rest"].strip() else last_rest
        out.append(f"{pre or ''}{match['n']}{unit or ''}{rest}")
    return out
