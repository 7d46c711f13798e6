"""Dose escalation: the i3+3 rule (Liu, Wang & Ji 2020) and the escalation phase simulated in calendar time.

``rule`` is the decision rule and its table; ``simulation`` runs cohorts through the rule as patients arrive, gated
by the DLT windows, in simpy.

``decide`` and ``decision_table`` are importable from the package (``schedsim.escalation.decide``).

May import: ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: the other job stages (calendar, check, simulation, importer), plots or the CLI.
"""

from schedsim.escalation.rule import decide, decision_table

__all__ = ["decide", "decision_table"]
