"""Readers of one time-frame item (no top-level list): (a) points "1 month after X", "Day +100", "C1D1"; (b)
windows "Day 0 through Day 28"; (c) horizons "up to 2 years"; (e) phase ends "after induction therapy"; (f)
until-events "until date of death"; and horizon qualifiers that bound the item before them. Each reader returns
``None`` when the text is not its kind of phrase; ``read_single`` tries them in order."""

from __future__ import annotations

import re
from dataclasses import replace

from schedsim.importer.timeframe.cycles import read_cycle
from schedsim.importer.timeframe.parts import UNIT as _UNIT
from schedsim.importer.timeframe.points import Point
from schedsim.importer.timeframe.words import Anchor, anchor_of, split_pieces
from schedsim.language.durations import Duration

#: What a "Day +30" (a signed day) says: days counted around a day 0, a transplant's or a cell infusion's.
DAY0_NOTE = "a signed day counts around a day 0 (transplant or infusion)"
_AFTER = r"(?:after|post|following|from|since|past|beyond|of|since the start of|from the start of)"
QUALIFIER = re.compile(r"^(?:whichever (?:comes|came|occurs|occurred|is) (?:first|earlier|later|last)"
                        r"|(?:or )?whichever (?:comes|came|occurs|occurred) first)$")
_HORIZON_WORDS = (r"(?:(?:assessed |evaluated |followed |follow[- ]up |observed |measured )?"
                  r"(?:up to|upto|through|thru|within|over|for|during|until|till|across|throughout|in|by|to)"
                  r"(?: the first| a period of| a maximum of| approximately| about| around| an average of)*"
                  r"|the first)")
_APPROX = r"(?:(?:an )?average of|approximately|approx|about|around|median(?: of)?|mean(?: of)?|a maximum of|max)"
_UNTIL_EVENT = (r"(?P<ev>death|progression|disease progression|progressive disease|relapse|recurrence|"
                r"treatment completion|completion of (?:study )?treatment|end of (?:study )?treatment|"
                r"study completion|completion of (?:the )?study|end of (?:the )?study|study end|study closure|"
                r"end of follow[- ]up|withdrawal(?: of consent)?|loss to follow[- ]up|treatment discontinuation|"
                r"discontinuation|treatment failure|disease progression or death|progression or death|"
                r"death or progression)")


def read_single(text: str) -> list[Point] | None:
    for reader in (_point, _window_span, _until, _horizon, _phase_point, _anchor_point):
        read = reader(text)
        if read is not None:
            return read
    return None


def _duration(number: str, unit: str) -> tuple[Duration, list[str]]:
    """A number and a unit as written (``months``, ``wks``, ``h``); hours and minutes become whole days."""
    unit, amount = unit.lower(), int(number)
    if unit.startswith("min"):
        return Duration(0, "d"), [f"{number} minutes read as the same day"]
    if unit.startswith("h"):
        return Duration(amount // 24, "d"), [f"{number} hours read as {amount // 24} day(s)"]
    return Duration(amount, "mo" if unit.startswith("m") else unit[0]), []  # type: ignore[arg-type]


_SUFFIX = re.compile(rf"^(?P<at>(?:at|by|on) )?(?P<approx>(?:approximately|approx|about|around) )?(?P<n>\d+) ?{_UNIT}"
                     rf"(?: (?P<prep>{_AFTER}|before|prior to|pre) (?P<a>.+))?$")
_PREFIX = re.compile(r"^(?:at |on |by )?(?P<u>days?|d|weeks?|wk|w|months?|mo|m|years?|yr|y) ?"
                     r"(?P<sign>[+-])? ?(?P<n>\d+)"
                     rf"(?: (?:{_AFTER}) (?P<a>.+))?$")
def _point(text: str) -> list[Point] | None:
    read = read_cycle(text)
    if read is not None:
        return read
    match = _SUFFIX.match(text)
    if match:
        duration, notes = _duration(match["n"], match["u"])
        if match["approx"]:
            notes.append("approximate")
        if match["a"] is None:
            kind = "point" if match["at"] else "horizon"
            return [Point(kind, Anchor("default"), duration, text=text, notes=tuple(notes))]
        anchor = _after_anchor(match["a"], match["prep"])
        if anchor is None:
            return None
        if match["prep"] in ("before", "prior to", "pre"):
            duration = Duration(-duration.amount, duration.unit)
        return [Point("point", anchor, duration, text=text, notes=tuple(notes))]
    match = _PREFIX.match(text)
    if match:
        anchor = Anchor("default") if match["a"] is None else _after_anchor(match["a"], "of")
        if anchor is None:
            return None
        duration, _ = _duration(match["n"], match["u"])
        number = duration.amount * (-1 if match["sign"] == "-" else 1)
        duration = Duration(number, duration.unit)
        notes = (DAY0_NOTE,) if match["sign"] and anchor.kind == "default" and duration.unit == "d" else ()
        return [Point("point", anchor, duration, day_number=number if duration.unit == "d" else None, text=text,
                      notes=notes)]
    return None


def _after_anchor(text: str, preposition: str | None) -> Anchor | None:
    """The anchor of "N months after X": after/post/following a phase means its end, of/from its start."""
    anchor = anchor_of(text)
    if anchor is None:
        edge = re.match(r"^(?:the )?(start|beginning|initiation|end|completion) of (?:the )?(.+)$", text)
        phase = anchor_of(edge.group(2)) if edge else None
        if edge is None or phase is None or phase.kind != "phase":
            return None
        ends = edge.group(1) in ("end", "completion")
        return replace(phase, kind="phase_end" if ends else "phase_start")
    if anchor.kind == "phase":
        ends = preposition in ("after", "post", "following", "past", "beyond")
        return replace(anchor, kind="phase_end" if ends else "phase_start")
    return anchor


_SPAN = re.compile(r"^(?:from )?(?P<x>.+?) (?:through|thru|to|until|till|up to|-) (?P<y>.+)$")
_BETWEEN = re.compile(r"^between (?P<x>.+?) and (?P<y>.+)$")


def _window_span(text: str) -> list[Point] | None:
    """(b) "Day 0 through Day 28", "Baseline to 2 months post-transplant", "between day 14 and day 28"."""
    match = _BETWEEN.match(text) or _SPAN.match(text)
    if not match:
        return None
    x_text, y_text = match["x"], match["y"]
    unit = re.match(r"^\d+ ((?:days?|weeks?|months?|years?)\b.*)$", y_text)
    if re.fullmatch(r"\d+", x_text) and unit:  # "21 to 28 days", "12 to 18 months post hsct": the start borrows
        x_text = f"{x_text} {unit.group(1)}"
    if re.fullmatch(r"\d+", y_text):  # "day 0 through 28": the end borrows the start's unit
        prefix = re.match(r"^(day|week|month|year)", x_text)
        if not prefix:
            return None
        y_text = f"{prefix.group(1)} {y_text}"
    start = _single_point(x_text)
    end = _single_point(y_text)
    if start is None or end is None or end.anchor.kind == "horizon":  # "until study completion": an until-phrase
        return None
    if start.anchor.kind == "default" and end.anchor.kind != "default" and start.day_number is not None:
        start = replace(start, anchor=end.anchor)  # "day 0 to day 28 after infusion"
    if end.anchor.kind == "default" and start.anchor.kind != "default" and (
            end.day_number is None or start.anchor.kind not in ("baseline", "start")):
        end = replace(end, anchor=start.anchor)  # "baseline up to 12 months": 12 months after baseline
    return [replace(start, kind="from", text=text), replace(end, kind="to", text=text)]


def _single_point(text: str) -> Point | None:
    read = _point(text) or _anchor_point(text) or _phase_point(text) or _horizon(text)  # "to up to 1 year post X"
    if read is None or len(read) != 1:
        return None
    point = read[0]
    return replace(point, kind="point") if point.kind == "horizon" else point


_UNTIL = re.compile(rf"^(?:(?:from )?(?P<x>.+?) )?(?:until|till|to|through|thru|up to|up until) (?:the )?"
                    rf"(?:(?:date|time|day|documentation|occurrence) of |first documented |first )*{_UNTIL_EVENT}"
                    rf"(?: date)?(?P<tail>(?: (?:or|and|from|due to|of|by|for) .*)?)$")


def _until(text: str) -> list[Point] | None:
    """(f) "until date of death", "from randomization until progression or death", "through study completion"."""
    match = _UNTIL.match(text)
    if not match:
        return None
    event = match["ev"]
    bound = _trailing_bound(match["tail"])
    start = None
    if match["x"]:
        start = _single_point(re.sub(r"^(?:the )?(?:date|day|time) of ", "", match["x"]))
        if start is None:
            return None
    study_end = event.startswith(("study", "completion", "end of", "end of the")) and "treatment" not in event
    point = Point("until", Anchor("horizon"), until="study end" if study_end else event, text=text)
    read = [replace(start, kind="from", text=text), point] if start is not None else [point]
    if bound is not None:
        read[-1:] = attach_bound(read, bound, bound.text)
    return read


def _trailing_bound(tail: str) -> Point | None:
    """The horizon at the end of an until-phrase's tail: "..., whichever came first, assessed up to 100 months"."""
    for piece in reversed(split_pieces(tail)):
        if QUALIFIER.match(piece):
            continue
        return approx_horizon(piece)
    return None


_DAY_HORIZON = re.compile(rf"^{_HORIZON_WORDS} day \+?(?P<n>\d+)$")
_HORIZON = re.compile(rf"^{_HORIZON_WORDS} (?P<n>\d+) ?{_UNIT}(?: (?:of )?follow[- ]?up)?"
                      rf"(?: (?P<prep>{_AFTER}|after the start of) (?P<a>.+))?$")
_BARE_HORIZON = re.compile(rf"^(?:a |an )?(?:{_APPROX} )?(?P<n>\d+) ?{_UNIT}(?: (?:of )?(?:follow[- ]?up|observation|"
                           rf"period|duration|post[- ]treatment follow[- ]?up))$")


def _horizon(text: str) -> list[Point] | None:
    """(c) "up to 2 years", "within 28 days after infusion", "24 months follow-up", "approximately 5 years"."""
    day = _DAY_HORIZON.match(text)
    if day:  # "up to day +100"
        number = int(day["n"])
        return [Point("horizon", Anchor("default"), Duration(number, "d"), day_number=number, text=text)]
    match = _HORIZON.match(text) or _BARE_HORIZON.match(text) or _approx_match(text)
    if not match:
        return None
    duration, notes = _duration(match["n"], match["u"])
    groups = match.groupdict()
    anchor = Anchor("default")
    if groups.get("a"):
        found = _after_anchor(groups["a"], groups.get("prep"))
        if found is None:
            return None
        anchor = found
    return [Point("horizon", anchor, duration, text=text, notes=tuple(notes))]


_APPROX_RE = re.compile(rf"^(?:assessed |evaluated |followed )?(?:up to |for )?{_APPROX} (?P<n>\d+) ?{_UNIT}$")


def _approx_match(text: str) -> re.Match[str] | None:
    return _APPROX_RE.match(text)


def approx_horizon(text: str) -> Point | None:
    """A qualifier that bounds the piece before it: "an average of 2 years", "assessed up to 100 months"."""
    match = _APPROX_RE.match(text) or re.match(rf"^(?:assessed |evaluated |followed |measured )?(?:up to|upto|through|"
                                               rf"at|for|a maximum of) (?P<n>\d+) ?{_UNIT}$", text)
    if not match:
        return None
    duration, notes = _duration(match["n"], match["u"])
    return Point("horizon", Anchor("default"), duration, text=text, notes=tuple(notes))


def horizon_only(text: str) -> Point | None:
    read = _horizon(text) or _point(text)
    if read is None or read[0].kind != "horizon":
        return None
    return read[0]


def attach_bound(read: list[Point], horizon: Point, text: str) -> list[Point]:
    """Attach a horizon qualifier to the last point read: an until-phrase gets its end, counted from its start."""
    previous = read[-1]
    start = read[-2] if len(read) > 1 and read[-2].kind == "from" else None
    if start is not None and horizon.anchor.kind == "default":
        horizon = replace(horizon, anchor=start.anchor)
    if previous.kind == "until":
        return [replace(horizon, kind="until", until=previous.until, text=f"{previous.text}, {text}",
                        notes=(*previous.notes, *horizon.notes))]
    return [previous, replace(horizon, notes=(*horizon.notes, f"bound {text!r}"))]


def _phase_point(text: str) -> list[Point] | None:
    """(e) "after induction therapy", "the consolidation therapy ends", "end of treatment", "prior to ASCT"."""
    patterns = (
        (r"^(?:at |by )?(?:the )?(?:end|completion) of (?:the )?(?P<a>.+)$", "end"),
        (r"^(?:after|post|following|upon completion of|on completion of|at completion of|after completion of|"
         r"after the end of|after finishing|at the end of) (?:the )?(?P<a>.+)$", "after"),
        (r"^(?:the )?(?P<a>.+?) (?:ends|is completed|completed|completion|end|finishes)$", "end"),
        (r"^(?:before|prior to|pre|just before|immediately before) (?:the )?(?P<a>.+)$", "before"),
        (r"^(?:at the start of|at the beginning of|start of|beginning of|at initiation of|initiation of) "
         r"(?:the )?(?P<a>.+)$", "start"),
    )
    for pattern, how in patterns:
        match = re.match(pattern, text)
        if not match:
            continue
        anchor = anchor_of(match["a"])
        if anchor is None:
            continue
        if anchor.kind == "phase":
            kind = "phase_start" if how in ("before", "start") else "phase_end"
            return [Point("before" if how == "before" else "point", replace(anchor, kind=kind), text=text)]
        if how == "before":
            return [Point("before", anchor, text=text)]
        return [Point("point", anchor, text=text)]
    return None


def _anchor_point(text: str) -> list[Point] | None:
    """An event alone: "baseline", "at randomization", "day of infusion", "screening"."""
    stripped = re.sub(r"^(?:at|on|the day of|day of|at the time of|time of|at the day of)\s+", "", text)
    anchor = anchor_of(stripped)
    if anchor is None or anchor.kind == "phase":
        return None
    return [Point("point", anchor, text=text)]
