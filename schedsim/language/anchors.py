"""Anchor expressions: an event id plus signed durations, e.g. ``cart1.infusion + 1mo``.

>>> AnchorExpr.parse("asct.transplant + 100d")
AnchorExpr(ref='asct.transplant', terms=(Duration(amount=100, unit='d'),))
>>> str(AnchorExpr.parse("cart1.infusion+1mo -2d"))
'cart1.infusion + 1mo - 2d'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.language.durations import Duration

_REF = re.compile(r"\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_][a-z0-9_-]*)*)")
_TERM = re.compile(r"\s*([+-])\s*(\d+\s*[a-z]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AnchorExpr:
    """``ref`` is an event id; ``terms`` are added to its time, in order."""

    ref: str
    terms: tuple[Duration, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AnchorExpr:
        if not isinstance(text, str):
            raise ValueError(f"expected an anchor such as 'induction.end' or 'cart1.infusion + 1mo', got {text!r}")
        match = _REF.match(text)
        if not match:
            raise ValueError(f"expected an anchor such as 'induction.end' or 'cart1.infusion + 1mo', got {text!r}")
        ref, position, terms = match.group(1), match.end(), []
        while position < len(text.rstrip()):
            term = _TERM.match(text, position)
            if not term:
                rest = text[position:].strip()
                raise ValueError(f"cannot read {rest!r} in anchor {text!r}: write e.g. 'x.end + 14d' or 'x - 2d'")
            duration = Duration.parse(term.group(2))
            terms.append(Duration(-duration.amount, duration.unit) if term.group(1) == "-" else duration)
            position = term.end()
        return cls(ref, tuple(terms))

    def __str__(self) -> str:
        parts = [self.ref]
        for term in self.terms:
            parts.append(f"{'-' if term.amount < 0 else '+'} {abs(term.amount)}{term.unit}")
        return " ".join(parts)


def parse_event_ref(text: str) -> str:
    """A bare event id (no offset), as used by ``after:``."""
    expr = AnchorExpr.parse(text)
    if expr.terms:
        raise ValueError(f"'after' takes an event id without an offset (use 'gap' for the rest), got {text!r}")
    return expr.ref
