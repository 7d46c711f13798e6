"""The SoA in the format asked for, by name or by the output file's extension.

>>> sorted(set(SOA_SUFFIXES.values()))
['csv', 'html', 'markdown', 'text', 'xlsx']
"""

from __future__ import annotations

from schedsim.standards.soa.html import to_html
from schedsim.standards.soa.model import SoA
from schedsim.standards.soa.render import to_csv, to_markdown, to_text, to_xlsx

#: Output formats of the SoA, by file extension.
SOA_SUFFIXES = {".txt": "text", ".md": "markdown", ".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


def render_soa(soa: SoA, fmt: str = "text", bom: bool = False) -> str | bytes:
    """The SoA in one format: ``text``, ``markdown``, ``csv``, ``xlsx`` (bytes) or ``html``."""
    if fmt == "xlsx":
        return to_xlsx(soa)
    if fmt == "html":
        return to_html(soa)
    return {"text": to_text, "markdown": to_markdown, "csv": lambda s: to_csv(s, bom)}[fmt](soa)
