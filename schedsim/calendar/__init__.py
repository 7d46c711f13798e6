"""Calendars: a patient schedule on real clinic days, re-anchored on what actually happened.

``clinic`` knows open days, holidays and closures; ``actuals`` reads and resolves recorded dates; ``patient``
builds one patient calendar; ``roster`` does it for every patient of a roster and finds visits due; ``output``
picks a format; ``export`` (CSV, JSON, table, Markdown), ``ics`` and ``html`` write them.

May import: ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: the other job stages (check, simulation, escalation, importer), plots or the CLI.
"""
