"""Field types shared by the protocol models: ids, durations, windows, anchors, day lists."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from schedsim.language.anchors import AnchorExpr, parse_event_ref
from schedsim.language.durations import Duration, Window


def require_unique(what: str, ids: list[str]) -> None:
    """Raise a validation error naming the repeated ones among ``ids`` (typed so that ``schedsim check`` reports it as
    rule SCH105); nothing when each is there once."""
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PydanticCustomError("duplicate_id", "{what}: {ids}", {"what": what, "ids": ", ".join(duplicates)})


class StrictModel(BaseModel):
    """Base of every protocol model: immutable, and a typo in a field name is an error, not a new field."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64,
                          description="lower-case name: letters, digits, underscore")]

Assumed = Annotated[str | None, Field(None, description="why this value was chosen: the source does not state it")]


DurationField = Annotated[
    Duration,
    BeforeValidator(lambda v: v if isinstance(v, Duration) else Duration.parse(v)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[+-]?\d+\s*(d|w|mo|y)$",
                    "description": "duration: 21d, 3w, 6mo, 2y"}),
]


def _non_negative(duration: Duration) -> Duration:
    if duration.amount < 0:
        raise ValueError(f"must not be negative, got {duration}")
    return duration


def _positive(duration: Duration) -> Duration:
    if duration.amount <= 0:
        raise ValueError(f"must be positive, got {duration}")
    return duration


NonNegativeDuration = Annotated[DurationField, AfterValidator(_non_negative)]
PositiveDuration = Annotated[DurationField, AfterValidator(_positive)]

WindowField = Annotated[
    Window,
    BeforeValidator(lambda v: v if isinstance(v, Window) else Window.parse(v)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "description": "window around the target: -3d/+7d or ±3d"}),
]

AnchorField = Annotated[
    AnchorExpr,
    BeforeValidator(lambda v: v if isinstance(v, AnchorExpr) else AnchorExpr.parse(v)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "description": "event id plus offsets: 'cart1.infusion + 1mo'"}),
]

EventRef = Annotated[
    str,
    AfterValidator(parse_event_ref),
    WithJsonSchema({"type": "string", "description": "an event id such as induction.end"}),
]

_RANGE = re.compile(r"^\s*(-?\d+)\s*(?:\.\.|-)\s*(-?\d+)\s*$")


def parse_day_list(value: Any) -> tuple[int, ...]:
    """``[1, 4, 8, 11]``, ``"1-14"``, ``"1..14"``, ``"-5..-3"``, ``"1,4,8"`` or a mix → sorted unique days.

    >>> parse_day_list("1-3, 8")
    (1, 2, 3, 8)
    >>> parse_day_list([-5, "-4..-3"])
    (-5, -4, -3)
    """
    items: list[Any]
    if isinstance(value, str):
        items = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"expected days such as [1, 4, 8, 11] or '1-14', got {value!r}")
    days: set[int] = set()
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"expected a day number, got {item!r}")
        if isinstance(item, int):
            days.add(item)
            continue
        text = str(item).strip()
        match = _RANGE.match(text)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if last < first:
                raise ValueError(f"day range {text!r} runs backwards")
            if last - first > 2000:
                raise ValueError(f"day range {text!r} is absurdly long")
            days.update(range(first, last + 1))
        elif re.fullmatch(r"-?\d+", text):
            days.add(int(text))
        else:
            raise ValueError(f"expected a day number or range such as 1-14, got {text!r}")
    if not days:
        raise ValueError("the day list is empty")
    return tuple(sorted(days))


DayList = Annotated[
    tuple[int, ...],
    BeforeValidator(parse_day_list),
    PlainSerializer(list, return_type=list),
    WithJsonSchema({"description": "days: [1, 4, 8, 11], '1-14' or '-5..-3'",
                    "anyOf": [{"type": "string"}, {"type": "integer"},
                              {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}]}),
]


def parse_cycle_ranges(value: Any) -> tuple[tuple[int, int | None], ...]:
    """Cycle numbers as ranges: ``"1-2"``, ``"7-"`` (cycle 7 on), ``3``, ``[1, 2, "5-6"]`` → ((first, last), ...).

    >>> parse_cycle_ranges("1-2, 7-")
    ((1, 2), (7, None))
    >>> parse_cycle_ranges([3, "5-6"])
    ((3, 3), (5, 6))
    """
    items = [p for p in value.split(",") if p.strip()] if isinstance(value, str) else (
        list(value) if isinstance(value, list | tuple) else [value])
    ranges: list[tuple[int, int | None]] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ValueError(f"expected cycles such as '1-2', '7-' or [1, 3], got {item!r}")
        text = str(item).strip()
        match = re.fullmatch(r"(\d+)\s*(?:(-|\.\.)\s*(\d*))?", text)
        if match is None:
            raise ValueError(f"expected cycles such as '1-2', '7-' or [1, 3], got {item!r}")
        first = int(match.group(1))
        last = first if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if first < 1 or (last is not None and last < first):
            raise ValueError(f"cycle range {text!r} is empty or starts before cycle 1")
        ranges.append((first, last))
    if not ranges:
        raise ValueError("give at least one cycle")
    return tuple(sorted(ranges, key=lambda r: r[0]))


def in_cycles(ranges: tuple[tuple[int, int | None], ...], cycle: int) -> bool:
    return any(first <= cycle and (last is None or cycle <= last) for first, last in ranges)


def _cycles_text(ranges: tuple[tuple[int, int | None], ...]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{'' if b is None else b}" for a, b in ranges)


CycleRanges = Annotated[
    tuple[tuple[int, int | None], ...],
    BeforeValidator(parse_cycle_ranges),
    PlainSerializer(_cycles_text, return_type=str),
    WithJsonSchema({"description": "cycles: '1-2', '3-6', '7-' (cycle 7 on), 3, or a list [1, 2, '5-6']",
                    "anyOf": [{"type": "string"}, {"type": "integer"},
                              {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}]}),
]
