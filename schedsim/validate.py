"""Validate protocol and library files, collecting every file's problems."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from schedsim.compiler import compile_file
from schedsim.errors import InputError, Problem
from schedsim.loader import load_library
from schedsim.yamlsource import load_yaml


def is_library(path: Path) -> bool:
    """A library file holds regimens or blocks and no phases."""
    data = load_yaml(path).data
    return isinstance(data, dict) and "phases" not in data and ("regimens" in data or "blocks" in data)


def validate_file(path: str | Path) -> list[Problem]:
    """Problems in one protocol (loaded, validated and compiled) or library file; empty when valid."""
    path = Path(path)
    try:
        if is_library(path):
            load_library(path)
        else:
            compile_file(path)
    except InputError as error:
        return error.problems
    return []


def validate_files(files: Iterable[str | Path]) -> Iterator[tuple[Path, list[Problem]]]:
    for file in files:
        yield Path(file), validate_file(file)
