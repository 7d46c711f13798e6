"""The standards a trial team already uses: the Schedule of Activities (``soa``); CDISC USDM, SDTM trial design and
REDCap to come. Built on the compiled timeline and one patient's plan.

May import: ``calendar``, ``engine``, ``compile``, ``language`` and the shared modules (``fileio``, ``tabular``,
``inputs``, ``errors``, ``version``).
Must not import: ``check``, the other job stages (``simulation``, ``escalation``, ``importer``), ``plots``, the CLI.
"""
