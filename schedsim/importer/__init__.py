"""Import: a registry record (ClinicalTrials.gov text layout or JSON API v2) becomes a draft protocol.

``record`` reads the record; ``timeframe`` reads outcome time frames into symbolic time points; ``phases``
recognises treatment phases and picks bundled blocks; ``points`` turns time points into draft anchors; ``writer``
writes the draft YAML; ``draft`` ties it together (``import_record``) and validates the draft; ``report`` tells what
each time frame was read as.

``import_record`` is importable from the package (``schedsim.importer.import_record``).

May import: ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: the other job stages (calendar, check, simulation, escalation), plots or the CLI.
"""

from schedsim.importer.draft import import_record

__all__ = ["import_record"]
