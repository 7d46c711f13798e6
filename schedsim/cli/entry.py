"""The ``schedsim`` app, assembled in one place: every command module's commands, registered in help order."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli import calendar, check, escalation, importer, plots, protocol, simulate, standards
from schedsim.cli.options import Command, Group
from schedsim.version import __version__

app = typer.Typer(cls=Group, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Clinical-trial protocols as exact timelines. Exit codes: 0 ok, 1 findings, 2 bad input.")


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"schedsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="print the version and exit")] = False,
    raw_csv: Annotated[bool, typer.Option(
        "--raw-csv", help="write CSV cells as they are, even those a spreadsheet would run as formulas (= + - @)")]
    = False,
    allow_path: Annotated[list[Path] | None, typer.Option(
        "--allow-path", metavar="DIR", help="also read files that protocols, libraries and rosters name under this "
                                            "folder (repeat for several)")] = None,
) -> None:
    """Clinical-trial protocols as exact timelines. Exit codes: 0 ok, 1 findings, 2 bad input."""
    if raw_csv:
        from schedsim.tabular import raw_csv as keep_raw

        ctx.with_resource(keep_raw())  # for the command that follows, undone when it ends
    if allow_path:
        from schedsim.inputs import allow_paths

        ctx.with_resource(allow_paths(allow_path))


for command in (protocol.validate, protocol.timeline, protocol.explain, protocol.schema, standards.soa,
                calendar.calendar, calendar.due, plots.gantt):
    app.command(cls=Command)(command)
app.command("patient-gantt", cls=Command)(plots.patient_gantt)
app.command(cls=Command)(plots.swimmer)
app.command("visit-load", cls=Command)(plots.visit_load)
app.command(cls=Command)(plots.report)
for command in (check.check, check.rules, simulate.simulate, simulate.sweep):
    app.command(cls=Command)(command)
app.add_typer(escalation.escalation_app, name="escalation")
escalation.escalation_app.command("table", cls=Command)(escalation.escalation_table)
escalation.escalation_app.command("simulate", cls=Command)(escalation.escalation_simulate)
app.command("import", cls=Command)(importer.import_command)
app.add_typer(standards.export_app, name="export", cls=Group)
standards.export_app.command("usdm", cls=Command)(standards.export_usdm)
standards.export_app.command("sdtm", cls=Command)(standards.export_sdtm)
standards.export_app.command("redcap", cls=Command)(standards.export_redcap)
app.add_typer(standards.actuals_app, name="actuals", cls=Group)
standards.actuals_app.command("from-redcap", cls=Command)(standards.actuals_from_redcap_command)


def main() -> None:
    """The ``schedsim`` command. SIGTERM and SIGHUP end it as Ctrl-C does: temporary files are removed on the way out
    (exit code 128 + the signal's number)."""
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _stop)
    app()


def _stop(number: int, frame: object) -> None:
    raise SystemExit(128 + number)
