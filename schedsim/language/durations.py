"""Durations (``21d``, ``3w``, ``6mo``, ``2y``), offsets and visit windows.

A ``Duration`` keeps the unit the author wrote; the protocol's conventions turn it into an ``Offset``
(days plus calendar months and years), which only the date module turns into real dates.

>>> Duration.parse("6mo")
Duration(amount=6, unit='mo')
>>> str(Duration.parse("-3d"))
'-3d'
>>> Window.parse("-3d/+7d")
Window(early=3, late=7)
>>> Window.parse("±2d")
Window(early=2, late=2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Unit = Literal["d", "w", "mo", "y"]

#: Longest duration accepted anywhere in a protocol: 50 years. Longer is treated as a typo.
MAX_DAYS = 50 * 366

_DURATION = re.compile(r"^\s*([+-]?)\s*(\d+)\s*(d|days?|w|wk|weeks?|mo|months?|y|yr|years?)\s*$", re.IGNORECASE)
_UNIT_ALIASES: dict[str, Unit] = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
    "mo": "mo", "month": "mo", "months": "mo",
    "y": "y", "yr": "y", "year": "y", "years": "y",
}
DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # average Gregorian month, for rates per month and approximate durations
_APPROX_DAYS: dict[Unit, float] = {"d": 1, "w": 7, "mo": DAYS_PER_MONTH, "y": DAYS_PER_YEAR}


@dataclass(frozen=True, slots=True)
class Duration:
    """An amount of time as written: a signed whole number of days, weeks, months or years."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str | int) -> Duration:
        """Parse ``21d``, ``3w``, ``6mo``, ``2y`` (also ``-5d``, ``2 years``); a bare number is refused."""
        if isinstance(text, bool) or not isinstance(text, str | int):
            raise ValueError(f"expected a duration such as 21d, 3w, 6mo or 2y, got {text!r}")
        if isinstance(text, int):
            raise ValueError(f"duration {text} needs a unit: write {text}d, {text}w, {text}mo or {text}y")
        match = _DURATION.match(text)
        if not match:
            raise ValueError(f"expected a duration such as 21d, 3w, 6mo or 2y, got {text!r}")
        sign, number, unit = match.groups()
        amount = int(number) * (-1 if sign == "-" else 1)
        duration = cls(amount, _UNIT_ALIASES[unit.lower()])
        if abs(duration.approx_days) > MAX_DAYS:
            raise ValueError(f"duration {text!r} is longer than 50 years")
        return duration

    @property
    def approx_days(self) -> float:
        """Length in days with average months and years; for sanity limits only, never for dates."""
        return self.amount * _APPROX_DAYS[self.unit]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True, slots=True)
class Offset:
    """A signed step in time: days plus calendar months and calendar years (applied years, months, days)."""

    days: int = 0
    months: int = 0
    years: int = 0

    def __add__(self, other: Offset) -> Offset:
        return Offset(self.days + other.days, self.months + other.months, self.years + other.years)

    def __neg__(self) -> Offset:
        return Offset(-self.days, -self.months, -self.years)

    def scaled(self, factor: int) -> Offset:
        return Offset(self.days * factor, self.months * factor, self.years * factor)

    @property
    def is_calendar(self) -> bool:
        """True when the offset needs a real date to be exact (it holds calendar months or years)."""
        return self.months != 0 or self.years != 0

    @property
    def nominal_days(self) -> int:
        """Days with average-length months and years; exact when ``is_calendar`` is False.

        >>> Offset(months=1).nominal_days, Offset(months=6).nominal_days, Offset(years=2).nominal_days
        (30, 183, 730)
        """
        if not self.months and not self.years:
            return self.days
        return self.days + round(self.months * 365.2425 / 12 + self.years * 365.2425)

    def __str__(self) -> str:
        """``+ 100d``, ``+ 1mo``, ``- 26d``, ``+ 1y 2mo 3d``; empty for a zero offset.

        >>> str(Offset(100)), str(Offset(-26)), str(Offset(3, 2, 1)), str(Offset())
        ('+ 100d', '- 26d', '+ 1y 2mo 3d', '')
        """
        parts = [(self.years, "y"), (self.months, "mo"), (self.days, "d")]
        nonzero = [(value, unit) for value, unit in parts if value]
        if not nonzero:
            return ""
        negative = all(value < 0 for value, _ in nonzero)
        sign = "-" if negative else "+"
        body = " ".join(f"{abs(v) if negative else v}{u}" for v, u in nonzero)
        return f"{sign} {body}"


@dataclass(frozen=True, slots=True)
class Window:
    """A permitted window around a target day: ``early`` days before, ``late`` days after (both ≥ 0)."""

    early: int
    late: int

    @classmethod
    def parse(cls, text: str) -> Window:
        """Parse ``-3d/+7d``, ``+7d/-3d``, ``±3d``, ``+/-3d``, ``0d/+14d``, ``+0d/+14d``, ``-2w/+1w``: the bounds as
        written, signed (a bound of 0 needs no sign); a window must hold its target.

        >>> str(Window.parse("+0d/+14d")), str(Window.parse("+7d/-3d"))
        ('-0d/+14d', '-3d/+7d')
        """
        if not isinstance(text, str):
            raise ValueError(f"expected a window such as -3d/+7d or ±3d, got {text!r}")
        cleaned = text.strip().replace("+/-", "±").replace("+-", "±")
        if cleaned.startswith("±"):
            if cleaned[1:].strip().startswith(("-", "+")):
                raise ValueError(f"write ±3d, not {text!r}")
            days = _window_days(cleaned[1:])
            return cls(days, days)
        parts = [p.strip() for p in cleaned.split("/")]
        if len(parts) != 2:
            raise ValueError(f"expected a window such as -3d/+7d or ±3d, got {text!r}")
        bounds = []
        for part in parts:
            days = _window_days(part.lstrip("+-"))
            if not part.startswith(("+", "-")) and days:
                raise ValueError(f"window part {part!r} needs a sign: -3d or +7d")
            bounds.append(-days if part.startswith("-") else days)
        low, high = min(bounds), max(bounds)
        if low > 0 or high < 0:
            side = "after" if low > 0 else "before"
            raise ValueError(f"window {text!r} lies wholly {side} its target; a window holds its target (e.g. "
                             f"-0d/+7d): move the target itself instead")
        return cls(-low, high)

    def __str__(self) -> str:
        return f"-{self.early}d/+{self.late}d"


def _window_days(text: str) -> int:
    duration = Duration.parse(text)
    if duration.unit not in ("d", "w"):
        raise ValueError(f"window bounds are given in days or weeks, got {text!r}")
    return abs(duration.amount) * (7 if duration.unit == "w" else 1)
