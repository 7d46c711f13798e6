"""The ``schedsim`` command line: each command parses options and calls one library function.

``options`` holds what every command shares (option types, date parsing, output, exit code 2 on bad input); one
module per command group (``protocol``, ``calendar``, ``plots``, ``check``, ``simulate``, ``escalation``,
``importer``) defines its commands and imports only from ``options``; ``entry`` assembles the app. Library code is
imported inside each command, so ``schedsim --help`` and the timeline fast path load no plotting code.

May import: every stage. Nothing in schedsim imports the CLI.
"""

from schedsim.cli.entry import app, main

__all__ = ["app", "main"]
