"""CDISC USDM v4.0: a protocol as a USDM study (``export``, its timelines in ``timelines``), a USDM study as a
protocol (``reader``), and the DDF conformance rules that bind a schedule (``rules``); codes and ids in ``codes``.
Models of our own, validated in the tests against the official API schema (the usdm3/usdm4 packages are GPL).
"""

from __future__ import annotations

import json
from pathlib import Path

from schedsim.standards.usdm.export import USDM_VERSION, build_usdm, usdm_for
from schedsim.standards.usdm.reader import UsdmImport, protocol_from_usdm
from schedsim.standards.usdm.rules import check_rules

__all__ = ["USDM_VERSION", "UsdmImport", "build_usdm", "check_rules", "protocol_from_usdm", "usdm_for", "usdm_json"]


def usdm_json(path: str | Path) -> str:
    """The USDM document of a protocol file as JSON text (indented, keys in model order)."""
    return json.dumps(usdm_for(path), indent=1, ensure_ascii=False) + "\n"
