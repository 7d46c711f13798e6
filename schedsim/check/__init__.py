"""Checks: a protocol linter with proofs, and deviations of patients from their calendars.

``checker`` runs every rule on protocol files; ``network`` builds the simple temporal network and finds conflicts
(``stn``: negative cycles, each a minimal explanation); ``links`` states what the timing rules demand as network
links; ``structure`` holds the rules on structure and planned days; ``findings`` is the report; ``deviations``
checks a patient's actual dates (or a roster) against the calendar.

May import: ``schedsim.engine``, ``schedsim.compile``, ``schedsim.language``, the shared modules, and
``schedsim.calendar`` from ``deviations`` only (patient deviations are measured against the patient calendar; the
one exception to the independence of the job stages, declared in the import-linter contract).
Must not import: simulation, escalation, importer, plots or the CLI.
"""
