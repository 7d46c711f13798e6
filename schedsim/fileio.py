"""Writing output files safely, and the format an output file's extension names.

Every output goes through ``write_atomic`` (one file) or ``replace_folder`` (a run's folder of files): a temporary
file or folder beside the target, then a rename, so no partial output is ever left — not on bad input, a full disk
or a signal. ``-o`` must name a regular file (or nothing yet): devices, pipes and folders are refused, a symbolic
link is written through, never replaced, and a file the same run reads is never overwritten. An existing file keeps
its permissions; a new one gets the user's umask."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from schedsim.errors import InputError, Problem
from schedsim.inputs import files_read, files_written, note_written

T = TypeVar("T")


TEMPORARY = ".schedsim-"  # temporary files and folders: .NAME.schedsim-XXXXXXXX.tmp beside the target


def output_target(path: str | Path) -> Path:
    """The file ``-o`` will replace (a symbolic link's target), checked: its folder exists, it is a regular file or
    nothing yet, and this run has not read it. ``InputError`` naming the path otherwise."""
    given = Path(path)
    try:
        target = given.resolve() if given.is_symlink() else given
        mode = target.stat().st_mode if target.exists() else None
    except (OSError, RuntimeError, ValueError) as error:  # a symlink loop, a name too long, a NUL byte
        raise InputError(Problem(str(path), None, "", f"cannot write: {error}")) from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise InputError(Problem(str(path), None, "", f"cannot write: it is {kind}; -o names a regular file"))
    if not target.parent.is_dir():
        raise InputError(Problem(str(path), None, "", f"cannot write: folder {str(target.parent)!r} does not exist"))
    if mode is not None and target.resolve() in files_read():
        raise InputError(Problem(str(path), None, "", "cannot write: this run reads that file; write elsewhere"))
    if mode is not None and target.resolve() in files_written():
        raise InputError(Problem(str(path), None, "", "cannot write: this run already wrote that file (two outputs "
                                                      "named alike)"))
    return target


def write_atomic(path: str | Path, content: str | bytes | Iterable[str]) -> None:
    """Write ``content`` (or text chunks, streamed) to ``path`` atomically (``output_target`` says where)."""
    target = output_target(path)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
    chunks = [content] if isinstance(content, str | bytes) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}{TEMPORARY}", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(temporary, mode)  # an existing file's permissions, else an ordinary new file's (not mkstemp's 0600)
        os.replace(temporary, target)
        note_written(target)
    except OSError as error:  # a full disk, a quota, a folder gone: said with the file it was writing
        Path(temporary).unlink(missing_ok=True)
        raise InputError(Problem(str(path), None, "", f"cannot write: {error.strerror or error}")) from None
    except BaseException:  # errors, KeyboardInterrupt, and the SIGTERM the command line turns into SystemExit
        Path(temporary).unlink(missing_ok=True)
        raise


def folder_target(path: str | Path, owned: Iterable[str]) -> Path:
    """The folder a run will replace (a symbolic link's target), checked before any work: its parent exists, it is
    no file, not the working folder or one above it, holds nothing but ``owned`` files of an earlier run, and none of
    them is read by this run. ``InputError`` naming the path otherwise."""
    given = Path(path) if str(path).strip() else Path(".")
    final = given.resolve() if given.is_symlink() else given
    problem = None
    here = Path.cwd().resolve()
    if final.resolve() == here or final.resolve() in here.parents:
        problem = "it is the working folder or holds it; give a folder of its own"
    elif not final.parent.is_dir():
        problem = f"folder {str(final.parent)!r} does not exist"
    elif final.exists() and not final.is_dir():
        problem = "it is a file; give a folder"
    elif final.is_dir():
        others = sorted(p.name for p in final.iterdir() if p.name not in set(owned))
        read = sorted(p.name for p in final.iterdir() if p.resolve() in files_read())
        if others:
            named = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            problem = f"the folder holds other files ({named}); give a new or empty folder"
        elif read:
            problem = f"this run reads {', '.join(read)} in that folder; write elsewhere"
    if problem:
        raise InputError(Problem(str(path), None, "", f"cannot write: {problem}"))
    return final


def replace_folder(path: str | Path, write: Callable[[Path], T], owned: Iterable[str]) -> T:
    """Write a run's files with ``write(folder)`` into a temporary folder beside ``path``, then put it in place as a
    whole: the folder holds one complete run or none. An existing ``path`` is replaced only when it holds nothing
    but files named in ``owned`` (an earlier run's); a folder with other files is refused, never emptied."""
    final = folder_target(path, owned)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}{TEMPORARY}", dir=final.parent))
    try:
        result = write(staging)
        os.chmod(staging, 0o777 & ~_umask())
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}{TEMPORARY}old-", dir=final.parent))
            try:
                os.replace(final, old / final.name)
            except OSError:
                shutil.rmtree(old, ignore_errors=True)
                raise
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(Problem(str(path), None, "", f"cannot write: {error.strerror or error}")) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


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


def write_folder(path: str | Path, contents: Mapping[str, str | bytes], owned: Iterable[str]) -> list[Path]:
    """Files named in ``contents`` (text as UTF-8, or bytes) as one run in the folder ``path``
    (``replace_folder``); the paths written, in name order."""

    def write(folder: Path) -> list[str]:
        for name, content in contents.items():
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                (folder / name).write_text(content, encoding="utf-8")
        return sorted(contents)

    final = Path(path)
    return [final / name for name in replace_folder(final, write, owned)]
