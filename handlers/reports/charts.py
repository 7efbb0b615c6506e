"""Report pictures: pure functions from numbers and ready-made labels to PNG bytes.

Drawn on matplotlib's non-interactive Agg canvas with a ``Figure`` of their
own, never through ``pyplot``: pyplot keeps global state and picks a backend
for the whole process, while a bare figure needs no display and can be drawn in
a worker thread (one at a time) without blocking the bot's event loop. Every
word on a picture comes in as an argument, already in the reader's language,
so nothing here knows of gettext, money or dates. Each is drawn as written (``plain``):
matplotlib reads the text between two "$" as a formula, and a stage named "Paid $x^$"
failed the whole picture. matplotlib (and numpy under
it) is imported with the first picture, not when the bot starts: some 40 MB
and half a second that a bot which never draws one need not pay.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
BAR = "#4C72B0"
WON = "#55A868"
LABEL_ROOM = 32  # characters of a stage name shown on the axis
ANNOTATE_UP_TO = 16  # weeks whose bars still get their amount written on them

P = ParamSpec("P")
# matplotlib's font and text caches are shared and not thread-safe: one picture at a time.
_DRAWING = threading.Lock()


def _one_at_a_time(draw: Callable[P, bytes]) -> Callable[P, bytes]:
    @wraps(draw)
    def locked(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with _DRAWING:
            return draw(*args, **kwargs)

    return locked


@_one_at_a_time
def funnel_png(
    stages: Sequence[str],
    reached: Sequence[int],
    notes: Sequence[str],
    title: str,
) -> bytes:
    """A funnel: one centred bar per stage, first at the top, ``notes`` written beside each.

    ``notes[i]`` is what to write next to stage ``i`` (its count and conversion).
    """
    if not len(stages) == len(reached) == len(notes):
        raise ValueError("stages, reached and notes differ in length")
    figure = _figure(8, 1.6 + 0.55 * max(len(stages), 1))
    axes = figure.subplots()
    widest = max(reached, default=0) or 1
    rows = range(len(stages))
    lefts = [(widest - count) / 2 for count in reached]
    axes.barh(list(rows), list(reached), left=lefts, color=BAR, height=0.7)
    for row, note in zip(rows, notes, strict=True):
        axes.text(widest * 1.02, row, plain(note), va="center", ha="left", fontsize=10)
    axes.set_yticks(list(rows), [plain(_fit(name)) for name in stages])
    axes.invert_yaxis()  # the first stage on top
    axes.set_xlim(0, widest * 1.45)
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_title(plain(title), fontsize=12)
    return _png(figure)


@_one_at_a_time
def weekly_png(
    weeks: Sequence[str],
    amounts: Sequence[float],
    notes: Sequence[str],
    title: str,
    axis_label: str,
) -> bytes:
    """Bars of an amount per week; ``notes`` (formatted amounts) on the bars when few fit."""
    if not len(weeks) == len(amounts) == len(notes):
        raise ValueError("weeks, amounts and notes differ in length")
    figure = _figure(max(6.0, 0.45 * len(weeks) + 2), 4.5)
    axes = figure.subplots()
    columns = list(range(len(weeks)))
    axes.bar(columns, list(amounts), color=WON, width=0.7)
    highest = max(amounts, default=0) or 1
    if len(weeks) <= ANNOTATE_UP_TO:
        for column, amount, note in zip(columns, amounts, notes, strict=True):
            if amount:
                axes.text(column, amount + highest * 0.02, plain(note), ha="center", fontsize=8)
    labels = [plain(week) for week in weeks]
    axes.set_xticks(columns, labels, rotation=45 if len(weeks) > 8 else 0, ha="center")
    axes.set_ylim(0, highest * 1.15)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)  # 1500000, not 1.5e6
    axes.set_ylabel(plain(axis_label))
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.set_title(plain(title), fontsize=12)
    return _png(figure)


def plain(text: str) -> str:
    """``text`` as matplotlib draws it as written: every "$" escaped, so that none pairs up
    into a formula (a "\\$" drawn is a "$"; a text without a formula has them unescaped)."""
    return text.replace("$", r"\$")


def _fit(text: str) -> str:
    return text if len(text) <= LABEL_ROOM else text[: LABEL_ROOM - 1] + "…"


def _figure(width: float, height: float) -> Figure:
    """A bare figure on its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
