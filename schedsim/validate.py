"""Validate protocol files: load, check the models and compile, collecting every file's problems."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from schedsim.compiler import compile_file
from schedsim.errors import InputError, Problem


def validate_files(files: Iterable[str | Path]) -> Iterator[tuple[Path, list[Problem]]]:
    """For each file, the problems found (an empty list means the protocol is valid)."""
    for file in files:
        path = Path(file)
        try:
            compile_file(path)
        except InputError as error:
            yield path, error.problems
        else:
            yield path, []
