"""A Gantt chart of one simulated escalation: a lane per patient, from arrival (leukapheresis) to infusion and
through the DLT window, coloured by dose level, DLTs marked, cohort boundaries drawn."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from schedsim.escalation.simulation import Design, Trial
from schedsim.plots.style import PHASE_COLOURS, new_figure, styled


@styled
def escalation_figure(design: Design, trial: Trial, title: str = "Simulated escalation") -> Figure:
    patients = trial.patients
    figure = new_figure(11.0, min(2.0 + 0.28 * len(patients), 40.0))
    ax = figure.add_subplot(1, 1, 1)
    for row, patient in enumerate(patients):
        colour = PHASE_COLOURS[patient.level % len(PHASE_COLOURS)]
        ax.barh(row, patient.infusion - patient.arrival, left=patient.arrival, height=0.35, color="#DDDDDD",
                gid=f"lead:{row}")
        ax.barh(row, patient.dlt_end - patient.infusion, left=patient.infusion, height=0.7, color=colour,
                gid=f"window:{row}")
        if patient.dlt:
            ax.plot([patient.infusion + (patient.dlt_end - patient.infusion) / 2], [row], marker="X",
                    color="#000000", markersize=8, linestyle="none", gid=f"dlt:{row}")
    cohorts = sorted({p.cohort for p in patients})
    for cohort in cohorts[1:]:
        first = next(i for i, p in enumerate(patients) if p.cohort == cohort)
        ax.axhline(first - 0.5, color="#888888", linewidth=0.6, gid="cohort")
    ax.set_yticks(range(len(patients)), [f"#{i + 1} c{p.cohort + 1}" for i, p in enumerate(patients)])
    ax.invert_yaxis()
    ax.set_xlabel("days since the escalation phase opened")
    ax.set_title(title, loc="left")
    used = sorted({p.level for p in patients})
    handles = [Patch(color=PHASE_COLOURS[d % len(PHASE_COLOURS)], label=design.labels[d]) for d in used]
    handles += [Patch(color="#DDDDDD", label="apheresis to infusion (manufacturing)")]
    mtd = "none" if trial.mtd is None else design.labels[trial.mtd]
    figure.legend(handles=handles, loc="lower center", ncol=3, frameon=False, title=f"MTD selected: {mtd}; X: DLT")
    figure.subplots_adjust(left=0.12, right=0.98, top=0.95, bottom=0.08 + 0.02 * len(handles))
    return figure
