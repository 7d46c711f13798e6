"""Atomic file writing: a temporary file in the target folder, then a rename, so no partial file is left."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: str | Path, content: str | bytes | Iterable[str]) -> None:
    """Write ``content`` (or text chunks, streamed) to ``path`` atomically (creating parent folders)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
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
