"""The grade distribution as a small SVG bar chart (it prints, and reads aloud as a sentence)."""

from __future__ import annotations

from html import escape

from maca.briefings.content import GradeCount

# Best grade first: green to red, from the GOV.UK colour palette; enough contrast on white.
PALETTE = ("#00703c", "#1d70b8", "#f47738", "#d4351c", "#6f72af", "#505a5f")


def grade_sentence(grades: tuple[GradeCount, ...]) -> str:
    parts = [f"{g.count} {g.label.lower()}" for g in grades if g.count]
    total = sum(g.count for g in grades)
    if not parts:
        return "No cases graded yet."
    return f"Grades of {total} case{'s' if total != 1 else ''}: " + ", ".join(parts) + "."


def grade_chart_svg(grades: tuple[GradeCount, ...], *, width: int = 260) -> str:
    """Horizontal bars, one per grade on the scale (zero counts shown, so the scale is clear)."""
    row, label_w, gap = 18, 132, 4
    bar_w = width - label_w - 28
    top = max((g.count for g in grades), default=0) or 1
    height = row * len(grades) + gap
    title = escape(grade_sentence(grades))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="briefing-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="grade-chart-title">',
        f'<title id="grade-chart-title">{title}</title>',
    ]
    for i, grade in enumerate(grades):
        y = i * row + gap
        length = round(bar_w * grade.count / top)
        colour = PALETTE[min(i, len(PALETTE) - 1)]
        out.append(
            f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end" font-size="10" '
            f'fill="#0b0c0c">{escape(grade.label)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y}" width="{max(length, 1)}" height="{row - 6}" '
            f'fill="{colour}"/>'
        )
        out.append(
            f'<text x="{label_w + max(length, 1) + 4}" y="{y + 11}" font-size="10" '
            f'font-weight="bold" fill="#0b0c0c">{grade.count}</text>'
        )
    out.append("</svg>")
    return "".join(out)
