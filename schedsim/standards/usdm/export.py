"""A protocol as a CDISC USDM v4.0 study (the ``Wrapper`` of the DDF API: ``{"study": ..., "usdmVersion": "4.0.0"}``).

Study → StudyVersion → InterventionalStudyDesign with arms, epochs (one per phase, and follow-up), elements (one per
phase), cells (arm × epoch), encounters (one per visit day), activities, and schedule timelines. The main timeline is
the first arm's path: one ScheduledActivityInstance per visit day, each timed from the event its protocol anchor
names when that is a visit (``After P2W`` from it), else from study day 1 (the Fixed Reference anchor); windows as
non-negative ISO 8601 durations. USDM has no cycle construct: a cycles phase is one instance per cycle on the main
timeline, each referring to a sub-timeline of that cycle's days (cycles with the same days share one). Decisions are
ScheduledDecisionInstances whose condition assignments lead to each branch's timeline; the other arms' and branches'
paths are timelines of their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Timeline
from schedsim.standards.usdm.codes import (
    ARM_TYPE,
    DATA_ORIGIN,
    MODEL,
    REGISTRY_ORGANIZATION,
    SPONSOR_ORGANIZATION,
    STUDY_TYPE,
    TITLE_TYPE,
    Ids,
)
from schedsim.standards.usdm.timelines import TimelineBuilder
from schedsim.version import __version__

USDM_VERSION = "4.0.0"


def usdm_for(path: str | Path) -> dict[str, Any]:
    """The USDM v4.0 document of a protocol file: every arm, and every decision's branches, as timelines."""
    main = compile_file(path)
    paths: list[tuple[str, Timeline]] = [("", main)]
    for arm, _label in main.design.arms[1:]:
        paths.append((f"arm {arm}", compile_file(path, arm=arm)))
    for decision in main.design.decisions:
        for branch, _label in decision.branches:
            if branch != decision.branch:
                chosen = {decision.id: branch}
                paths.append((f"{decision.id}={branch}", compile_file(path, arm=None, branches=chosen)))
    return build_usdm(main, paths[1:])


def build_usdm(main: Timeline, others: list[tuple[str, Timeline]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    ids = Ids()
    design: dict[str, Any] = {
        "id": ids.next("InterventionalStudyDesign"), "extensionAttributes": [], "name": main.protocol_id,
        "label": main.title, "description": f"Study design of {main.protocol_id}", "studyType": ids.code(STUDY_TYPE),
        "studyPhase": None, "therapeuticAreas": [], "characteristics": [], "encounters": [], "activities": [],
        "arms": [], "studyCells": [], "rationale": "Schedule exported by schedsim from the protocol file.",
        "epochs": [], "elements": [], "estimands": [], "indications": [], "studyInterventionIds": [],
        "objectives": [], "population": _population(ids), "scheduleTimelines": [], "biospecimenRetentions": [],
        "documentVersionIds": [], "eligibilityCriteria": [], "analysisPopulations": [], "notes": [],
        "subTypes": [], "model": ids.code(MODEL["parallel" if len(main.design.arms) > 1 else "single"]),
        "intentTypes": [], "blindingSchema": None, "instanceType": "InterventionalStudyDesign"}
    builder = TimelineBuilder(ids, design)
    epochs = builder.epochs_for([main, *(timeline for _, timeline in others)])
    arms = main.design.arms or (("treatment", "Treatment"),)
    for arm, label in arms:
        words = f"{arm} {label}".lower()
        kind = ("placebo" if "placebo" in words else "comparator" if re.search(
            r"comparator|standard of care|\bsoc\b|control|best supportive", words) else "experimental")

        design["arms"].append({
            "id": ids.next("StudyArm"), "extensionAttributes": [], "name": arm, "label": label,
            "description": label, "type": ids.code(ARM_TYPE[kind]),
            "dataOriginDescription": "Data collected in the study", "dataOriginType": ids.code(DATA_ORIGIN),
            "populationIds": [], "notes": [], "instanceType": "StudyArm"})
    main_timeline = builder.timeline(main, "Main Timeline", main=True)
    for label, timeline in others:
        branch = label.split("=", 1) if "=" in label else None
        builder.timeline(timeline, f"Timeline: {label}", main=False, branch=tuple(branch) if branch else None)
    builder.link_decisions(main_timeline)
    phases_by_arm = {arm: {p.id for p in (t.phases)} for arm, t in
                     [(arms[0][0], main), *((t.design.arm, t) for _, t in others if t.design.arm)]}
    for arm_instance in design["arms"]:
        on_path = phases_by_arm.get(arm_instance["name"], {p.id for p in main.phases})
        for phase, epoch in epochs.items():
            elements = [builder.elements[phase]] if phase in builder.elements and phase in on_path else []
            if phase == "" or elements:
                design["studyCells"].append({
                    "id": ids.next("StudyCell"), "extensionAttributes": [], "armId": arm_instance["id"],
                    "epochId": epoch, "elementIds": elements or [builder.follow_up_element()],
                    "instanceType": "StudyCell"})
    return _wrap(main, design, ids)


def _population(ids: Ids) -> dict[str, Any]:
    return {"id": ids.next("StudyDesignPopulation"), "extensionAttributes": [], "name": "POP1", "label": "",
            "description": "The protocol's population (not described in schedsim protocols)",
            "includesHealthySubjects": False, "plannedEnrollmentNumber": None, "plannedCompletionNumber": None,
            "plannedSex": [], "criterionIds": [], "plannedAge": None, "notes": [], "cohorts": [],
            "instanceType": "StudyDesignPopulation"}


def _wrap(main: Timeline, design: dict[str, Any], ids: Ids) -> dict[str, Any]:
    sponsor = {"id": ids.next("Organization"), "extensionAttributes": [], "name": "Sponsor",
               "label": "Sponsor (not stated in the protocol file)", "type": ids.code(SPONSOR_ORGANIZATION),
               "identifierScheme": "schedsim", "identifier": main.protocol_id, "legalAddress": None,
               "managedSites": [], "instanceType": "Organization"}
    registry = {"id": ids.next("Organization"), "extensionAttributes": [], "name": "schedsim",
                "label": "schedsim protocol files", "type": ids.code(REGISTRY_ORGANIZATION),
                "identifierScheme": "schedsim", "identifier": "schedsim", "legalAddress": None,
                "managedSites": [], "instanceType": "Organization"}
    version = {
        "id": ids.next("StudyVersion"), "extensionAttributes": [], "versionIdentifier": "1",
        "rationale": "Exported from a schedsim protocol", "documentVersionIds": [], "dateValues": [],
        "amendments": [], "businessTherapeuticAreas": [],
        "studyIdentifiers": [{"id": ids.next("StudyIdentifier"), "extensionAttributes": [],
                              "text": main.protocol_id, "scopeId": registry["id"], "instanceType": "StudyIdentifier"}],
        "referenceIdentifiers": [], "studyDesigns": [design],
        "titles": [{"id": ids.next("StudyTitle"), "extensionAttributes": [], "text": main.title,
                    "type": ids.code(TITLE_TYPE), "instanceType": "StudyTitle"}],
        "eligibilityCriterionItems": [], "narrativeContentItems": [], "abbreviations": [], "roles": [],
        "organizations": [sponsor, registry], "studyInterventions": [], "administrableProducts": [],
        "medicalDevices": [], "productOrganizationRoles": [], "biomedicalConcepts": [], "bcCategories": [],
        "bcSurrogates": [], "dictionaries": [], "conditions": [], "notes": [], "instanceType": "StudyVersion"}
    study = {"id": ids.next("Study"), "extensionAttributes": [], "name": main.protocol_id, "description": main.title,
             "label": main.title, "versions": [version], "documentedBy": [], "instanceType": "Study"}
    return {"study": study, "usdmVersion": USDM_VERSION, "systemName": "schedsim", "systemVersion": __version__}

