"""``python -m schedsim.cli``: the same as the ``schedsim`` command."""

from schedsim.cli.entry import main

main()
