"""Where an ``include:`` entry is found: the library search path and library names.

An entry is either a library name, ``lib:vrd`` (the file ``vrd.yaml`` in a library folder), or a path. A path is
looked up beside the including file first, then in each library folder; a library name only in the library
folders. The library folders are those in ``SCHEDSIM_PATH`` (separated like ``PATH``), then the library that ships
inside the package (regimen, procedure and standard-visit blocks), so a protocol copied anywhere keeps working and a
site can put its own blocks first.

>>> library_name("lib:vrd")
'vrd'
>>> library_name("blocks/vrd.yaml") is None
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from schedsim.inputs import outside_message, within

LIBRARY_PREFIX = "lib:"
PATH_VARIABLE = "SCHEDSIM_PATH"
#: The library shipped with the package: its blocks, and beside them the JSON Schemas of the files.
PACKAGED_LIBRARY = Path(__file__).resolve().parent / "library"
PACKAGED_BLOCKS = PACKAGED_LIBRARY / "blocks"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def library_name(entry: str) -> str | None:
    """The library name of an ``include`` entry written as ``lib:NAME``; None for a path."""
    if not entry.startswith(LIBRARY_PREFIX):
        return None
    return entry[len(LIBRARY_PREFIX):].strip().removesuffix(".yaml")


def library_folders(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The folders searched for library files, in order: ``SCHEDSIM_PATH``'s, then the packaged library."""
    environ = os.environ if environ is None else environ
    folders = [Path(part).expanduser() for part in environ.get(PATH_VARIABLE, "").split(os.pathsep) if part.strip()]
    return [*folders, PACKAGED_BLOCKS]


def packaged_names() -> list[str]:
    """The library names of the packaged blocks (``lib:NAME``)."""
    return sorted(path.stem for path in PACKAGED_BLOCKS.glob("*.yaml"))


def resolve_include(entry: str, base: Path, folders: Sequence[Path] | None = None) -> tuple[Path | None, list[Path]]:
    """The file an ``include`` entry names, or None, with the places looked at (for the error message). Only
    places inside ``base``'s tree, the working folder, the library folders or an allowed path are looked at
    (``schedsim.inputs.within``): a file elsewhere is not even tested for existence."""
    folders = library_folders() if folders is None else folders
    name = library_name(entry)
    if name is not None:  # a name, never a path: lib:../x finds nothing
        valid = _NAME.fullmatch(name) and ".." not in name
        candidates = [folder / f"{name}.yaml" for folder in folders] if valid else []
    else:
        relative = Path(entry)
        candidates = [base / relative, *([] if relative.is_absolute() else [folder / relative for folder in folders])]
    candidates = [c for c in candidates if within(c, base, folders)]
    for candidate in candidates:
        try:
            if candidate.is_file():
                return candidate.resolve(), candidates
        except (OSError, ValueError):  # a name too long, a NUL byte, a symlink loop
            continue
    return None, candidates


def not_found_message(entry: str, base: Path | None = None) -> str:
    """Why an include was not found, and how to write it when the packaged library has a file of that name."""
    name = library_name(entry)
    if name is None and base is not None and not within(base / entry, base, library_folders()):
        return outside_message(entry, "included file")
    stem = Path(entry).stem if name is None else name
    known = packaged_names()
    if name is not None and not _NAME.fullmatch(name) or name is not None and ".." in name:
        return f"{entry!r}: a library name is letters, digits, '_' and '-' (no folders): e.g. lib:vrd"
    if name is not None:
        return (f"library file {entry!r} not found in {PATH_VARIABLE} or the packaged library "
                f"(packaged: {', '.join(LIBRARY_PREFIX + n for n in known)})")
    hint = f"; the packaged library has it: write 'include: [{LIBRARY_PREFIX}{stem}]'" if stem in known else ""
    return f"included file {entry!r} not found beside the file or in {PATH_VARIABLE}{hint}"
