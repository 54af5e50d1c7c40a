"""A chart of one measure's readings over time against the person's target, drawn on the
server as SVG (SC-2; ``selfcare/_chart.html.j2`` draws what :func:`chart` lays out).

Each component (blood pressure: systolic and diastolic) is a line through its readings;
each reading is a dot, red when it was out of range, green when in range, grey when it
was not judged; the limits each reading was judged against are dashed lines. The table of
readings beside it says the same in words (the chart's text alternative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ltc.care.db import uk_time
from ltc.care.selfcare.models import Reading
from ltc.care.selfcare.targets import Measure

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36
#: the newest readings a chart shows
MOST = 60
COLOURS = {True: "#007f3b", False: "#d5281b", None: "#4c6272"}
STANDING = {True: "in range", False: "out of range", None: "not judged"}
LINES = ("#005eb8", "#330072")  # one per component


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    colour: str
    text: str  # what the reading was, for a tooltip


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # SVG polyline points
    dots: tuple[Dot, ...]
    limits: tuple[str, ...]  # SVG polyline points of each run of a limit


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    measure: Measure
    width: int
    height: int
    series: tuple[Series, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    left: int
    right: int
    top: int
    bottom: int
    summary: str  # the chart in one sentence (its accessible name)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low or abs(high) or 1.0
    raw = span / (count - 1)
    step = 10 ** math.floor(math.log10(raw))
    step = next(s * step for s in (1, 2, 2.5, 5, 10) if s * step >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def _runs(points: list[tuple[float, float | None]]) -> tuple[str, ...]:
    """The runs of consecutive points that have a value, as polyline points (a run of one
    point is drawn as a short level line through it)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    out = []
    for run in runs:
        if len(run) == 1:
            (x, y), = run
            run = [(x - 20, y), (x + 20, y)]
        if run:
            out.append(" ".join(f"{x:.1f},{y:.1f}" for x, y in run))
    return tuple(out)


def chart(measure: Measure, readings: Sequence[Reading]) -> Chart | None:
    """The chart of ``readings`` (of ``measure``, any order); None when there are none."""
    shown = sorted(readings, key=lambda r: (r.taken_at, r.id))[-MOST:]
    if not shown:
        return None
    values = [v for r in shown for v in r.value]
    limits = [v for r in shown for pair in r.limits for v in pair if v is not None]
    low, high = min(values + limits), max(values + limits)
    pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
    ticks = _nice_ticks(low - pad, high + pad)
    y_low, y_high = ticks[0], ticks[-1]
    first, last = shown[0].taken_at, shown[-1].taken_at
    span = (last - first).total_seconds()
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return LEFT + (inner_w / 2 if span == 0 else
                       (at - first).total_seconds() / span * inner_w)

    def y(value: float) -> float:
        return TOP + inner_h - (value - y_low) / (y_high - y_low) * inner_h

    series = []
    for i, name in enumerate(measure.components):
        dots = tuple(Dot(x(r.taken_at), y(r.value[i]), COLOURS[r.in_range],
                         f"{uk_time(r.taken_at):%d %b %Y %H:%M}: {measure.show(r.value)} "
                         f"({STANDING[r.in_range]})")
                     for r in shown)
        bounds = tuple(_runs([(x(r.taken_at), y(r.limits[i][side])
                               if r.limits[i][side] is not None else None) for r in shown])
                       for side in (0, 1))
        series.append(Series(name, LINES[i % len(LINES)],
                             " ".join(f"{d.x:.1f},{d.y:.1f}" for d in dots), dots,
                             bounds[0] + bounds[1]))
    days = sorted({uk_time(r.taken_at).date() for r in shown})
    x_ticks = tuple(Tick(x(r.taken_at), f"{uk_time(r.taken_at):%d %b %Y}")
                    for r in ([shown[0], shown[-1]] if len(days) > 1 else [shown[0]]))
    out = sum(1 for r in shown if r.in_range is False)
    when = (f"on {_day(days[0])}" if len(days) == 1 else
            f"from {_day(days[0])} to {_day(days[-1])}")
    summary = (f"{measure.label}: {len(shown)} reading{'s' if len(shown) != 1 else ''} "
               f"{when}, {out} out of range; the newest {measure.show(shown[-1].value)}")
    return Chart(measure, WIDTH, HEIGHT, tuple(series),
                 tuple(Tick(y(t), measure.number(t) if measure.decimals else f"{t:g}")
                       for t in ticks), x_ticks, LEFT, RIGHT, TOP, BOTTOM, summary)
