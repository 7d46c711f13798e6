"""The columns of a Schedule of Activities from its slots: cycles with the same days, activities and windows in one
column group, a procedure block's days (runs of alike days in one column), and the days outside the phases."""

from __future__ import annotations

from collections.abc import Mapping

from schedsim.compile.ir import PhaseInfo, Timeline
from schedsim.engine.dates import date_of, study_day
from schedsim.standards.soa.parts import Slot, Visit, plain_label


def build_columns(slots: Mapping[tuple, Slot], phases: Mapping[str, PhaseInfo], timeline: Timeline,
            spans: list[tuple[int, int, PhaseInfo]]) -> list[Visit]:
    columns: list[tuple[int, int, Visit]] = []
    cycles: dict[str, dict[int, list[Slot]]] = {}
    blocks: dict[str, list[Slot]] = {}
    for key, slot in slots.items():
        if key[0] == "cycle":
            cycles.setdefault(key[1], {}).setdefault(key[2], []).append(slot)
        elif key[0] == "block":
            blocks.setdefault(key[1], []).append(slot)
        else:
            labels = list(dict.fromkeys(plain_label(item.event) for item in slot.items))
            label = labels[0] if len(labels) == 1 else " + ".join(labels)
            day = study_day(slot.t, timeline.conventions.study_day_zero)
            columns.append((slot.t, 0, _visit(f"day{day}", _group_at(slot.t, spans), label, [slot], timeline)))
    for phase, by_cycle in cycles.items():
        columns += _cycle_columns(phases[phase], by_cycle, timeline)
    for phase, items in blocks.items():
        columns += _block_columns(phases[phase], sorted(items, key=lambda s: s.key[2]), timeline)
    columns.sort(key=lambda c: (c[0], c[1]))
    return _merge_follow_up([visit for _, _, visit in columns])


def _group_at(t: int, spans: list[tuple[int, int, PhaseInfo]]) -> str:
    """The column group of a day outside the phases' own days: the procedure block running then, "Screening" before
    the first phase, else "Follow-up"."""
    for start, end, info in spans:
        if start <= t <= end and info.kind == "procedure":
            return info.label
    return "Screening" if spans and t < min(start for start, _, _ in spans) else "Follow-up"


def _cycle_columns(info: PhaseInfo, by_cycle: Mapping[int, list[Slot]], timeline: Timeline
                   ) -> list[tuple[int, int, Visit]]:
    pattern = {c: tuple((s.key[3], _window_text(s), tuple(sorted((a.name, v) for a, v in s.cells.items())))
                        for s in sorted(slots, key=lambda s: s.key[3])) for c, slots in by_cycle.items()}
    runs: list[list[int]] = []
    for cycle in sorted(by_cycle):
        if runs and runs[-1][-1] == cycle - 1 and pattern[runs[-1][0]] == pattern[cycle]:
            runs[-1].append(cycle)
        else:
            runs.append([cycle])
    out = []
    for run in runs:
        name = f"C{run[0]}" if len(run) == 1 else f"C{run[0]}–C{run[-1]}"
        group = f"{info.label} {name}"
        first = sorted(by_cycle[run[0]], key=lambda s: s.key[3])
        for order, slot in enumerate(first):
            day = slot.key[3]
            same = [next(s for s in by_cycle[c] if s.key[3] == day) for c in run]
            key = f"{info.id}.c{run[0]}" + (f"-{run[-1]}" if len(run) > 1 else "") + f".d{day}"
            out.append((slot.t, order, _visit(key, group, f"D{day}", same, timeline)))
    return out


def _block_columns(info: PhaseInfo, slots: list[Slot], timeline: Timeline) -> list[tuple[int, int, Visit]]:
    runs: list[list[Slot]] = []
    for slot in slots:
        previous = runs[-1][-1] if runs else None
        if (previous is not None and slot.key[2] == previous.key[2] + 1 and slot.cells == previous.cells
                and not _has_window(slot) and not _has_window(previous)):
            runs[-1].append(slot)
        else:
            runs.append([slot])
    out = []
    for order, run in enumerate(runs):
        first, last = run[0].key[2], run[-1].key[2]
        label = f"D{first:+d}" if first == last else f"D{first:+d}–D{last:+d}"
        key = f"{info.id}.d{first:+d}" + ("" if first == last else f"..{last:+d}")
        visit = _visit(key, info.label, label, run, timeline, span=len(run) > 1)
        out.append((run[0].t, order, visit))
    return out


def _window_text(slot: Slot) -> str:
    """The declared window of the slot's main event (its visit, else its first event with one): "−1/+3 d" (a minus
    sign, not a hyphen: no spreadsheet reads it as a formula)."""
    events = [item.event for item in slot.items]
    main = next((e for e in events if e.kind == "visit" and e.window is not None),
                next((e for e in events if e.window is not None), None))
    if main is None or main.window is None or main.window.early == main.window.late == 0:
        return ""
    early, late = main.window.early, main.window.late
    return f"{'−' + str(early) if early else '0'}/+{late} d"


def _has_window(slot: Slot) -> bool:
    return any(item.earliest is not None and item.earliest != item.latest for item in slot.items)


def _visit(key: str, group: str, label: str, slots: list[Slot], timeline: Timeline, span: bool = False) -> Visit:
    """A column from the slots it stands for: several cycles (one occurrence each) or a run of days (first, last)."""
    days_t = [slots[0].t, slots[-1].t] if span else [slot.t for slot in slots]
    first = slots[0]
    window = _window_text(first)
    start = first.items[0].date.fromordinal(first.items[0].date.toordinal() - first.items[0].t) \
        if first.items[0].date is not None else None
    dates = tuple(date_of(start, t) for t in days_t) if start is not None else ()
    day_zero = timeline.conventions.study_day_zero
    assumptions = sorted({a for slot in slots for item in slot.items for a in item.event.own_assumptions},
                         key=lambda a: int(a[1:]))
    return Visit(key, group, label, tuple(study_day(t, day_zero) for t in days_t), dates, window,
                 tuple(assumptions), dict(first.cells))


def _merge_follow_up(visits: list[Visit]) -> list[Visit]:
    """Assessments outside the phases are "Follow-up" columns; one between two columns of the same phase joins
    that phase's group, so a phase's header is not cut in two."""
    out = list(visits)
    for index, visit in enumerate(out):
        if visit.group != "Follow-up" or index == 0 or index == len(out) - 1:
            continue
        before, after = out[index - 1].group, out[index + 1].group
        if before == after and before != "Follow-up":
            out[index] = Visit(visit.key, before, visit.label, visit.days, visit.dates, visit.window,
                               visit.assumptions, visit.cells)
    return out


