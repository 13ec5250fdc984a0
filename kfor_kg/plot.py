"""Charts of a built series (`kfor-kg plot`): troop strength over time, events per month.

Drawn with matplotlib (a Figure on the Agg canvas; no pyplot, no display) and written
as PNG or SVG. The same data
always gives the same bytes: SVG ids come from a fixed hash salt, neither format
carries a creation date or a software version, and the font is the DejaVu Sans
that matplotlib ships (text in SVG is drawn as paths), so the picture does not
depend on the fonts of the machine.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kfor_kg.errors import ConfigError

if TYPE_CHECKING:
    from kfor_kg.stats import Corpus

__all__ = ["CHARTS", "PLOT_FORMATS", "TroopFigure", "troop_figures", "event_months", "render"]

CHARTS = ("troops", "events")
PLOT_FORMATS = ("png", "svg")

_STYLE: dict[str, Any] = {
    "svg.hashsalt": "kfor-kg",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
}
# No creation date, no matplotlib version: the bytes depend on the data only.
_METADATA = {"png": {"Software": None},
             "svg": {"Date": None, "Creator": None, "Format": None, "Type": None}}
_FORCE_COLORS = ("#08519c", "#a63603", "#006d2c", "#54278f", "#636363")
_DPI = 120
_LOCK = threading.Lock()  # matplotlib's style (rcParams) is global: one chart at a time
_SIZE = (8.0, 4.5)


@dataclass(frozen=True)
class TroopFigure:
    """One report's troop strength: the figure, when it holds, and the reporting period."""

    report: str
    troops: int
    as_at: dt.date | None
    approximate: bool
    period_start: dt.date | None
    period_end: dt.date | None
    force: str = ""

    @property
    def when(self) -> dt.date | None:
        """Where the figure goes on a time axis: its date, else the end of the period."""
        return self.as_at or self.period_end


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def troop_figures(corpus: Corpus) -> list[TroopFigure]:
    """The troop strength of every report (shipped queries `troop_strength`, `reports`), by date."""
    reports = corpus.run("reports")
    force_column = reports.columns.index("force")
    periods = {str(row[0]): (_date(str(row[2])), _date(str(row[3])), str(row[force_column]))
               for row in reports.rows}
    figures = []
    for row in corpus.run("troop_strength").rows:
        report = str(row[0])
        start, end, force = periods.get(report, (None, None, ""))
        figures.append(TroopFigure(report, int(row[2]), _date(str(row[1])), str(row[3]) == "true",
                                   start, end, force))
    return sorted(figures, key=lambda f: (f.when or dt.date.max, f.report))


def event_months(corpus: Corpus) -> tuple[dict[str, Counter[str]], int]:
    """Events per month ("YYYY-MM") and type (shipped query `events`), and how many events
    have no month (undated, or dated to a year only)."""
    months: dict[str, Counter[str]] = {}
    without = 0
    for row in corpus.run("events").rows:
        kind, date = str(row[1]), str(row[2])
        if len(date) >= 7:
            months.setdefault(date[:7], Counter())[kind] += 1
        else:
            without += 1
    return dict(sorted(months.items())), without


def render(chart: str, corpus: Corpus, fmt: str = "png") -> bytes:
    """The picture of `chart` ("troops" or "events") as PNG or SVG bytes.

    Raises:
        ConfigError: an unknown chart or format, or nothing to draw.
        QueryError, IngestError, StoreError: the data cannot be read.
    """
    if chart not in CHARTS:
        raise ConfigError(f"unknown chart {chart!r}; use one of: {', '.join(CHARTS)}")
    if fmt not in PLOT_FORMATS:
        raise ConfigError(f"unknown picture format {fmt!r}; use png or svg")
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ConfigError("charts need matplotlib: pip install 'kfor-kg[plot]' "
                          "(in a checkout: pip install '.[plot]')") from None
    # The data first, outside the lock; then a Figure of its own (no pyplot: no global
    # figure manager, no backend switched under a caller), drawn while the style holds.
    figures = troop_figures(corpus) if chart == "troops" else None
    months = event_months(corpus) if chart == "events" else None
    with _LOCK, matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        fig = Figure(figsize=_SIZE, dpi=_DPI)
        FigureCanvasAgg(fig)
        if figures is not None:
            _draw_troops(fig, figures)
        elif months is not None:
            _draw_events(fig, *months)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt], dpi=_DPI)
    return buffer.getvalue()


def _draw_troops(fig: Any, figures: list[TroopFigure]) -> None:
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    placed = [f for f in figures if f.when is not None]
    if not placed:
        raise ConfigError("no troop strength with a date to draw; build reports first")
    ax = fig.add_subplot()
    for f in placed:
        if f.period_start and f.period_end:
            ax.axvspan(mdates.date2num(f.period_start), mdates.date2num(f.period_end + dt.timedelta(1)),
                       color="#9ecae1", alpha=0.45, linewidth=0)
    xs = [mdates.date2num(f.when) for f in placed]
    ys = [f.troops for f in placed]
    # One line per force (a series may hold KFOR's, SFOR's... reports), in order of appearance.
    forces = list(dict.fromkeys(f.force for f in placed))
    color = {force: _FORCE_COLORS[i % len(_FORCE_COLORS)] for i, force in enumerate(forces)}
    for i, force in enumerate(forces):
        points = [(x, y) for f, x, y in zip(placed, xs, ys) if f.force == force]
        ax.plot([x for x, _ in points], [y for _, y in points], color=color[force], alpha=0.8,
                linewidth=1.2, linestyle="--", zorder=2, gid=f"troops-line-{i + 1}")
    span = max(xs[-1] - xs[0], 1.0)
    below = False
    for i, (f, x, y) in enumerate(zip(placed, xs, ys)):
        ax.plot([x], [y], marker="o", markersize=7, zorder=3, color=color[f.force],
                markerfacecolor="white" if f.approximate else color[f.force], markeredgewidth=1.6,
                gid=f"troops-{f.when}{'-approximate' if f.approximate else ''}")
        # A label next to the previous one's goes on the other side of its point.
        below = (not below) if i and (x - xs[i - 1]) / span < 0.08 else False
        label = ("≈" if f.approximate else "") + f"{f.troops:,}"
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(0, -17 if below else 9),
                    ha="center", fontsize=9,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "linewidth": 0})
    ax.set_ylim(0, max(ys) * 1.18)
    first, last = placed[0].when, placed[-1].when
    assert first is not None and last is not None
    margin = max((last - first).days * 0.04, 60)
    ax.set_xlim(mdates.date2num(first) - margin, mdates.date2num(last) + margin)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
    ax.set_ylabel("troops")
    one = forces[0] if len(forces) == 1 and forces[0] else None
    ax.set_title(f"{one + ' t' if one else 'T'}roop strength, as the reports give it", loc="left")
    mark = color[forces[0]] if len(forces) == 1 else "#444444"
    handles = [
        Line2D([], [], marker="o", color=mark, linestyle="", label="figure as given"),
        Line2D([], [], marker="o", color=mark, markerfacecolor="white", linestyle="",
               markeredgewidth=1.6, label="approximate (≈, \"some 4,100\")"),
        Patch(color="#9ecae1", alpha=0.45, label="reporting period"),
    ]
    if len(forces) > 1:
        handles += [Line2D([], [], color=color[force], linestyle="--", label=force or "(no force)")
                    for force in forces]
    ax.legend(handles=handles, loc="upper right", frameon=False, fontsize=8.5)
    fig.tight_layout()


def _draw_events(fig: Any, months: dict[str, Counter[str]], without: int) -> None:
    import matplotlib.dates as mdates
    from matplotlib import colormaps

    if not months:
        raise ConfigError("no events with a month to draw; build reports with entities first")
    ax = fig.add_subplot()
    kinds = sorted({kind for counter in months.values() for kind in counter})
    colors = colormaps["tab10" if len(kinds) <= 10 else "tab20"]
    xs = [mdates.date2num(dt.date.fromisoformat(month + "-01")) for month in months]
    first, last = min(xs), max(xs)
    width = max(25.0, (last - first) / 120)  # at least a month; visible on a long axis
    bottoms = [0] * len(xs)
    for i, kind in enumerate(kinds):
        heights = [months[month][kind] for month in months]
        ax.bar(xs, heights, width=width, bottom=bottoms, align="edge", label=kind,
               color=colors(i % colors.N), linewidth=0, gid=f"events-{kind}")
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    ax.set_xlim(first - max(60.0, (last - first) * 0.03), last + width + max(60.0, (last - first) * 0.03))
    ax.set_ylim(0, max(bottoms) + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_ylabel("events")
    title = "Events per month, by type"
    if without:
        title += f" ({without} without a month not shown)"
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8.5)
    fig.tight_layout()
