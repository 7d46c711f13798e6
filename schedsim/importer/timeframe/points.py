"""What a time frame is read into: ``Point`` (an anchor event plus an offset, a window, an until-event) and
``TimeFrame`` (the points, and the pieces not read with why), with their one-line readings and day offsets."""

from __future__ import annotations

from dataclasses import dataclass, field

from schedsim.importer.timeframe.words import Anchor
from schedsim.language.durations import Duration, Window


@dataclass(frozen=True, slots=True)
class Point:
    """One time point: ``anchor`` + ``offset``; ``day_number``: the offset was written as "Day N"."""

    kind: str  # point | horizon | from | to | until | before
    anchor: Anchor
    offset: Duration | None = None
    day_number: int | None = None
    window: Window | None = None
    until: str | None = None  # the event an until-phrase names ("death")
    text: str = ""
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [self.kind, str(self.anchor)]
        if self.day_number is not None:
            parts.append(f"day {self.day_number}")
        elif self.offset is not None and self.offset.amount:
            parts.append(f"{'+' if self.offset.amount > 0 else '-'}{abs(self.offset.amount)}{self.offset.unit}")
        if self.window is not None:
            parts.append(str(self.window))
        if self.until:
            parts.append(f"until {self.until}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class TimeFrame:
    """What a time-frame phrase says: its points, the pieces not understood (with why) and notes."""

    text: str
    points: tuple[Point, ...] = ()
    unparsed: tuple[tuple[str, str], ...] = ()  # (piece, reason)
    notes: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return bool(self.points) and not self.unparsed


def describe(frame: TimeFrame) -> str:
    """A one-line canonical reading (used by the phrase table): points joined by '; ', then what was not read."""
    parts = [p.describe() for p in frame.points]
    parts += [f"unparsed {piece!r}" for piece, _ in frame.unparsed]
    return "; ".join(parts) if parts else "nothing"


def resolve_day(point: Point, day0: bool) -> Duration | None:
    """The offset of a point from its anchor event: "Day N" is N days after a day-0 anchor, N-1 after day 1."""
    if point.day_number is None:
        return point.offset
    if day0 or point.day_number <= 0:
        return Duration(point.day_number, "d")
    return Duration(point.day_number - 1, "d")

