"""The CDISC controlled terms a USDM v4.0 study design uses here (C-codes as in the CDISC pilot study of the USDM
release, code system http://www.cdisc.org, version 2024-09-27), and the ids and Code objects built from them.

>>> Ids().next("StudyArm"), Ids().next("StudyArm")
('StudyArm_1', 'StudyArm_1')
"""

from __future__ import annotations

from typing import Any

CDISC = "http://www.cdisc.org"
CDISC_VERSION = "2024-09-27"

#: (code, decode) by what they code.
TIMING_TYPE = {"before": ("C201357", "Before"), "after": ("C201356", "After"),
               "fixed": ("C201358", "Fixed Reference")}
START_TO_START = ("C201355", "Start to Start")
ENCOUNTER_VISIT = ("C25716", "Visit")
EPOCH_TYPE = {"screening": ("C202487", "Screening Epoch"), "treatment": ("C101526", "Treatment Epoch"),
              "follow-up": ("C202578", "Follow-Up Epoch")}
ARM_TYPE = {"experimental": ("C174266", "Investigational Arm"), "comparator": ("C174267", "Active Comparator Arm"),
            "placebo": ("C174268", "Placebo Control Arm")}
DATA_ORIGIN = ("C188866", "Data Generated Within Study")
STUDY_TYPE = ("C98388", "Interventional Study")
MODEL = {"single": ("C82640", "Single Group Study"), "parallel": ("C82639", "Parallel Study")}
TITLE_TYPE = ("C99905x2", "Official Study Title")
SPONSOR_ORGANIZATION = ("C70793", "Clinical Study Sponsor")
REGISTRY_ORGANIZATION = ("C93453", "Study Registry")
ENVIRONMENT = {"clinic": ("C51282", "Clinic")}
IN_PERSON = ("C175574", "In Person")


class Ids:
    """Ids of USDM instances, numbered per class in the order they are made (``Timing_1``, ``Timing_2``)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}_{self.counts[kind]}"

    def code(self, term: tuple[str, str]) -> dict[str, Any]:
        """A ``Code`` instance for a (code, decode) pair of CDISC controlled terminology."""
        return {"id": self.next("Code"), "extensionAttributes": [], "code": term[0], "codeSystem": CDISC,
                "codeSystemVersion": CDISC_VERSION, "decode": term[1], "instanceType": "Code"}


def iso_days(days: int) -> str:
    """A non-negative number of days as an ISO 8601 duration, in weeks when it is a whole number of them.

    >>> iso_days(14), iso_days(3), iso_days(0)
    ('P2W', 'P3D', 'P0D')
    """
    days = abs(days)
    return f"P{days // 7}W" if days and days % 7 == 0 else f"P{days}D"


def days_of_iso(text: str) -> int:
    """Days of an ISO 8601 duration in days or weeks (``P2W`` → 14); hours round to whole days (``PT4H`` → 0).

    >>> days_of_iso("P2W"), days_of_iso("P3D"), days_of_iso("PT4H"), days_of_iso("P1W2D")
    (14, 3, 0, 9)
    """
    import re

    found = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?",
                         text.strip())
    if found is None:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    years, months, weeks, days, hours = (int(g or 0) for g in found.groups()[:5])
    return years * 365 + months * 30 + weeks * 7 + days + hours // 24
