"""A sweep's grid: scenario parameters named by their path in the scenario, with their values — every combination
(``parameters: {enrolment.rate_per_month: [2, 4, 6], resources.manufacturing_slots: [1, 2]}``) or listed points
(``points: [{enrolment.rate_per_month: 2, resources.manufacturing_slots: 1}, ...]``). A grid read from a file knows
the line of every value, so that a value the scenario refuses is named where it was written.

>>> grid = grid_of({"parameters": {"enrolment.rate_per_month": [2, 4], "resources.manufacturing_slots": [1, 2]}})
>>> grid.names, len(grid.points), grid.values(3)
(('enrolment.rate_per_month', 'resources.manufacturing_slots'), 4, {'enrolment.rate_per_month': 4, \
'resources.manufacturing_slots': 2})
>>> grid_of({"points": [{"steps.manufacturing.duration": {"fixed": "20d"}}]}).shown(0)
('{"fixed": "20d"}',)
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from schedsim.errors import InputError, Problem
from schedsim.inputs import read_input
from schedsim.language.yamlsource import SourceDoc, parse_yaml

MAX_POINTS = 1000


@dataclass(frozen=True)
class Grid:
    names: tuple[str, ...]
    points: tuple[tuple[Any, ...], ...]
    source: str = "grid"
    lines: dict[tuple[int, str], int | None] = field(default_factory=dict, compare=False)  # (point, name) → line

    def values(self, point: int) -> dict[str, Any]:
        return dict(zip(self.names, self.points[point], strict=True))

    def shown(self, point: int) -> tuple[Any, ...]:
        """The point's values for tables and plots: numbers, text and booleans as they are; a mapping or a list (a
        distribution, say) as compact JSON text."""
        return tuple(json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, dict | list) else v
                     for v in self.points[point])

    def problem(self, point: int, name: str, message: str) -> Problem:
        """``message`` about the value of ``name`` at ``point``, at its line in the grid file."""
        value = self.shown(point)[self.names.index(name)]
        return Problem(self.source, self.lines.get((point, name)), name, f"{message} (grid point {point}: {value})")


def grid_of(data: Any, source: str = "grid", doc: SourceDoc | None = None) -> Grid:
    """A grid from its YAML data: ``parameters`` (every combination) or ``points`` (the ones listed); ``doc``, the
    parsed file, gives the values' lines."""
    def line(*path: str | int) -> int | None:
        return doc.line(path) if doc is not None else None

    unknown = sorted(set(map(str, data)) - {"parameters", "points"}) if isinstance(data, dict) else []
    if unknown:
        raise InputError(Problem(source, line(unknown[0]), unknown[0], "unknown field: a grid gives 'parameters' or "
                                                                       "'points'"))
    if not isinstance(data, dict) or (("parameters" in data) == ("points" in data)):
        raise InputError(Problem(source, line(), "", "a grid gives either 'parameters' (name: [values]) or "
                                                     "'points' (a list of {name: value})"))
    lines: dict[tuple[int, str], int | None] = {}
    if "parameters" in data:
        parameters = data["parameters"]
        if not isinstance(parameters, dict) or not parameters or not all(
                isinstance(v, list) and v for v in parameters.values()):
            raise InputError(Problem(source, line("parameters"), "parameters",
                                     "give each parameter a non-empty list of values"))
        names = tuple(str(name) for name in parameters)
        count = math.prod(len(values) for values in parameters.values())
        if count > MAX_POINTS:  # before anything is built: a grid of millions is refused at once
            raise InputError(Problem(source, line("parameters"), "parameters",
                                     f"{count:,} grid points: at most {MAX_POINTS:,}"))
        for key, values in parameters.items():
            seen: set[str] = set()
            for k, value in enumerate(values):
                text = json.dumps(value, sort_keys=True, default=str)
                if text in seen:
                    raise InputError(Problem(source, line("parameters", key, k), f"parameters.{key}",
                                             f"the value {value!r} is given twice: each grid point once"))
                seen.add(text)
        choices = list(itertools.product(*(range(len(v)) for v in parameters.values())))
        points = tuple(tuple(values[k] for values, k in zip(parameters.values(), ks, strict=True)) for ks in choices)
        for point, ks in enumerate(choices):
            for name, key, k in zip(names, parameters, ks, strict=True):
                lines[(point, name)] = line("parameters", key, k)
    else:
        listed = data["points"]
        if not isinstance(listed, list) or not listed or not all(isinstance(p, dict) and p for p in listed):
            raise InputError(Problem(source, line("points"), "points", "give a list of {parameter: value} mappings"))
        if len(listed) > MAX_POINTS:
            raise InputError(Problem(source, line("points"), "points",
                                     f"{len(listed):,} grid points: at most {MAX_POINTS:,}"))
        names = tuple(dict.fromkeys(str(name) for point in listed for name in point))
        for i, point in enumerate(listed):
            lacking = [name for name in names if name not in set(map(str, point))]
            if lacking:
                raise InputError(Problem(source, line("points", i), f"points.{i}",
                                         f"lacks {', '.join(lacking)}: every point gives {', '.join(names)}"))
        points = tuple(tuple(point[name] for name in names) for point in listed)
        lines = {(i, name): line("points", i, name) for i in range(len(listed)) for name in names}
    if len(points) > MAX_POINTS:
        raise InputError(Problem(source, line(), "", f"{len(points)} grid points: at most {MAX_POINTS}"))
    return Grid(names, points, source, lines)


def load_grid(path: str | Path) -> Grid:
    doc = parse_yaml(read_input(path, "grid"), str(path))
    return grid_of(doc.data, str(path), doc)


def point_scenario(base: dict[str, Any], grid: Grid, point: int) -> str:
    """The scenario YAML of a grid point: the base scenario with the point's values set at their paths."""
    data = yaml.safe_load(yaml.safe_dump(base))
    for name, value in grid.values(point).items():
        node = data
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(grid.problem(point, name, f"{part!r} is no section of the scenario"))
        node[parts[-1]] = value
    return yaml.safe_dump(data, sort_keys=False)
