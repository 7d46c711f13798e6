"""Atomic file writing (a temporary file in the target folder, then a rename, so no partial file is left) and the
output format an output file's extension names."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from schedsim.errors import InputError, Problem


def write_atomic(path: str | Path, content: str | bytes | Iterable[str]) -> None:
    """Write ``content`` (or text chunks, streamed) to ``path`` atomically. Its folder must exist (a typo in a path
    creates no folders). A symbolic link is written through: the file it points to is replaced, the link stays."""
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    if not target.parent.is_dir():
        raise InputError(Problem(str(path), None, "", f"cannot write: folder {str(target.parent)!r} does not exist"))
    chunks = [content] if isinstance(content, str | bytes) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file would be, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def format_for(output: str | Path | None, given: str | None, suffixes: Mapping[str, str], default: str) -> str:
    """The output format: ``given`` (``--format``) when set, else the one ``output``'s extension names (``suffixes``:
    ".csv" -> "csv"), else ``default``. An extension that names no known format, or another format than
    ``given``, is bad input: the message lists the known extensions.

    >>> format_for("cal.csv", None, {".csv": "csv", ".txt": "table"}, "table")
    'csv'
    """
    suffix = Path(output).suffix.lower() if output is not None else ""
    named = suffixes.get(suffix)
    known = ", ".join(f"{s} ({f})" for s, f in suffixes.items())
    if given is not None:
        if named is not None and named != given:
            raise InputError(Problem("--output", None, "", f"{output} names the {named} format but --format is "
                                                           f"{given}: drop one"))
        return given
    if suffix and named is None:
        raise InputError(Problem("--output", None, "", f"{output}: unknown extension {suffix!r}; known: {known}"))
    return named or default
