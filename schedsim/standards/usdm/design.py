"""The parts of a USDM study design that its schedule timelines share: activities, epochs and elements."""

from __future__ import annotations

from typing import Any

from schedsim.compile.ir import Timeline
from schedsim.standards.usdm.codes import EPOCH_TYPE, Ids


class DesignParts:
    """The design-level parts the timelines share: activities, epochs (one per phase, then follow-up) and elements."""

    def __init__(self, ids: Ids, design: dict[str, Any]) -> None:
        self.ids, self.design = ids, design
        self.activities: dict[str, str] = {}
        self.epochs: dict[str, str] = {}
        self.elements: dict[str, str] = {}
        self._follow_up_element: str | None = None
        self.pending: list[tuple[dict[str, Any], str, str]] = []  # (decision instance, decision, default branch)
        self.entries: dict[tuple[str, str], str] = {}  # (decision, branch) → the branch timeline's entry
        self.windows: dict[str, tuple[int, int]] = {}  # instance → (days before, days after) its target
        self.decision_times: dict[str, int] = {}  # decision → its day (days from study day 1)
        self.anchor_times: dict[str, int] = {}  # timeline → its anchor's day

    # --- design-level parts -------------------------------------------------------------------------------------

    def epochs_for(self, timelines: list[Timeline]) -> dict[str, str]:
        """One epoch (and element) per phase of any path, in the order the phases start, then follow-up."""
        from schedsim.engine.schedule import build_schedule

        starts: dict[str, tuple[int, int, Any]] = {}
        for timeline in timelines:
            for order, phase in enumerate(build_schedule(timeline).phases):
                starts.setdefault(phase.info.id, (phase.start_t, order, phase.info))
        previous = None
        for info in [*(item[2] for item in sorted(starts.values(), key=lambda v: (v[0], v[1]))), None]:
            key, label = (info.id, info.label) if info is not None else ("", "Follow-up")
            kind = "follow-up" if info is None else "treatment"
            epoch = {"id": self.ids.next("StudyEpoch"), "extensionAttributes": [], "name": key or "follow_up",
                     "label": label, "description": label, "type": self.ids.code(EPOCH_TYPE[kind]),
                     "previousId": previous, "nextId": None, "notes": [], "instanceType": "StudyEpoch"}
            if previous is not None:
                self.design["epochs"][-1]["nextId"] = epoch["id"]
            self.design["epochs"].append(epoch)
            self.epochs[key] = previous = epoch["id"]
            if info is not None:
                self.elements[key] = self._element(key, label)
        return self.epochs

    def _element(self, name: str, label: str) -> str:
        element = {"id": self.ids.next("StudyElement"), "extensionAttributes": [], "name": name, "label": label,
                   "description": label, "transitionStartRule": None, "transitionEndRule": None,
                   "studyInterventionIds": [], "notes": [], "instanceType": "StudyElement"}
        self.design["elements"].append(element)
        return element["id"]

    def follow_up_element(self) -> str:
        if self._follow_up_element is None:
            self._follow_up_element = self._element("follow_up", "Follow-up")
        return self._follow_up_element

    def activity(self, name: str) -> str:
        if name not in self.activities:
            ident = self.ids.next("Activity")
            previous = self.design["activities"][-1] if self.design["activities"] else None
            self.design["activities"].append({
                "id": ident, "extensionAttributes": [], "name": name, "label": name, "description": name,
                "previousId": previous["id"] if previous else None, "nextId": None, "childIds": [],
                "definedProcedures": [], "biomedicalConceptIds": [], "bcCategoryIds": [], "bcSurrogateIds": [],
                "timelineId": None, "notes": [], "instanceType": "Activity"})
            if previous is not None:
                previous["nextId"] = ident
            self.activities[name] = ident
        return self.activities[name]
