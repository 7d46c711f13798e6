"""The engine: a timeline realised for one subject, in study days, and the dates of those days.

``subject`` runs a timeline in simpy (deterministic mode equals the IR's nominal offsets) and emits flat event
records; ``dates`` turns study days into dates (months, day-0 rules); ``schedule`` builds a patient schedule (the
``timeline`` contract); ``render`` writes it as JSON, CSV and a table; ``explain`` tells the chain behind a date;
``sampling`` holds named random streams and duration distributions for the stochastic stages.

May import: ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: the job stages (calendar, check, simulation, escalation, importer), plots or the CLI.
"""
