"""The catalogue of check rules: a stable id, a severity, a one-line rationale and the usual fix for each.

Ids follow linter habits: ``SCH1xx`` errors, ``SCH2xx`` warnings, ``SCH3xx`` information; ``SCHx5x`` rules look
at one patient's actual dates (deviations) rather than at the protocol. A protocol may switch a rule off with a
reason (``checks: {disable: {SCH205: "reason"}}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    rationale: str
    fix: str
    scope: Literal["protocol", "patient"] = "protocol"


_RULES = (
    Rule("SCH101", "constraint-conflict", "error",
         "The protocol's declared constraints (`constraints:`) cannot all hold together with how events are placed.",
         "Change the offset or anchor named in the chain, or the constraint itself, until the chain adds up."),
    Rule("SCH102", "day-outside-cycle", "error",
         "A dosing or visit day lies outside its cycle (day 22 of a 21-day cycle), so the cycle overlaps the next.",
         "Lengthen the cycle or move the day inside 1..cycle_length."),
    Rule("SCH103", "unresolved-anchor", "error",
         "An anchor names an event that does not exist, so nothing anchored on it can be dated.",
         "Correct the event id (the message suggests near matches) or define the event."),
    Rule("SCH104", "circular-reference", "error",
         "Events anchored on each other in a loop have no date at all.",
         "Anchor one event of the loop on something outside it."),
    Rule("SCH105", "duplicate-id", "error",
         "Two things with one id make every reference to that id ambiguous.",
         "Rename one of them."),
    Rule("SCH106", "dose-spacing", "error",
         "Two doses of one agent are closer than its declared minimum interval (bortezomib: at least 72 h apart).",
         "Move the dosing days apart, or correct the agent's `min_interval`."),
    Rule("SCH107", "phase-order", "error",
         "Phases run in the order written and do not overlap: each starts after the previous one ends.",
         "Fix the later phase's `start`/`day0` offset, or reorder the phases."),
    Rule("SCH108", "cart-sequence", "error",
         "CAR-T needs apheresis < lymphodepletion < infusion, bridging before lymphodepletion, and a vein-to-vein "
         "time at least as long as manufacturing.",
         "Correct the block's step days (or their `role`)."),
    Rule("SCH109", "asct-sequence", "error",
         "ASCT needs mobilisation before collection, cells collected before conditioning, and conditioning on "
         "day -2 or -1 before the stem-cell infusion on day 0.",
         "Correct the block's step days (or their `role`)."),
    Rule("SCH110", "maintenance-after-treatment", "error",
         "Maintenance starts only after consolidation and after CAR-T (including its monitoring or DLT window).",
         "Start maintenance later, or bring the earlier treatment forward."),
    Rule("SCH111", "cart-after-engraftment", "error",
         "CAR-T after ASCT waits for engraftment: lymphodepletion comes after the engraftment window closes.",
         "Place the CAR-T block later after the transplant."),
    Rule("SCH112", "beyond-horizon", "error",
         "A time point anchored in the protocol falls after the study's end (horizon), so it can never be assessed.",
         "Extend the horizon, or move or drop the time point."),
    Rule("SCH113", "outcome-without-assessment", "error",
         "Every outcome needs a time frame and an assessment that measures it.",
         "List the assessments that serve the outcome (existing assessment ids) and its time frame."),
    Rule("SCH114", "cycle-count-mismatch", "error",
         "The number or length of cycles disagrees with the source text (\"3 cycles of induction\").",
         "Make `cycles`/`cycle_length` match the record, or correct the quoted text."),
    Rule("SCH115", "dlt-window-coverage", "error",
         "The DLT assessments must cover the escalation's DLT window exactly: the last one falls on the window's last "
         "day after the infusion. Ending earlier leaves DLTs unobserved; ending later keeps the next cohort waiting "
         "on a window the rule does not use.",
         "End the DLT assessments at the infusion plus `escalation.dlt_window`, or correct the window."),
    Rule("SCH116", "branch-before-decision", "error",
         "What follows a branch of a decision is planned before the decision is taken: no patient can be on the "
         "branch yet.",
         "Place the branch's phases and assessments after the decision (`after: <decision id>`), or take the "
         "decision earlier."),
    Rule("SCH117", "assessment-plans-nothing", "error",
         "An assessment plans no visit: its series ends (`until`) before it starts (`from`), or every time point "
         "lies past the study horizon. The data it stands for would never be collected.",
         "Correct `from`/`until` or the time points, or drop the assessment."),
    Rule("SCH118", "assessment-long-before-day-1", "error",
         "An assessment falls more than two years before study day 1: an anchor or offset with the wrong sign or "
         "unit (-49y for +49d).",
         "Check the sign and the unit of the assessment's offsets."),
    Rule("SCH150", "out-of-window", "error",
         "An actual visit, dose or procedure date lies outside its window around the (re-anchored) target.",
         "Record the deviation; check the date entered.", "patient"),
    Rule("SCH151", "dose-on-non-dosing-day", "error",
         "A dose was given on a day that is not a dosing day of its agent in that cycle.",
         "Record the deviation; check the date and event entered.", "patient"),
    Rule("SCH152", "out-of-order", "error",
         "An actual date comes before an event it must follow.",
         "Check both dates; record the deviation.", "patient"),
    Rule("SCH153", "missed", "error",
         "A planned visit was missed, or its window closed without a record.",
         "Record the visit's date, or mark it missed and record the deviation.", "patient"),
    Rule("SCH154", "dose-too-close", "error",
         "Two actual doses of one agent are closer than its minimum interval.",
         "Record the deviation; check the dates.", "patient"),
    Rule("SCH201", "plan-needs-window", "warning",
         "The planned dates break a rule that only moving visits inside their windows would meet.",
         "Change the planned offsets so that the plan itself meets the rule."),
    Rule("SCH202", "overlapping-windows", "warning",
         "Windows of consecutive visits of one schedule overlap, so a visit on a shared day is ambiguous.",
         "Narrow the windows or space the visits further apart."),
    Rule("SCH203", "window-crosses-phase", "warning",
         "A visit's window reaches into the neighbouring phase.",
         "Narrow the window, or widen the gap between the phases."),
    Rule("SCH204", "undeclared-convention", "warning",
         "Months or years are used but `conventions.month`/`year` do not say what they mean (28 d, 30 d, calendar).",
         "Declare `conventions: {month: ..., year: ...}`."),
    Rule("SCH205", "assessment-without-outcome", "warning",
         "An assessment that no outcome lists collects data that no endpoint uses.",
         "List it under the outcome it serves, or drop it."),
    Rule("SCH206", "closed-day-no-room", "warning",
         "For the protocol's fixed start weekday, a clinic visit falls on a closed day and its window leaves no "
         "open day to move to.",
         "Give the visit a window, move it, or choose another start weekday."),
    Rule("SCH207", "time-points-unordered", "warning",
         "A list of time points should give distinct dates in the order written.",
         "Reorder or correct the time points."),
    Rule("SCH208", "calendar-conflict", "warning",
         "A visit on a closed day has open days inside its window, but moving it to any of them would break a protocol "
         "constraint (an agent's minimum interval, a declared gap, the order of events): the calendar keeps it where "
         "the constraints allow and flags it.",
         "Widen the window of the visit or of its neighbours, fix the start weekday, or shift whole cycles "
         "(`clinic.shift: cycle`)."),
    Rule("SCH209", "key-procedure-on-closed-day", "warning",
         "A leukapheresis, lymphodepletion, CAR-T or stem-cell infusion or conditioning falls on a weekend or holiday "
         "for the start checked: inpatient steps do not move, so staff, beds and the cell-therapy lab must be there.",
         "Confirm the site can do it that day, or move the start date (or the block's day 0)."),
    Rule("SCH210", "source-record-missing", "warning",
         "`source.seed` names a source record that is not there (a protocol copied without it, or a moved record), so "
         "nothing the protocol quotes can be traced back to the record.",
         "Copy the record beside the protocol and correct the path, or drop `source.seed`."),
    Rule("SCH250", "skipped-cycle", "warning",
         "A cycle was skipped; later cycles keep their numbers.",
         "Confirm the skip is permitted by the protocol and documented.", "patient"),
    Rule("SCH251", "unplanned-visit", "warning",
         "A visit was recorded that the protocol does not plan.",
         "Confirm it was an unscheduled visit, or correct the event id.", "patient"),
    Rule("SCH301", "closed-day-moves", "info",
         "For the fixed start weekday, these clinic visits fall on a closed day and move inside their window.",
         "Nothing to fix; change the start weekday to avoid the moves."),
    Rule("SCH302", "assumptions", "info",
         "Values the source record does not state are marked as assumed; a reviewer should confirm them.",
         "Confirm each assumption with the sponsor, or replace it with the stated value."),
    Rule("SCH303", "window-bounded", "info",
         "A window opens before its phase starts (a boundary the protocol fixes, such as maintenance from ASCT day "
         "+100, or study day 1) or closes after the study horizon: calendars and checks use the part inside.",
         "Narrow the window on that side if the bounded window is not what the protocol means."),
    Rule("SCH304", "partial-cycle", "info",
         "Cycles repeated until an end point leave a last cycle cut short by it; `partial_cycle` says whether it is "
         "dropped (the default) or kept up to the end point.",
         "Set `partial_cycle: keep` on the phase to keep a cut-short last cycle."),
    Rule("SCH305", "open-ended-treatment", "info",
         "Treatment given until progression or unacceptable toxicity (`stops_on`) is planned to its bound (`up_to`, "
         "`max_cycles`): calendars and forecasts show the longest course, which a patient who stops early never "
         "reaches.",
         "State the bound the record gives ('up to 2 years', 'up to 26 cycles'), marked `assumed` when it does not."),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
#: Rules found while compiling: the protocol has no timeline until they are fixed, so they cannot be disabled.
ALWAYS_ON = frozenset({"SCH102", "SCH103", "SCH104", "SCH105"})


def rules_markdown() -> str:
    """The catalogue as a Markdown table (``docs/rules.md`` is this text)."""
    lines = ["# schedsim check rules", "",
             "Generated by `schedsim rules --format md`. Disable a rule in a protocol with a reason:",
             "`checks: {disable: {SCH205: \"reason\"}}`.", "",
             "| id | name | severity | applies to | why | fix |", "|---|---|---|---|---|---|"]
    for rule in _RULES:
        lines.append(f"| {rule.id} | {rule.name} | {rule.severity} | {rule.scope} | {rule.rationale} | {rule.fix} |")
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    """The catalogue as plain text, one rule per paragraph."""
    blocks = [f"{rule.id} {rule.name} ({rule.severity}, {rule.scope})\n  why: {rule.rationale}\n  fix: {rule.fix}"
              for rule in _RULES]
    return "\n".join(blocks) + "\n"
