"""Simulation records as compact columns: one replicate's events in parallel integer arrays."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

STATUSES = ("on_time", "in_window", "early", "late", "cancelled")
ON_TIME, IN_WINDOW, EARLY, LATE, CANCELLED = range(5)
MISSING = -(2**31)  # no actual day (cancelled)


class RecordTable:
    """One replicate's event records as parallel integer columns (about 25 bytes a record)."""

    def __init__(self) -> None:
        self.subject = array("i")
        self.event = array("i")
        self.target = array("i")
        self.actual = array("i")
        self.status = array("b")
        self.reason = array("i")
        self.reasons: list[str] = [""]
        self._reason_index: dict[str, int] = {"": 0}

    def code(self, reason: str) -> int:
        """The number of a reason text in this table."""
        code = self._reason_index.get(reason)
        if code is None:
            code = self._reason_index[reason] = len(self.reasons)
            self.reasons.append(reason)
        return code

    def add(self, subject: int, event: int, target: int, actual: int, status: int, reason: str) -> None:
        code = self._reason_index.get(reason)
        if code is None:
            code = self.code(reason)
        self.subject.append(subject)
        self.event.append(event)
        self.target.append(target)
        self.actual.append(actual)
        self.status.append(status)
        self.reason.append(code)

    def extend_on_time(self, subject: int, events: np.ndarray, days: np.ndarray) -> None:
        """Many records at once, each on its target day with no reason."""
        count = len(events)
        self.subject.extend([subject] * count)
        self.event.frombytes(events.astype(np.int32).tobytes())
        self.target.frombytes(days.astype(np.int32).tobytes())
        self.actual.frombytes(days.astype(np.int32).tobytes())
        self.status.frombytes(bytes(count))
        self.reason.frombytes(bytes(count * self.reason.itemsize))

    def extend_cancelled(self, subject: int, events: np.ndarray, targets: np.ndarray, reason: str) -> None:
        """Many cancelled records at once (no actual day), all for one reason."""
        count = len(events)
        self.subject.extend([subject] * count)
        self.event.frombytes(events.astype(np.int32).tobytes())
        self.target.frombytes(targets.astype(np.int32).tobytes())
        self.actual.extend([MISSING] * count)
        self.status.extend([CANCELLED] * count)
        self.reason.extend([self.code(reason)] * count)

    def __len__(self) -> int:
        return len(self.subject)


def merge(tables: Sequence[RecordTable], maps: Sequence[Sequence[int]]) -> RecordTable:
    """The records of several paths' tables in one, their event numbers mapped to the cohort's event table."""
    merged = RecordTable()
    for table, mapping in zip(tables, maps, strict=True):
        if not len(table):
            continue
        events = np.asarray(mapping, dtype=np.int32)[np.frombuffer(table.event, dtype=np.int32)]
        codes = np.asarray([merged.code(reason) for reason in table.reasons], dtype=np.int32)
        merged.subject.extend(table.subject)
        merged.event.frombytes(events.astype(np.int32).tobytes())
        merged.target.extend(table.target)
        merged.actual.extend(table.actual)
        merged.status.extend(table.status)
        merged.reason.frombytes(codes[np.frombuffer(table.reason, dtype=np.int32)].tobytes())
    return merged
