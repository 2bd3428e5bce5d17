"""Small server-side SVG line charts for the pages (no JavaScript library, nothing loaded from elsewhere).

``line_chart`` draws one or more series of (x, y) points on shared axes, with optional vertical markers
(e.g. the deadline), and returns the SVG as ``Markup``: every text in it (labels, titles) is escaped here,
so a template may output it as is. Colours come from CSS classes (``static/roster.css``): the page's
Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

Number = float | int
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Series:
    """One line: a name (legend), points (x as a number or a date), and a CSS class (``series-0``, …)."""

    name: str
    points: Sequence[tuple[Number | dt.date, Number | None]]
    css: str = ""
    step: bool = False  # a cumulative count: horizontal then vertical


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``x`` with a label (e.g. 截止日期)."""

    x: Number | dt.date
    label: str


@dataclass
class _Scale:
    lo: float
    hi: float
    start: float
    length: float
    flip: bool = False
    ticks: list[float] = field(default_factory=list)

    def __call__(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        t = (value - self.lo) / span
        return round(self.start + (1 - t if self.flip else t) * self.length, 1)


def _num(x: Number | dt.date) -> float:
    return float(x.toordinal()) if isinstance(x, dt.date) else float(x)


def _label(x: float, dates: bool) -> str:
    if dates:
        day = dt.date.fromordinal(int(x))
        return f"{day.month}/{day.day}"
    return f"{int(x)}" if float(x).is_integer() else f"{x:.1f}"


def _nice_ticks(hi: float, count: int = 4) -> list[float]:
    if hi <= 0:
        return [0.0]
    raw = hi / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [float(step * i) for i in range(int(hi // step) + 2) if step * i <= hi + step]


def line_chart(
    series: Sequence[Series], *, title: str, markers: Sequence[Marker] = (), y_label: str = "", x_ticks: int = 6
) -> Markup:
    """An accessible SVG line chart (``role="img"`` with ``title``), or a short text when there is nothing to draw."""
    xs = [_num(x) for s in series for x, y in s.points if y is not None] + [_num(m.x) for m in markers]
    ys = [float(y) for s in series for _, y in s.points if y is not None]
    if not xs or not ys:
        return Markup('<p class="chart-empty">{}</p>').format(f"{title}：暂无数据")
    dates = any(isinstance(x, dt.date) for s in series for x, _ in s.points) or any(
        isinstance(m.x, dt.date) for m in markers)
    y_ticks = _nice_ticks(max(ys))
    sx = _Scale(min(xs), max(xs), LEFT, WIDTH - LEFT - RIGHT)
    sy = _Scale(0.0, max(y_ticks[-1], max(ys)), TOP, HEIGHT - TOP - BOTTOM, flip=True)
    parts = [Markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                    'xmlns="http://www.w3.org/2000/svg"><title>{}</title>').format(WIDTH, HEIGHT, title, title)]
    for t in y_ticks:
        parts.append(Markup('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>').format(
            LEFT, WIDTH - RIGHT, sy(t), sy(t), LEFT - 6, sy(t) + 4, _label(t, False)))
    n = max(2, min(x_ticks, len(set(xs))))
    for i in range(n):
        x = sx.lo + (sx.hi - sx.lo) * i / (n - 1)
        parts.append(Markup('<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>').format(
            sx(x), HEIGHT - BOTTOM + 16, _label(round(x), dates)))
    if y_label:
        parts.append(Markup('<text class="axis-label" x="{}" y="{}">{}</text>').format(LEFT, TOP - 4, y_label))
    for i, s in enumerate(series):
        pts = [(sx(_num(x)), sy(float(y))) for x, y in s.points if y is not None]
        if s.step and pts:
            stepped = [pts[0]]
            for (_x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
                stepped += [(x1, y0), (x1, y1)]
            pts = stepped
        path = " ".join(f"{x},{y}" for x, y in pts)
        css = s.css or f"series-{i}"
        parts.append(Markup('<polyline class="line {}" points="{}"><title>{}</title></polyline>').format(
            css, path, s.name))
        for x, y in pts[-1:]:
            parts.append(Markup('<circle class="dot {}" cx="{}" cy="{}" r="3"/>').format(css, x, y))
    for m in markers:
        x = sx(_num(m.x))
        parts.append(Markup('<line class="marker" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="marker-label" x="{}" y="{}" text-anchor="end">{}</text>').format(
            x, x, TOP, HEIGHT - BOTTOM, x - 4, TOP + 12, m.label))
    legend = Markup("").join(
        Markup('<li><span class="swatch {}"></span>{}</li>').format(s.css or f"series-{i}", s.name)
        for i, s in enumerate(series))
    parts.append(Markup("</svg>"))
    return Markup('<figure class="chart-box">{}<figcaption><ul class="legend">{}</ul></figcaption></figure>').format(
        Markup("").join(parts), legend)


__all__ = ["Marker", "Series", "line_chart"]
