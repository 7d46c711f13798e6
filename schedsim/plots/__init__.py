"""Plots: Gantt charts, cohort swimmer and visit-load plots, the escalation Gantt (matplotlib).

``style`` is what every plot shares (palette, axes, labels, saving); ``gantt_data`` and ``cohort_data`` turn
schedules, calendars and rosters into plain rows and lanes; ``gantt``, ``cohort`` and ``escalation`` draw them;
``charts`` are the entry points that read inputs and write image files; ``simulation`` writes a simulation output
folder with its cohort plots.

Only plotting code imports matplotlib: nothing below this stage may import it, so the CLI stays fast.

The entry points are also importable from the package: ``schedsim.plots.protocol_gantt`` and the others.

May import: every job stage (calendar, check, simulation, escalation, importer), the engine, compile, language and
the shared modules.
Must not import: the CLI.
"""

from schedsim.plots.charts import patient_gantt, protocol_gantt, roster_swimmer, roster_visit_load

__all__ = ["patient_gantt", "protocol_gantt", "roster_swimmer", "roster_visit_load"]
