"""Checks: a protocol linter with proofs, and deviations of patients from their calendars.

``checker`` runs every rule on protocol files; ``network`` builds the protocol's simple temporal network and
finds its conflicts (``schedsim.compile.stn``: negative cycles, each a minimal explanation); ``links`` states what the
timing rules demand as network links; ``structure`` holds the rules on structure and planned days, ``calendars``
those that build calendars (clinic-day moves); ``findings`` is the report; ``deviations`` checks a patient's actual
dates (or a roster) against the calendar.

May import: ``schedsim.calendar`` (a patient's deviations and the clinic-day moves are measured on calendars, so
the checker sits above them), ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language`` and the shared modules.
Must not import: simulation, escalation, importer, plots or the CLI.
"""
