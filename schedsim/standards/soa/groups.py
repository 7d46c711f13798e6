"""Which group of the Schedule of Activities an activity is listed under, from its words and its event's kind.

>>> group_of("CAR-T copies in blood (qPCR)", "assessment"), group_of("Informed consent", "procedure")
('pk', 'eligibility')
"""

from __future__ import annotations

import re

#: The row groups in the order a protocol's SoA lists them.
GROUPS = ("eligibility", "treatment", "efficacy", "safety", "pk")
TITLES = {"eligibility": "Eligibility", "treatment": "Treatment", "efficacy": "Efficacy", "safety": "Safety",
          "pk": "PK and biomarkers"}

_WORDS = (
    ("eligibility", r"consent|eligib|screening|inclusion|exclusion|medical history|demograph|pregnancy test|"
                    r"hla typ|registration|enrol|infectious|serolog|viral marker|randomi[sz]|genotyp"),
    ("pk", r"\bpk\b|pharmacokinetic|car[- ]?t (?:cell )?copies|car[- ]?t cells|qpcr|persistence|cytokine|\bil-?6\b|"
           r"biomarker|plasma specimen|serum specimen|"
           r"ctdna|immunophenotyp|concentration|\bcmax\b|trough|anti-?drug|\bada\b|expansion|vector"),
    ("efficacy", r"response|\bmrd\b|minimal residual|measurable residual|\bpet\b|bone marrow|imwg|progression|"
                 r"survival|remission|disease (?:assessment|status)|m-?protein|free light|\bflc\b|imaging|efficacy|"
                 r"relapse|adas|cibic|\bnpi\b|\bdad\b|cognitive|quality of life|\bqol\b|questionnaire|"
                 r"patient[- ]reported"),
    ("safety", r"adverse|\b(?:te)?aes?\b|ctcae|safety|toxicit|\bdlt\b|\bcrs\b|icans|\bcbc\b|blood count|chemistry|"
               r"vital|weight|\becg\b|echocard|physical exam|laborator|monitoring|neurolog|follow-up|hospital|"
               r"engraftment|"
               r"gvhd|infection"),
    ("treatment", r"dispens|infusion|apheresis|conditioning|lymphodeplet|transplant|stem[- ]cell|bridging|"
                  r"mobili[sz]ation|collection|dose|treatment"),
)
_PATTERNS = tuple((group, re.compile(words, re.IGNORECASE)) for group, words in _WORDS)
_BY_KIND = {"dose": "treatment", "procedure": "treatment", "assessment": "efficacy", "visit": "safety"}


def group_of(name: str, kind: str) -> str:
    """The group of an activity named ``name`` done at an event of ``kind``."""
    for group, pattern in _PATTERNS:
        if pattern.search(name):
            return group
    return _BY_KIND.get(kind, "safety")
