"""Plots: Gantt charts, cohort swimmer and visit-load plots, the escalation Gantt (matplotlib).

``style`` is what every plot shares (palette, axes, labels, saving); ``gantt_data`` and ``cohort_data`` turn
schedules, calendars and rosters into plain rows and lanes; ``gantt``, ``cohort`` and ``escalation`` draw them;
``charts`` are the entry points that read inputs and write image files; ``simulation`` writes a simulation output
folder with its cohort plots.

Only plotting code imports matplotlib: nothing below this stage may import it, so the CLI stays fast.

May import: every job stage (calendar, check, simulation, escalation, importer), the engine, compile, language and
the shared modules.
Must not import: the CLI.
"""
