"""Load a protocol file and the library files it includes into validated models.

Every problem is reported as an ``InputError`` naming the file, line and field path.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from schedsim.errors import InputError, Problem
from schedsim.language.ids import id_problems
from schedsim.language.includes import LIBRARY_PREFIX, PACKAGED_BLOCKS, not_found_message, resolve_include
from schedsim.language.model import Assessment, Block, Library, Protocol, Regimen, VisitTemplate
from schedsim.language.yamlsource import FieldPath, SourceDoc, load_yaml

MAX_INCLUDE_DEPTH = 16
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Named:
    """A regimen, block or standard visit with the file and field path where it is defined."""

    value: Regimen | Block | VisitTemplate
    doc: SourceDoc
    path: FieldPath


@dataclass(slots=True)
class Registry:
    """Named regimens and blocks from a file and everything it includes, with the files read (in order)."""

    docs: list[SourceDoc]
    regimens: dict[str, Named] = field(default_factory=dict)
    blocks: dict[str, Named] = field(default_factory=dict)
    visits: dict[str, Named] = field(default_factory=dict)


@dataclass(slots=True)
class LoadedProtocol:
    """A validated protocol with everything it includes, and where each piece came from.

    Standard visits (``use: screening``) are expanded into full assessments; ``templates`` maps the position of each
    such assessment to the template it came from (whose assumptions its events carry)."""

    protocol: Protocol
    doc: SourceDoc
    path: Path
    registry: Registry
    templates: dict[int, Named] = field(default_factory=dict)

    @property
    def regimens(self) -> dict[str, Named]:
        return self.registry.regimens

    @property
    def blocks(self) -> dict[str, Named]:
        return self.registry.blocks

    @property
    def docs(self) -> list[SourceDoc]:
        return self.registry.docs


def validate_model(model: type[M], doc: SourceDoc) -> M:
    """Validate ``doc.data`` against ``model``; map pydantic errors to file:line: field messages."""
    if not isinstance(doc.data, dict):
        raise InputError(Problem(doc.file, 1, "", "expected a mapping of fields at the top of the file"))
    try:
        return model.model_validate(doc.data)
    except PydanticValidationError as exc:
        raise InputError([_problem(doc, error) for error in exc.errors(include_url=False)]) from None


def _problem(doc: SourceDoc, error: Any) -> Problem:
    path = _clean_loc(error.get("loc", ()), doc.data)
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid"))
    if kind == "extra_forbidden":
        message = f"unknown field {path[-1]!r}" if path else "unknown field"
    elif kind == "union_tag_invalid":
        context = error.get("ctx", {})
        path = (*path, "kind")
        message = f"kind must be one of {context.get('expected_tags', '')}, got {context.get('tag', '')!r}"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "duplicate_id":
        return doc.problem(path, message, "SCH105")
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    elif kind == "string_type" and isinstance(error.get("input"), bool | int | float):
        value = error["input"]
        message = f"expected text, got {str(value).lower() if isinstance(value, bool) else value}: put it in quotes"
    return doc.problem(path, message)


def _clean_loc(loc: tuple[Any, ...], data: Any) -> FieldPath:
    """Drop pydantic's union-branch names (``cycles``, ``function-after[...]``) that are not in the data."""
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        if isinstance(node, dict) and node.get("kind") == part and position + 1 < len(loc):
            continue  # the tag of a discriminated union (phases' kind), not a field
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict | list) and isinstance(part, str) and not _is_branch(part):
            path.append(part)  # a missing or unknown key: name it
            node = None
    return tuple(path)


def _is_branch(part: str) -> bool:
    return part in {"cycles", "procedure", "str", "int", "list[TimePoint]", "list[str]"} or "[" in part


def load_protocol(path: str | Path, doc: SourceDoc | None = None) -> LoadedProtocol:
    """Load and validate a protocol file and its includes (``doc``: the file, when already read)."""
    path = Path(path)
    doc = doc or load_yaml(path, str(path))
    protocol = validate_model(Protocol, doc)
    problems = id_problems(protocol, doc)
    if problems:
        raise InputError(problems)
    registry = Registry([doc])
    _register(registry, doc, protocol.regimens, protocol.blocks, protocol.visits)
    _include(registry, doc, protocol.include, path.parent, chain=(path.resolve(),))
    protocol, templates = _standard_visits(protocol, doc, registry)
    return LoadedProtocol(protocol, doc, path, registry, templates)


def _standard_visits(protocol: Protocol, doc: SourceDoc, registry: Registry) -> tuple[Protocol, dict[int, Named]]:
    """Each ``use`` of a standard visit becomes the assessment its template describes, ``$anchor`` replaced by the event
    in ``anchor``; what the protocol writes beside ``use`` (label, window, activities, arms, ...) wins."""
    templates: dict[int, Named] = {}
    expanded = []
    problems = []
    for index, assessment in enumerate(protocol.assessments):
        if assessment.use is None:
            expanded.append(assessment)
            continue
        path = ("assessments", index)
        named = registry.visits.get(assessment.use)
        if named is None:
            close = difflib.get_close_matches(assessment.use, list(registry.visits), n=2, cutoff=0.6)
            known = ", ".join(sorted(registry.visits)) or "none: include a library with 'visits:'"
            hint = f"; did you mean {' or '.join(close)}?" if close else f" (known: {known})"
            problems.append(doc.problem((*path, "use"), f"unknown standard visit {assessment.use!r}{hint}"))
            continue
        template = named.value
        assert isinstance(template, VisitTemplate)
        data = template.model_dump(by_alias=True, exclude_none=True, exclude={"assumed"})
        placed = any(data.get(key, "").lstrip().startswith("$anchor") for key in ("at", "from", "until"))
        if not placed and assessment.anchor is not None:
            problems.append(doc.problem((*path, "anchor"), f"standard visit {assessment.use!r} is not placed around "
                                                           f"an event ('{template.at or template.from_}'): drop "
                                                           f"'anchor'"))
            continue
        for key in ("at", "from", "until"):
            if key in data and data[key].lstrip().startswith("$anchor"):
                if assessment.anchor is None:
                    problems.append(doc.problem(path, f"standard visit {assessment.use!r} is placed around an event "
                                                      f"('{template.at or template.from_}'): say which with 'anchor'"))
                    break
                data[key] = data[key].replace("$anchor", assessment.anchor, 1)
        else:
            given = assessment.model_dump(by_alias=True, exclude_none=True, exclude={"use", "anchor"},
                                          exclude_unset=True)
            expanded.append(Assessment.model_validate({**data, **given, "id": assessment.id}))
            templates[index] = named
    if problems:
        raise InputError(problems)
    return protocol.model_copy(update={"assessments": expanded}), templates


def load_library(path: str | Path, doc: SourceDoc | None = None) -> Registry:
    """Load and validate a library file and what it includes (``doc``: the file, when already read)."""
    path = Path(path)
    doc = doc or load_yaml(path, str(path))
    library = validate_model(Library, doc)
    registry = Registry([doc])
    _register(registry, doc, library.regimens, library.blocks, library.visits)
    _include(registry, doc, library.include, path.parent, chain=(path.resolve(),))
    return registry


def _include(loaded: Registry, doc: SourceDoc, includes: list[str], base: Path,
             chain: tuple[Path, ...]) -> None:
    """Load each included library (and what it includes); every include that cannot be found is reported."""
    problems = []
    for index, name in enumerate(includes):
        target, _ = resolve_include(name, base)
        if target is None:
            problems.append(doc.problem(("include", index), not_found_message(name, base)))
            continue
        if target in chain:
            names = " → ".join(p.name for p in (*chain, target))
            raise InputError(doc.problem(("include", index), f"circular include: {names}"))
        if len(chain) >= MAX_INCLUDE_DEPTH:
            raise InputError(doc.problem(("include", index), "includes nested too deeply"))
        if any(Path(d.file).resolve() == target for d in loaded.docs) or problems:
            continue
        display = _display(target)
        library_doc = load_yaml(target, display, "library")
        library = validate_model(Library, library_doc)
        loaded.docs.append(library_doc)
        _register(loaded, library_doc, library.regimens, library.blocks, library.visits)
        _include(loaded, library_doc, library.include, target.parent, (*chain, target))
    if problems:
        raise InputError(problems)


def _display(path: Path) -> str:
    """How messages name a file: packaged library files by library name (the same on every machine), others
    relative to the working folder when under it."""
    if path.parent == PACKAGED_BLOCKS:
        return f"{LIBRARY_PREFIX}{path.name}"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _register(loaded: Registry, doc: SourceDoc, regimens: dict[str, Regimen], blocks: dict[str, Block],
              visits: dict[str, VisitTemplate]) -> None:
    tables = (("regimens", loaded.regimens, regimens), ("blocks", loaded.blocks, blocks),
              ("visits", loaded.visits, visits))
    for kind, table, items in tables:  # type: ignore[assignment]
        for name, value in items.items():
            if name in table:
                other = table[name]
                where = f"{other.doc.file}:{other.doc.line(other.path)}"
                raise InputError(doc.problem((kind, name), f"{kind[:-1]} {name!r} is already defined at {where}"))
            table[name] = Named(value, doc, (kind, name))
