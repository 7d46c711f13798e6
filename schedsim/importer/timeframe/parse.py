"""Read the time frame of a registry outcome ("1 month after the first CAR-T cell transfusion") into time points.

A time frame becomes a ``TimeFrame``: the time points it names, each an ``Anchor`` (which event: the second
CAR-T infusion, the end of induction, the study start) plus an offset and an optional window, and the pieces
it could not read, with the reason. The phrase classes are those of DOMAIN.md: (a) points, (b) windows
"Day 0 through Day 28", (c) horizons "up to 2 years", (d) lists, (e) phase ends "after induction therapy",
(f) until-events "until date of death", (g) target ± window "28±7days".

>>> describe(parse_time_frame("1 month after the first CAR-T cell transfusion"))
'point infusion#1 +1mo'
>>> describe(parse_time_frame("28±7days"))
'point default day 28 -7d/+7d'
>>> describe(parse_time_frame("2 year"))
'horizon default +2y'
"""

from __future__ import annotations

import re
from dataclasses import replace

from schedsim.importer.timeframe.parts import distribute, take_parenthetical, take_window
from schedsim.importer.timeframe.phrases import QUALIFIER, approx_horizon, attach_bound, horizon_only, read_single
from schedsim.importer.timeframe.points import Point, TimeFrame, describe, resolve_day
from schedsim.importer.timeframe.words import ANCHOR_DAY0, Anchor, normalise, split_list

__all__ = ["ANCHOR_DAY0", "Anchor", "Point", "TimeFrame", "describe", "parse_time_frame", "resolve_day"]


def parse_time_frame(text: str) -> TimeFrame:
    """Read a registry time frame. Never raises: what is not understood is returned in ``unparsed``."""
    clean, notes = normalise(text)
    if not clean:
        return TimeFrame(text, unparsed=((text, "empty time frame"),), notes=tuple(notes))
    whole = _item(clean)
    if whole is not None:
        return TimeFrame(text, tuple(whole), notes=tuple(notes))
    points: list[Point] = []
    unparsed: list[tuple[str, str]] = []
    items = split_list(clean)
    qualifiers: list[str] = []  # "..., 3, 4 and 5 years after randomization, an average of 5 years": set aside
    while len(items) > 1 and re.match(r"^(?:and )?(?:an average of|on average|a median of|median|a mean of|mean|"
                                      r"a maximum of)\b", items[-1]):
        qualifiers.insert(0, items.pop())
    pieces = [*distribute(items), *qualifiers]
    for piece in pieces:
        piece = re.sub(r"^(?:and|or) (?=\D)", "", piece)  # "..., and through treatment completion"
        if piece in qualifiers and points and points[-1].kind == "point":
            notes.append(f"{piece!r} describes the follow-up, not a time point")
            continue
        if QUALIFIER.match(piece):
            notes.append(f"ignored {piece!r}")
            continue
        qualifier = approx_horizon(piece)
        if qualifier is None and points and points[-1].kind == "until" and points[-1].anchor.kind == "horizon":
            qualifier = horizon_only(piece)  # "until study completion, 45 months": the open end's bound
        if qualifier is not None and points and "treatment" in (points[-1].until or "") and re.search(
                r"\b(?:average|mean|median)\b", piece):  # "through treatment completion, an average of 15 months"
            notes.append(f"{piece!r} is an average length of treatment, not an end: not a time point")
            continue
        if qualifier is not None and points and points[-1].kind in ("until", "from", "to", "horizon"):
            points[-1:] = attach_bound(points, qualifier, piece)
            continue
        if _AROUND_A_DOSE.match(piece):
            unparsed.append((piece, "a sampling time around a dose, on the dosing day: add it to that visit"))
            continue
        read = _item(piece)
        if read is None:
            read = _and_list(piece)
        if read is None:
            unparsed.append((piece, _why(piece)))
        else:
            points.extend(read)
    if any(reason == STUDY_LEVEL for _, reason in unparsed):  # "..., for the last subject, within 4 years"
        unparsed += [(p.text, STUDY_LEVEL) for p in points if p.kind in ("horizon", "until")]
        points = [p for p in points if p.kind not in ("horizon", "until")]
    if len(pieces) > 1:  # "15 days, 30 days, 90 days": the items of a list are time points, not horizons
        points = [replace(p, kind="point") if p.kind == "horizon" and _BARE.match(p.text) else p for p in points]
    return TimeFrame(text, tuple(points), tuple(unparsed), tuple(notes))


_BARE = re.compile(r"^(?:at |on )?\d+ ?(?:days?|weeks?|months?|years?)(?: (?:after|post|following|from) .+)?$")


STUDY_LEVEL = "counts from a study-level event (a patient's enrolment), not from one patient's schedule"
_AROUND_A_DOSE = re.compile(r"^(?:pre[- ]?dose|predose|(?:at )?\d+ ?(?:hours?|hrs?|h|minutes?|mins?)\b.*)$")


def _and_list(piece: str) -> list[Point] | None:
    parts = [p for p in re.split(r"\s+(?:and|or|&)\s+", piece) if p]
    if len(parts) < 2:
        return None
    out: list[Point] = []
    for part in distribute(parts):
        read = _item(part)
        if read is None:
            return None
        out.extend(read)
    return out


def _why(piece: str) -> str:
    if re.search(r"\b(?:each|every) (?:cycle|course|visit)\b", piece):
        return "repeats every cycle: add it to the regimen's cycle visits"
    if re.search(r"\b(?:last|first) (?:patient|participant|subject)\b", piece):
        return STUDY_LEVEL
    if re.search(r"\d", piece):
        return "no anchor or unit recognised around the number"
    return "no time point, horizon or anchor event recognised"


def _item(text: str) -> list[Point] | None:
    """Read one item (no top-level list): a point, a window, a horizon, a phase end or an until-phrase."""
    text, window = take_window(text)
    text, extra = take_parenthetical(text)
    read = read_single(text)
    if read is None:
        return None
    if window is not None:
        read = [replace(p, window=window) for p in read]
    if extra is not None:
        horizon = approx_horizon(extra) or horizon_only(extra)
        if horizon is None:
            return None
        if read[-1].kind == "to":  # "baseline to the end of cycle 1 (up to 28 days)": the bound restates the end
            read[-1] = replace(read[-1], notes=(*read[-1].notes, f"bound {extra!r}"))
            return read
        read[-1:] = attach_bound(read, horizon, extra)
    return read
