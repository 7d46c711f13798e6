"""The rows every rendering of the SoA shares: the visit rows above the activities, and the footnotes."""

from __future__ import annotations

from collections.abc import Sequence

from schedsim.standards.soa.model import Activity, SoA, Visit


def header_rows(soa: SoA, visits: Sequence[Visit]) -> list[tuple[str, list[str]]]:
    """The rows that describe the visits: (name, one cell per visit)."""
    rows = [("phase", [v.group for v in visits]), ("visit", [v.label for v in visits]),
            ("study day", [v.day_text for v in visits])]
    if soa.start is not None:
        rows.append(("date", [("–" if ".." in v.key else ", ").join(d.isoformat() for d in v.dates) for v in visits]))
    rows.append(("window", [v.window for v in visits]))
    rows.append(("assumptions", [" ".join(v.assumptions) for v in visits]))
    return rows


def footnotes(soa: SoA) -> list[str]:
    lines = [f"Path: {soa.path}."] if soa.path else []
    lines += list(soa.notes)
    lines += [f"{ident}: {rationale}" for ident, rationale in soa.assumptions.items()]
    return lines


def grouped_rows(soa: SoA, visits: Sequence[Visit]) -> list[tuple[str, Activity | None]]:
    """The body of a block of visits: ("Treatment", None) before each group's first row, then (name, activity) for
    each activity marked on one of these visits."""
    from schedsim.standards.soa.groups import TITLES

    rows: list[tuple[str, Activity | None]] = []
    group = None
    for activity in soa.activities:
        if not any(soa.cell(activity, v) for v in visits):
            continue
        if activity.group != group:
            group = activity.group
            rows.append((TITLES[group], None))
        rows.append((activity.name, activity))
    return rows
