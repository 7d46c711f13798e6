"""The Schedule of Activities: activities as rows (grouped: eligibility, treatment, efficacy, safety, PK and
biomarkers), visits as columns with study day, target date and window; repeated cycles compressed into column
groups ("C1–C3: D1 D4 D8 D11"), daily runs into one column; footnotes for windows, paths and assumptions.

``build_soa`` makes the table (``model``, rows grouped by ``groups``); ``render_soa`` (``output``) writes it as text,
Markdown, CSV, Excel (``render``) or HTML (``html``), with the header rows and footnotes of ``rows``.
"""

from schedsim.standards.soa.model import SoA, build_soa, soa_for
from schedsim.standards.soa.output import SOA_SUFFIXES, render_soa

__all__ = ["SOA_SUFFIXES", "SoA", "build_soa", "render_soa", "soa_for"]
