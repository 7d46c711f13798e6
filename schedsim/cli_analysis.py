"""The analysis commands: ``check`` and ``rules`` (schedule consistency), ``simulate`` (cohorts) and
``escalation table|simulate`` (i3+3). Registered on the one ``schedsim`` app when ``schedsim.cli`` is imported."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli import OutputOption, _date_option, _emit, _guard, app
from schedsim.errors import InputError, Problem


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class RulesFormat(StrEnum):
    text = "text"
    md = "md"


@app.command()
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="protocol files")] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="text (coloured on a terminal) or json")] =
    CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="warnings count as errors (exit 1)")] = False,
    start_weekday: Annotated[str | None, typer.Option(
        "--start-weekday", help="every patient starts on this weekday (mon..sun): check closed-day visits")] = None,
    actuals: Annotated[Path | None, typer.Option("--actuals", help="a patient's actual dates: report deviations")] =
    None,
    roster: Annotated[Path | None, typer.Option("--roster", help="roster CSV: every patient's deviations")] = None,
    start: Annotated[str | None, typer.Option("--start", help="with --actuals: date of study day 1 (default: the "
                                                              "day-1 actual)")] = None,
    today: Annotated[str | None, typer.Option("--today", help="with --actuals/--roster: visits whose window closed "
                                                              "before this date without a record are missed")] = None,
    patient: Annotated[str, typer.Option("--patient", help="patient id (with --actuals)")] = "patient",
    output: OutputOption = None,
) -> None:
    """Check protocols for schedule contradictions (with the chain of fields behind each), or a patient's actual
    dates for deviations. Exit 0 clean, 1 errors, 2 bad input."""
    from schedsim.check import run_checks

    def run() -> int:
        report = run_checks(files or [], actuals=actuals, roster=roster, start=_date_option(start, "--start"),
                            today=_date_option(today, "--today"), patient_id=patient,
                            start_weekday=_weekday(start_weekday), strict=strict)
        color = format is CheckFormat.text and output is None and sys.stdout.isatty()
        _emit(report.to_json() if format is CheckFormat.json else report.to_text(color), output)
        return report.exit_code

    code = _guard(run)
    if code:
        raise typer.Exit(code)


@app.command()
def rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="text or md (Markdown table)")] =
    RulesFormat.text,
    output: OutputOption = None,
) -> None:
    """The check rules: id, severity, why, and how to fix."""
    from schedsim.rules import rules_markdown, rules_table

    _guard(lambda: _emit(rules_markdown() if format is RulesFormat.md else rules_table(), output))


def _weekday(text: str | None) -> int | None:
    if text is None:
        return None
    from schedsim.model import WEEKDAYS

    name = text.strip().lower()[:3]
    if name not in WEEKDAYS:
        raise InputError(Problem("--start-weekday", None, "", f"not a weekday: {text!r} (mon, tue, ... sun)"))
    return WEEKDAYS.index(name)  # type: ignore[arg-type]


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for events.csv, summary.json and plots")],
    scenario: Annotated[Path | None, typer.Option("--scenario", help="scenario file (default: the protocol's "
                                                                     "simulation: section)")] = None,
    patients: Annotated[int, typer.Option("--patients", "-n", help="patients per replicate")] = 20,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="independent replicates")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="master seed: same seed, same files")] = 0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes (results do not depend on it)")]
    = 1,
    plots: Annotated[bool, typer.Option(help="also write swimmer.png and visit-load.png")] = True,
) -> None:
    """Simulate a cohort: enrolment, delays, dropouts, shared resources; forecasts and visit load."""
    from schedsim.sim_output import describe, write_outputs
    from schedsim.simulation import simulate as run

    def go() -> str:
        if sys.stderr.isatty():
            with typer.progressbar(length=replicates if replicates > 1 else patients, label="simulating",
                                   file=sys.stderr) as bar:
                seen = [0]

                def progress(done: int, total: int) -> None:
                    bar.update(done - seen[0])
                    seen[0] = done

                result = run(file, patients=patients, replicates=replicates, seed=seed, scenario=scenario,
                             workers=workers, progress=progress)
        else:
            result = run(file, patients=patients, replicates=replicates, seed=seed, scenario=scenario,
                         workers=workers)
        write_outputs(result, output, plots=plots)
        return describe(result.summary())

    typer.echo(_guard(go), nl=False)


escalation_app = typer.Typer(no_args_is_help=True, help="Dose escalation: the i3+3 design.")
app.add_typer(escalation_app, name="escalation")


class TableFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


@escalation_app.command("table")
def escalation_table(
    target: Annotated[float, typer.Option("--target", help="target DLT rate p_T, e.g. 0.3")],
    ei: Annotated[str, typer.Option("--ei", help="equivalence interval EI1,EI2, e.g. 0.25,0.35")],
    max_n: Annotated[int, typer.Option("--max-n", help="largest number of patients at one dose")] = 12,
    safety: Annotated[float, typer.Option("--safety", help="exclude a dose when Pr(p > p_T) exceeds this")] = 0.95,
    format: Annotated[TableFormat, typer.Option("--format", "-f", help="text, csv or json")] = TableFormat.text,
    output: OutputOption = None,
) -> None:
    """The i3+3 decision table (rows y DLTs, columns n patients): E, S, D or DU."""
    from schedsim.escalation import RENDER, parse_interval

    _guard(lambda: _emit(RENDER[format.value](target, parse_interval(ei), max_n, safety), output))


@escalation_app.command("simulate")
def escalation_simulate(
    file: Annotated[Path, typer.Argument(help="protocol file with an escalation: block")],
    true_dlt: Annotated[str, typer.Option("--true-dlt", help="true DLT probability per dose level: 0.05,0.15,...")],
    trials: Annotated[int, typer.Option("--trials", help="simulated trials")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="master seed")] = 0,
    rate: Annotated[float, typer.Option("--rate", help="patients arriving per month")] = 2.0,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="text or json")] = CheckFormat.text,
    gantt: Annotated[Path | None, typer.Option("--gantt", help="also draw the first simulated trial (.png/.svg/.pdf)")]
    = None,
    output: OutputOption = None,
) -> None:
    """Simulate the i3+3 escalation phase in calendar time: MTD selection, patients per dose, DLT rate, duration."""
    from schedsim.escalation import parse_probabilities
    from schedsim.escalation_sim import simulate_escalation, summarise_escalation, summary_json, summary_text

    def run() -> None:
        probabilities = parse_probabilities(true_dlt)
        design, results = simulate_escalation(file, probabilities, trials=trials, seed=seed, rate_per_month=rate)
        summary = summarise_escalation(design, results, probabilities, seed)
        if gantt is not None:
            from schedsim.plot_common import save_figure
            from schedsim.plot_escalation import escalation_figure

            save_figure(escalation_figure(design, results[0], f"{file.name}: simulated escalation (trial 1, seed "
                                                               f"{seed})"), gantt)
        _emit(summary_json(summary) if format is CheckFormat.json else summary_text(summary), output)

    _guard(run)
