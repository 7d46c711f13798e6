"""Validate protocol and library files, collecting every file's problems."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from schedsim.compile.compiler import compile_protocol
from schedsim.errors import InputError, Problem
from schedsim.language.loader import load_library, load_protocol
from schedsim.language.yamlsource import load_yaml


def is_library(data: object) -> bool:
    """A library file holds regimens or blocks and no phases."""
    return isinstance(data, dict) and "phases" not in data and ("regimens" in data or "blocks" in data)


def validate_file(path: str | Path) -> list[Problem]:
    """Problems in one protocol (loaded, validated and compiled) or library file; empty when valid."""
    path = Path(path)
    try:
        doc = load_yaml(path, str(path))
        if is_library(doc.data):
            load_library(path, doc)
        else:
            compile_protocol(load_protocol(path, doc))
    except InputError as error:
        return error.problems
    return []


def validate_files(files: Iterable[str | Path]) -> Iterator[tuple[Path, list[Problem]]]:
    for file in files:
        yield Path(file), validate_file(file)
