"""Geometry for the insight pages' SVG bar charts, drawn by templates (so they escape text).

Charts print, and each has its numbers in a table beside it and a sentence as its title.
"""

from __future__ import annotations

from dataclasses import dataclass

# GOV.UK palette, best first; enough contrast on white.
PALETTE = ("#00703c", "#1d70b8", "#f47738", "#d4351c", "#6f72af", "#505a5f", "#912b88")
ROW, LABEL_W, WIDTH = 22, 220, 640


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    x: int
    width: int
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    y: int
    text_y: int
    segments: tuple[Segment, ...]
    total_text: str
    total_x: int


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    label_x: int
    rows: tuple[Row, ...]
    legend: tuple[tuple[str, str, int], ...]  # (label, colour, x)
    legend_y: int


def stacked(
    title: str,
    rows: list[tuple[str, list[int]]],
    series: list[str],
    *,
    as_percent: bool = False,
    suffix: str = "",
) -> Chart:
    """One horizontal bar per row, split into series (grades, statuses...)."""
    bar_w = WIDTH - LABEL_W - 60
    top = max((sum(values) for _, values in rows), default=0) or 1
    out = []
    for i, (label, values) in enumerate(rows):
        y = i * ROW + 4
        total = sum(values)
        scale = bar_w / (total if as_percent and total else top)
        x = LABEL_W
        segments = []
        for j, value in enumerate(values):
            width = round(value * scale)
            segments.append(Segment(series[j], value, x, width, PALETTE[j % len(PALETTE)]))
            x += width
        text = f"{round(100 * values[0] / total)}%{suffix}" if as_percent and total else str(total)
        out.append(Row(label[:40], y, y + 13, tuple(segments), text, x + 4))
    legend, lx = [], LABEL_W
    for j, name in enumerate(series):
        legend.append((name, PALETTE[j % len(PALETTE)], lx))
        lx += 14 + 7 * len(name) + 16
    legend_y = len(rows) * ROW + 16
    return Chart(title, WIDTH, legend_y + 14, LABEL_W - 6, tuple(out), tuple(legend), legend_y)
