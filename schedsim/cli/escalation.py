"""``escalation table`` and ``escalation simulate``: the i3+3 dose-escalation design."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import REPORT_SUFFIXES, Group, OutputOption, ReportFormat, emit, guard, pick_format
from schedsim.errors import InputError, Problem

escalation_app = typer.Typer(cls=Group, no_args_is_help=True, help="Dose escalation: the i3+3 design.")


class TableFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


def escalation_table(
    target: Annotated[float, typer.Option("--target", help="target DLT rate p_T, e.g. 0.3")],
    ei: Annotated[str, typer.Option("--ei", help="equivalence interval EI1,EI2, e.g. 0.25,0.35")],
    max_n: Annotated[int, typer.Option("--max-n", help="largest number of patients at one dose")] = 12,
    safety: Annotated[float, typer.Option("--safety", help="exclude a dose when Pr(p > p_T) exceeds this")] = 0.95,
    format: Annotated[TableFormat | None, typer.Option(
        "--format", "-f", help="text, csv or json (default: from the -o extension)")] = None,
    output: OutputOption = None,
) -> None:
    """The i3+3 decision table (rows y DLTs, columns n patients): E, S, D or DU."""
    from schedsim.escalation.rule import RENDER, parse_interval

    def run() -> None:
        fmt = pick_format(format, output, {".txt": "text", ".csv": "csv", ".json": "json"}, "text")
        emit(RENDER[fmt](target, parse_interval(ei), max_n, safety), output)

    guard(run)


def escalation_simulate(
    file: Annotated[Path, typer.Argument(help="protocol file with an escalation: block")],
    true_dlt: Annotated[str, typer.Option("--true-dlt", help="true DLT probability per dose level: 0.05,0.15,...")],
    trials: Annotated[int, typer.Option("--trials", help="simulated trials")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="master seed")] = 0,
    rate: Annotated[float, typer.Option("--rate", help="patients arriving per month")] = 2.0,
    format: Annotated[ReportFormat | None, typer.Option(
        "--format", "-f", help="text or json (default: from the -o extension)")] = None,
    gantt: Annotated[Path | None, typer.Option("--gantt", help="also draw the first simulated trial (.png/.svg/.pdf)")]
    = None,
    output: OutputOption = None,
) -> None:
    """Simulate the i3+3 escalation phase in calendar time: MTD selection, patients per dose, DLT rate, duration."""
    from schedsim.escalation.rule import parse_probabilities
    from schedsim.escalation.simulation import simulate_escalation, summarise_escalation, summary_json, summary_text

    def run() -> None:
        fmt = pick_format(format, output, REPORT_SUFFIXES, "text")
        if gantt is not None and output is not None and gantt.resolve() == output.resolve():
            raise InputError(Problem("--gantt", None, "", f"{gantt} is also -o: give the chart a file of its own"))
        probabilities = parse_probabilities(true_dlt)
        design, results = simulate_escalation(file, probabilities, trials=trials, seed=seed, rate_per_month=rate)
        summary = summarise_escalation(design, results, probabilities, seed)
        if gantt is not None:
            from schedsim.plots.escalation import escalation_figure
            from schedsim.plots.style import save_figure

            save_figure(escalation_figure(design, results[0], f"{file.name}: simulated escalation (trial 1, seed "
                                                               f"{seed})"), gantt)
        emit(summary_json(summary) if fmt == "json" else summary_text(summary), output)

    guard(run)
