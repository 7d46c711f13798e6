"""Compile: a validated protocol becomes the timeline IR, a network of events and constraints.

``compiler`` turns a protocol into a ``Timeline`` (``ir``: events with anchors, windows, provenance and
assumptions); ``cycles`` and ``blocks`` expand treatment cycles and procedure blocks (``phases``: what they share);
``context`` carries what compiling one protocol needs; ``graph`` works on the anchor network (unknown anchors,
circular references, order, nominal plan); ``windows`` bounds windows at phase starts and the horizon; ``validate``
checks whole files (load + compile) for ``schedsim validate``; ``stn`` decides whether "B − A ∈ [l, u]" constraints
can all hold (a negative cycle is the conflict) and ``conflicts`` tells a conflict as a chain of protocol fields: the
checker and the calendars' clinic-day moves share them.

May import: ``schedsim.language`` and the shared modules.
Must not import: the engine, the job stages (calendar, check, simulation, escalation, importer), plots or the CLI.
"""
