"""Read a YAML file into plain data, keeping where every field came from.

Besides the data, a ``SourceDoc`` holds the line of every field path (so errors name ``file:line``) and the
assumptions the author marked. Any value may be written as ``{value: X, assumed: "why"}``: the document keeps
``X`` and records the assumption at that path. A mapping with its own ``assumed: "why"`` key is recorded too
(the key stays, for the models to accept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from schedsim.errors import InputError, Problem
from schedsim.inputs import date_problem, read_input, unsafe_character

FieldPath = tuple[str | int, ...]
MAX_DEPTH = 64  # nesting of maps and lists: a protocol nests about 8 deep
MAX_NODES = 500_000  # values read, aliases counted each time they are used: no "billion laughs"
MAX_DIGITS = 15  # an integer longer than this is no count, day or dose a protocol holds
_BOOL, _INT, _FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: same nodes, faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """YAML 1.2 core typing: ``true``/``false`` are the only booleans (``yes``, ``no``, ``on`` are text), integers
    are decimal, ``0o``/``0x`` (no sexagesimal ``1:30``, no octal ``010``), floats have no ``:``."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                              list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                       r"|\.(?:nan|NaN|NAN))$"), list("-+.0123456789"))


class _Constructor(yaml.SafeLoader):
    """Builds scalars as YAML 1.2 reads them: decimal integers (``010`` is 10) of bounded length."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node)).replace("_", "")
        digits = text.lstrip("+-")
        if len(digits) > MAX_DIGITS:
            raise ValueError(f"{len(digits)} digits: no count, day or dose is that long")
        if digits[:2] in ("0o", "0x"):
            return int(text.replace(digits[:2], "", 1), 8 if digits[1] == "o" else 16)
        return int(text, 10)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"


_Constructor.add_constructor(_INT, _Constructor.construct_yaml_int)
_Constructor.add_constructor(_BOOL, _Constructor.construct_yaml_bool)


def format_path(path: FieldPath) -> str:
    """``("phases", 2, "cycles")`` → ``phases.2.cycles``."""
    return ".".join(str(part) for part in path)


@dataclass(frozen=True, slots=True)
class Assumption:
    """A value the source record does not state, with the author's one-line rationale."""

    id: str
    file: str
    line: int | None
    field: str
    rationale: str


@dataclass(slots=True)
class SourceDoc:
    """One YAML file's data plus its line map and marked assumptions."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    assumptions: dict[FieldPath, str] = field(default_factory=dict)

    def line(self, path: FieldPath) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: FieldPath, message: str, rule: str | None = None) -> Problem:
        return Problem(self.file, self.line(path), format_path(path), message, rule)

    def assumptions_at(self, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
        """Assumptions made at ``path`` or at any of its ancestors."""
        for end in range(len(path) + 1):
            prefix = tuple(path[:end])
            if prefix in self.assumptions:
                yield prefix, self.assumptions[prefix]


def load_yaml(path: Path, display: str | None = None, what: str = "") -> SourceDoc:
    """Load ``path`` (a regular file of at most ``LIMITS[what]`` bytes: ``schedsim.inputs.read_input``); raise
    ``InputError`` naming file and line for anything malformed."""
    name = display or str(path)
    return parse_yaml(read_input(path, what, name), name)


def parse_yaml(text: str, name: str) -> SourceDoc:
    """Parse YAML text held in memory (``name`` is used in messages)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or str(exc)
        raise InputError(Problem(name, line, "", f"malformed YAML: {reason}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(name, None, "", f"malformed YAML: {exc}")) from None
    except RecursionError:
        raise InputError(Problem(name, None, "", f"malformed YAML: nested deeper than {MAX_DEPTH}")) from None
    doc = SourceDoc(name, None)
    if node is None:
        raise InputError(Problem(name, 1, "", "the file is empty"))
    constructor = _Constructor("")
    try:
        doc.data = _convert(node, (), doc, constructor, _Budget())
    finally:
        constructor.dispose()
    return doc


class _Budget:
    """How many values are left to read, and the nodes being read (a node inside itself is a recursive alias)."""

    def __init__(self) -> None:
        self.left = MAX_NODES
        self.open: set[int] = set()


def _convert(node: yaml.Node, path: FieldPath, doc: SourceDoc, constructor: yaml.SafeLoader,
             budget: _Budget) -> Any:
    line = node.start_mark.line + 1
    budget.left -= 1
    if budget.left < 0:
        raise InputError(Problem(doc.file, line, format_path(path), f"more than {MAX_NODES:,} values (aliases "
                                                                     "count each time they are used)"))
    if len(path) > MAX_DEPTH:
        raise InputError(Problem(doc.file, line, format_path(path[:3]) + "...", f"nested deeper than {MAX_DEPTH}"))
    if id(node) in budget.open:
        raise InputError(Problem(doc.file, line, format_path(path[:3]) + "...", "an alias refers to itself"))
    if not isinstance(node, yaml.ScalarNode):
        budget.open.add(id(node))
        try:
            return _collection(node, path, doc, constructor, budget)
        finally:
            budget.open.discard(id(node))
    doc.lines.setdefault(path, line)
    return _scalar(node, doc, constructor, path)


def _collection(node: yaml.Node, path: FieldPath, doc: SourceDoc, constructor: yaml.SafeLoader,
                budget: _Budget) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        _flatten_merges(node, doc, constructor)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc, constructor, path)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise InputError(Problem(doc.file, key_node.start_mark.line + 1, format_path(path),
                                         f"mapping keys must be names, got {key!r}"))
            key = str(key)
            if key in result:
                raise InputError(Problem(doc.file, key_node.start_mark.line + 1, format_path((*path, key)),
                                         f"duplicate key {key!r}"))
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*path, key), doc, constructor, budget)
        return _unwrap_assumption(result, path, doc)
    return [_convert(item, (*path, index), doc, constructor, budget) for index, item in enumerate(node.value)]


def _flatten_merges(node: yaml.MappingNode, doc: SourceDoc, constructor: yaml.SafeLoader) -> None:
    if not any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value):
        return
    try:
        constructor.flatten_mapping(node)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError(Problem(doc.file, line, "", f"malformed YAML merge: {exc.problem}")) from None


def _scalar(node: yaml.Node, doc: SourceDoc, constructor: yaml.SafeLoader, path: FieldPath = ()) -> Any:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode):
        raise InputError(Problem(doc.file, line, format_path(path), "expected a plain value here"))
    if isinstance(node.value, str) and (bad := unsafe_character(node.value)):
        raise InputError(Problem(doc.file, line, format_path(path), f"holds control character {bad}: remove it"))
    try:
        value = constructor.construct_object(node)
        if isinstance(value, datetime):
            raise InputError(Problem(doc.file, line, format_path(path), f"{node.value!r} has a time of day: give the "
                                                                         "date alone (YYYY-MM-DD)"))
        if isinstance(value, date) and (problem := date_problem(value)):
            raise InputError(Problem(doc.file, line, format_path(path), problem))
        return value
    except yaml.constructor.ConstructorError as exc:
        raise InputError(Problem(doc.file, line, format_path(path), f"bad value: {exc.problem}")) from None
    except (ValueError, OverflowError) as exc:  # a date YAML recognises but the calendar has not: 2027-02-30
        what = "not a date" if node.tag.endswith(":timestamp") else "not a valid value"
        raise InputError(Problem(doc.file, line, format_path(path), f"{node.value!r} is {what} ({exc})")) from None


def _unwrap_assumption(mapping: dict[str, Any], path: FieldPath, doc: SourceDoc) -> Any:
    rationale = mapping.get("assumed")
    if rationale is None:
        return mapping
    if not isinstance(rationale, str) or not rationale.strip():
        raise InputError(doc.problem((*path, "assumed"), "assumed needs a one-line rationale (text)"))
    doc.assumptions[path] = rationale.strip()
    if set(mapping) == {"value", "assumed"}:
        return mapping["value"]
    return mapping
