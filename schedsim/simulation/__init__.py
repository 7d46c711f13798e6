"""Cohort simulation: many patients, delays, dropouts and shared resources, in simpy.

``run`` is the Python API (``simulate``, ``SimulationResult``); ``parameters`` resolves a scenario against the
timeline; ``engine`` and ``patient`` are the cohort engine (one simpy process per patient); ``state`` is what the
patients of one replicate share; ``resources`` are slots and queues; ``records`` the flat record table;
``summary`` the forecasts; ``outputs`` writes ``events.csv`` and ``summary.json``.

May import: ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: the other job stages (calendar, check, escalation, importer), plots or the CLI. The cohort plots
of a simulation are drawn by ``schedsim.plots.simulation``.
"""
