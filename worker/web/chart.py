"""A line chart of a body's main figures over the years, as geometry for an inline SVG drawn by a template.

No JavaScript and no external service: the server computes every point, the template (bodies/chart.html)
writes ``<polyline>``/``<circle>``/``<text>`` elements, autoescaped like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.store.queries import BodyHistory

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 20, 40  # margins: axis labels left and below, legend right
SERIES_ZH = {
    "received": "本年新收申请",
    "answered": "办理结果总计",
    "granted": "予以公开",
    "reviews": "行政复议",
    "litigation": "行政诉讼",
}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    year: int
    value: float


@dataclass(frozen=True)
class Series:
    key: str  # css class suffix: series-received, ...
    label: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_right: int
    plot_bottom: int
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def figures_chart(history: BodyHistory) -> Chart:
    """The chart of ``history``: one series per main figure, a point per year that has the figure."""
    years = [y.year for y in history.years]
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    values = [v for y in history.years for v in y.figures.values() if v is not None]
    top_value = _nice_max(max(values, default=0.0))

    def x_of(year: int) -> float:
        if len(years) == 1:
            return (LEFT + plot_right) / 2
        return LEFT + (year - years[0]) / (years[-1] - years[0]) * (plot_right - LEFT)

    def y_of(value: float) -> float:
        return plot_bottom - value / top_value * (plot_bottom - TOP)

    series = [
        Series(key=key, label=label, points=[
            Point(x=x_of(y.year), y=y_of(v), year=y.year, value=v)
            for y in history.years if (v := y.figures.get(key)) is not None
        ])
        for key, label in SERIES_ZH.items()
    ]  # fmt: skip
    y_ticks = [Tick(pos=y_of(top_value * i / 4), label=f"{top_value * i / 4:g}") for i in range(5)]
    x_ticks = [Tick(pos=x_of(year), label=str(year)) for year in years]
    return Chart(width=WIDTH, height=HEIGHT, left=LEFT, top=TOP, plot_right=plot_right, plot_bottom=plot_bottom,
                 series=series, x_ticks=x_ticks, y_ticks=y_ticks)  # fmt: skip
