"""The ``schedsim`` app, assembled in one place: every command module's commands, registered in help order."""

from __future__ import annotations

import typer

from schedsim.cli import calendar, check, escalation, importer, plots, protocol, simulate

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Clinical-trial protocols as exact timelines. Exit codes: 0 ok, 1 findings, 2 bad input.")

for command in (protocol.validate, protocol.timeline, protocol.explain, protocol.schema, calendar.calendar,
                calendar.due, plots.gantt):
    app.command()(command)
app.command("patient-gantt")(plots.patient_gantt)
app.command()(plots.swimmer)
app.command("visit-load")(plots.visit_load)
for command in (check.check, check.rules, simulate.simulate):
    app.command()(command)
app.add_typer(escalation.escalation_app, name="escalation")
escalation.escalation_app.command("table")(escalation.escalation_table)
escalation.escalation_app.command("simulate")(escalation.escalation_simulate)
app.command("import")(importer.import_command)


def main() -> None:
    app()
