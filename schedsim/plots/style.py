"""What every plot shares: a colour-blind-safe palette, time axes, label placement without overlaps, saving.

Only the plotting commands import this module (and so matplotlib). Figures are ``matplotlib.figure.Figure``
objects made without pyplot: no global figure state, no GUI backend.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from schedsim.errors import InputError, Problem
from schedsim.fileio import write_atomic

# Okabe & Ito (2008), safe for the common colour-vision deficiencies
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
KIND_STYLE = {  # marker and colour per event kind
    "visit": ("o", "#0072B2"),
    "assessment": ("^", "#009E73"),
    "dose": ("d", "#E69F00"),
    "procedure": ("s", "#D55E00"),
}
PHASE_COLOURS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442")
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DPI = 110
# unhinted text renders faster and lays out the same at any DPI; fixed salts keep SVG/PDF bytes reproducible
STYLE = {"text.hinting": "no_hinting", "svg.hashsalt": "schedsim", "pdf.compression": 6}
F = TypeVar("F", bound=Callable[..., Any])


def styled(function: F) -> F:
    """Run a figure-building function under schedsim's matplotlib settings (text is measured as it is drawn)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def save_figure(figure: Figure, path: str | Path) -> None:
    """Save by the file's extension (PNG, SVG or PDF), atomically and reproducibly (no dates in the file)."""
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise InputError(Problem(str(path), None, "", f"unknown image type {suffix or '(none)'!r}: use .png, .svg "
                                                      "or .pdf"))
    buffer = io.BytesIO()
    metadata = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata, **extra)
    write_atomic(path, buffer.getvalue())


def time_ticks(ax: Axes, t0: float, t1: float, start: date | None, day_zero: bool = False) -> None:
    """Ticks for days since study day 1: months, weeks or days by the span shown; dates when the start is known."""
    span = t1 - t0
    ticks: list[int] = []
    if start is not None:
        first, last = start + timedelta(days=int(t0)), start + timedelta(days=int(t1))
        if span > 150:
            day = date(first.year, first.month, 1)
            while day <= last:
                ticks.append((day - start).days)
                day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            step = max(1, len(ticks) // 14 + 1)
            ticks = ticks[::step]
            fmt = "%b %Y"
        else:
            monday = first - timedelta(days=first.weekday())
            every = 1 if span <= 21 else 7
            day = first if every == 1 else monday
            while day <= last:
                ticks.append((day - start).days)
                day += timedelta(days=every)
            fmt = "%d %b"
        ticks = [t for t in ticks if t0 - 0.5 <= t <= t1 + 1.5]  # set_xticks would widen the view to fit others
        ax.set_xticks([t + 0.5 if span <= 21 else t for t in ticks])
        day = (lambda t: t) if day_zero else (lambda t: t + 1 if t >= 0 else t)  # no day 0 unless the protocol has one
        ax.set_xticklabels([f"{(start + timedelta(days=t)).strftime(fmt)}\nday {day(t)}" for t in ticks], fontsize=8)
        ax.set_xlabel("date (study day)")
        return
    every = 1 if span <= 21 else 7 if span <= 150 else 28 if span <= 500 else 91
    first_tick = int(t0) - int(t0) % every
    ticks = [t for t in range(first_tick, int(t1) + 1, every) if t >= t0 - 1]
    ax.set_xticks([t + 0.5 for t in ticks])
    ax.set_xticklabels([str(t if day_zero else (t + 1 if t >= 0 else t)) for t in ticks], fontsize=8)
    ax.set_xlabel("study day")


def place_labels(figure: Figure, labels: Sequence[Annotation], step_points: float = 11.0) -> None:
    """Lift labels to higher levels until none overlaps another (measured with the renderer, not guessed)."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Bbox] = []
    for label in labels:
        x, y = label.xyann
        for level in range(40):
            label.xyann = (x, y + level * step_points)
            box = label.get_window_extent(renderer).padded(2)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(label.get_window_extent(renderer).padded(2))


def text_fits(figure: Figure, ax: Axes, text: str, width_data: float, fontsize: float) -> bool:
    """Whether ``text`` fits inside a bar ``width_data`` days wide at the current zoom (widths measured once each)."""
    cache: dict[tuple[str, float], float] = figure.__dict__.setdefault("_schedsim_text_widths", {})
    width_px = cache.get((text, fontsize))
    if width_px is None:
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        probe = ax.text(0, 0, text, fontsize=fontsize)
        width_px = cache[(text, fontsize)] = probe.get_window_extent(renderer).width
        probe.remove()
    x0, x1 = ax.transData.transform([(0, 0), (width_data, 0)])[:, 0]
    return width_px + 6 <= abs(x1 - x0)


def new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas (renders text extents, saves PNG, SVG and PDF), independent of pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = Figure(figsize=(width, height), dpi=DPI, layout=None)
    FigureCanvasAgg(figure)
    return figure
