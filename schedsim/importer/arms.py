"""The arms of a draft protocol: the record's arm groups (ClinicalTrials.gov JSON), or for a record in the text layout
the comparison its title or interventions name ("Venetoclax ... Versus Best Supportive Care", "OTHER: Conventional
Care"). The draft cannot tell which phase belongs to which arm: every phase is every arm's, with a TODO.

>>> [a.id for a in arms_from_text("Drug X Versus Placebo", ["DRUG: Drug X", "DRUG: Placebo"])]
['drug_x', 'placebo']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPARATOR = re.compile(r"placebo|standard of care|best supportive care|conventional care|usual care|observation|"
                         r"\bsoc\b|\bbsc\b|\bcontrol\b", re.IGNORECASE)
_VERSUS = re.compile(r"\bversus\b|\bvs\.?(?=\s)|\bcompared (?:to|with)\b|\bcomparing\b", re.IGNORECASE)
_TYPES = {"EXPERIMENTAL": "Experimental arm", "ACTIVE_COMPARATOR": "Active comparator",
          "PLACEBO_COMPARATOR": "Placebo comparator", "SHAM_COMPARATOR": "Sham comparator",
          "NO_INTERVENTION": "No intervention", "OTHER": "Other arm"}


@dataclass(frozen=True, slots=True)
class DraftArm:
    """One arm of the draft: its id, the record's words for it and its role (experimental, comparator)."""

    id: str
    label: str
    description: str


def draft_arms(title: str, interventions: list[str], groups: list[tuple[str, str]]) -> list[DraftArm]:
    """The arms of a record: its arm groups when it has two or more, else the comparison in its words."""
    if len(groups) >= 2:
        return _unique([DraftArm(_slug(label), label, _TYPES.get(kind.upper(), "Arm")) for label, kind in groups])
    return arms_from_text(title, interventions)


def arms_from_text(title: str, interventions: list[str]) -> list[DraftArm]:
    """Two arms when the title compares ("X Versus Y") or an intervention is a comparator (placebo, standard of
    care); none otherwise."""
    names = [item.split(":", 1)[-1].strip() for item in interventions]
    comparators = [n for n in names if _COMPARATOR.search(n)]
    versus = _VERSUS.search(title)
    if comparators and len(comparators) < len(names):
        experimental = " + ".join(n for n in names if n not in comparators)
        return _unique([DraftArm(_slug(experimental), experimental, "Experimental arm"),
                        *[DraftArm(_slug(n), n, "Comparator") for n in comparators]])
    comparing = re.match(r"^(?:a |the )?(?:study |trial )?comparing (.+?) (?:to|with|versus|vs\.?|and) (.+)$", title,
                         re.IGNORECASE)
    if comparing:
        after = re.split(r"\b(?:for|in|among)\b", comparing[2], maxsplit=1)[0].strip() or comparing[2]
        return _unique([DraftArm(_slug(comparing[1]), comparing[1], "Experimental arm"),
                        DraftArm(_slug(after), after, "Comparator")])
    if versus:
        before, after = title[:versus.start()].strip(" ,:-"), title[versus.end():].strip(" ,:-")
        after = re.split(r"\b(?:for|in|as|among|with)\b", after, maxsplit=1)[0].strip() or after
        before = re.sub(r"^(?:a |the )?(?:study |trial )?(?:of |comparing |evaluating )?", "", before,
                        flags=re.IGNORECASE) or before
        if before and after:
            return _unique([DraftArm(_slug(before), before, "Experimental arm"),
                            DraftArm(_slug(after), after, "Comparator")])
    return []


def _slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    kept = [word for index, word in enumerate(words) if len("_".join(words[:index + 1])) <= 32] or words[:1]
    slug = "_".join(kept)[:32] or "arm"  # whole words, short enough to type in --arm
    return slug if slug[0].isalpha() else f"arm_{slug}"


def _unique(arms: list[DraftArm]) -> list[DraftArm]:
    seen: dict[str, int] = {}
    out = []
    for arm in arms:
        seen[arm.id] = seen.get(arm.id, 0) + 1
        out.append(arm if seen[arm.id] == 1 else DraftArm(f"{arm.id}_{seen[arm.id]}", arm.label, arm.description))
    return out
