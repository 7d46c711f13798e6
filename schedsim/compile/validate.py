"""Validate protocol and library files, collecting every file's problems."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from schedsim.compile.compiler import compile_protocol
from schedsim.compile.paths import all_paths
from schedsim.errors import InputError, Problem
from schedsim.language.loader import load_library, load_protocol, validate_model
from schedsim.language.model.scenario import Scenario
from schedsim.language.yamlsource import load_yaml


def is_library(data: object) -> bool:
    """A library file holds regimens, blocks or standard visits, and no phases."""
    return isinstance(data, dict) and "phases" not in data and any(k in data for k in ("regimens", "blocks", "visits"))


def is_scenario(data: object) -> bool:
    """A simulation scenario says how patients enrol, and has no phases."""
    return isinstance(data, dict) and "phases" not in data and "enrolment" in data


def file_kind(data: object) -> str:
    """What a file is, from its top-level keys: protocol, library or scenario."""
    return "library" if is_library(data) else "scenario" if is_scenario(data) else "protocol"


def validate_file(path: str | Path) -> list[Problem]:
    """Problems in one protocol (loaded, validated and compiled on every path of its arms and decisions), library
    or scenario file (its fields; the steps and phases it names are checked against a protocol by ``simulate``);
    empty when valid."""
    path = Path(path)
    try:
        doc = load_yaml(path, str(path))
        if is_scenario(doc.data):
            validate_model(Scenario, doc)
        elif is_library(doc.data):
            load_library(path, doc)
        else:
            loaded = load_protocol(path, doc)
            problems: list[Problem] = []
            for choice in all_paths(loaded):  # every arm and branch: each path must compile
                try:
                    compile_protocol(loaded, choice)
                except InputError as error:  # the same field on several paths: said once
                    seen = {(p.file, p.line, p.field) for p in problems}
                    problems.extend(p for p in error.problems if (p.file, p.line, p.field) not in seen)
            return problems
    except InputError as error:
        return error.problems
    return []


def validate_files(files: Iterable[str | Path]) -> Iterator[tuple[Path, list[Problem]]]:
    for file in files:
        yield Path(file), validate_file(file)
