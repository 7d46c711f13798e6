"""Assessments: named time points, or a repeat every so often between two points, or a library's standard visit
(``use``); each on every path of the design or only in some arms or branches."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, model_validator

from schedsim.language.model.design import OnPath
from schedsim.language.model.types import (
    AnchorField,
    Assumed,
    EventRef,
    Id,
    PositiveDuration,
    WindowField,
    require_unique,
)

_EVERY = re.compile(r"^\s*(\S+)\s+from\s+(.+?)\s+until\s+(.+?)\s*$")


class TimePoint(OnPath):
    """One named time point of an assessment (on every path of its assessment, or only in some arms or branches)."""

    id: Id
    at: AnchorField
    label: str | None = None
    window: WindowField | None = None
    assumed: Assumed = None


class Assessment(OnPath):
    """Assessments at anchored time points, or repeating every so often between two points; or a standard visit of
    a library (``use: screening``, placed around the event given in ``anchor``)."""

    id: Id
    label: str | None = Field(None, description="required, unless 'use' gives the standard visit's label")
    use: Id | None = Field(None, description="a standard visit of an included library (screening, consent, "
                                             "baseline, eligibility_recheck, end_of_treatment, end_of_study, "
                                             "long_term_follow_up): it brings its label, activities, window and "
                                             "timing; 'anchor' says which event its '$anchor' is")
    anchor: EventRef | None = Field(None, description="with 'use': the event the standard visit is placed around, "
                                                  "e.g. induction.start for screening")
    kind: Literal["assessment", "visit"] = "assessment"
    activities: list[str] = Field(default_factory=list)
    setting: Literal["clinic", "inpatient", "home", "offsite"] = Field(
        "clinic", description="where it happens: clinic (moved off closed days), inpatient, home or offsite (never "
                              "moved): samples taken during a hospital stay are inpatient")
    window: WindowField | None = Field(None, description="default window of every time point")
    at: AnchorField | list[TimePoint] | None = None
    every: Annotated[PositiveDuration | None, WithJsonSchema(
        {"anyOf": [{"type": "string", "description": "3mo, or in one line: '3mo from X until Y'"},
                   {"type": "null"}]})] = None
    from_: AnchorField | None = Field(None, alias="from")
    until: AnchorField | None = None
    include_from: bool = Field(False, description="with 'every': also assess at the 'from' point itself")
    assumed: Assumed = None

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        """``every: 3mo from X until Y`` in one line, and plain anchors in an ``at`` list (ids t1, t2, ...)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("use"), str) and "id" not in data:
            data["id"] = data["use"]  # a standard visit's id is its name unless given
        every = data.get("every")
        if isinstance(every, str) and " from " in every and "from" not in data and "until" not in data:
            match = _EVERY.match(every)
            if not match:
                raise ValueError(f"expected 'every: 3mo from X until Y', got {every!r}")
            data["every"], data["from"], data["until"] = match.groups()
        if isinstance(data.get("at"), list):
            data["at"] = [{"id": f"t{i + 1}", "at": p} if isinstance(p, str) else p for i, p in enumerate(data["at"])]
        return data

    @model_validator(mode="after")
    def _check(self) -> Assessment:
        repeating = self.every is not None or self.from_ is not None or self.until is not None
        if self.use is not None:
            if self.at is not None or repeating:
                raise ValueError("a standard visit ('use') is placed by its template: give 'anchor', not 'at' or "
                                 "'every'")
            return self
        if self.anchor is not None:
            raise ValueError("'anchor' goes with 'use' (a standard visit); place an assessment with 'at'")
        if self.label is None:
            raise ValueError("give the assessment a 'label'")
        if self.at is not None and repeating:
            raise ValueError("give either 'at' or 'every'/'from'/'until', not both")
        if self.at is None and not repeating:
            raise ValueError("give 'at' (time points) or 'every', 'from' and 'until'")
        if repeating and (self.every is None or self.from_ is None or self.until is None):
            raise ValueError("a repeating assessment needs all of 'every', 'from' and 'until'")
        if isinstance(self.at, list):
            if not self.at:
                raise ValueError("'at' lists no time points")
            require_unique("duplicate time point id(s)", [point.id for point in self.at])
        return self
