"""Decisions in USDM timelines: a ScheduledDecisionInstance whose condition assignments lead to each branch, the
other branches' schedules run by instances of the main timeline (see ``export``)."""

from __future__ import annotations

from typing import Any

from schedsim.standards.usdm.codes import TIMING_TYPE, iso_days


class DecisionParts:
    """Mixed into ``TimelineBuilder``: it has ``ids``, ``pending``, ``entries``, the times, and ``_timing``."""

    ids: Any
    pending: list[tuple[dict[str, Any], str, str]]
    entries: dict[tuple[str, str], str]
    decision_times: dict[str, int]
    anchor_times: dict[str, int]

    def _timing(self, kind: str, value: str, instance: str, ref: str) -> dict[str, Any]:
        raise NotImplementedError

    def _decision(self, decision: Any) -> dict[str, Any]:
        instance = {"id": self.ids.next("ScheduledDecisionInstance"), "extensionAttributes": [], "name": decision.id,
                    "label": decision.label, "description": decision.label, "defaultConditionId": None,
                    "epochId": None, "conditionAssignments": [], "instanceType": "ScheduledDecisionInstance"}
        for branch, label in decision.branches:
            instance["conditionAssignments"].append({
                "id": self.ids.next("ConditionAssignment"), "extensionAttributes": [],
                "condition": f"{decision.label}: {label}", "conditionTargetId": f"@{decision.id}={branch}",
                "instanceType": "ConditionAssignment"})
        self.pending.append((instance, decision.id, decision.branch))
        return instance

    def link_decisions(self, main_timeline: dict[str, Any]) -> None:
        """Point each decision's condition assignments at what its branch goes on to: the next instance of the main
        timeline for the default branch; for another branch, an instance of the main timeline that runs the branch's
        timeline (what follows the decision on that path) and ends the study."""
        anchor = next((t["relativeFromScheduledInstanceId"] for t in main_timeline["timings"]
                       if t["type"]["code"] == TIMING_TYPE["fixed"][0]), None)
        for instance, decision, default in self.pending:
            for assignment in instance["conditionAssignments"]:
                branch = assignment["conditionTargetId"].split("=", 1)[1]
                target = instance["defaultConditionId"]
                if branch != default and (decision, branch) in self.entries:
                    target = self._runner(main_timeline, decision, branch, anchor)
                assignment["conditionTargetId"] = target or main_timeline["entryId"]

    def _runner(self, main_timeline: dict[str, Any], decision: str, branch: str, anchor: str | None) -> str:
        runner = {"id": self.ids.next("ScheduledActivityInstance"), "extensionAttributes": [],
                  "name": f"{decision}.{branch}", "label": f"{decision}: {branch}",
                  "description": f"The schedule after decision {decision} on branch {branch}",
                  "defaultConditionId": None, "epochId": None, "timelineId": self.entries[(decision, branch)],
                  "timelineExitId": main_timeline["exits"][0]["id"], "activityIds": [], "encounterId": None,
                  "instanceType": "ScheduledActivityInstance"}
        main_timeline["instances"].append(runner)
        if anchor is not None:
            gap = self.decision_times.get(decision, 0) - self.anchor_times.get(main_timeline["id"], 0)
            main_timeline["timings"].append(self._timing("after" if gap >= 0 else "before", iso_days(gap),
                                                         runner["id"], anchor))
        return runner["id"]
