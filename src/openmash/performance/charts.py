"""An indicator's trend over 8 quarters as a small SVG line chart, drawn on the server.

The chart is an image with a title and a description that says the trend in words; the same figures are in a
table beside it, which is what a screen reader user is pointed to. Hidden ("c") and missing quarters leave a gap.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 320, 160
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


def _label(value: float, unit: str) -> str:
    return f"{value:,.1f}%" if unit == "percent" else f"{value:,.1f}"


def _missing(value: object) -> str:
    return "hidden" if value == "c" else "none"


def trend_svg(row: Any) -> SafeString:
    """`row` is a scorecard Row: its trend points, target and indicator."""
    indicator = row.indicator
    points = row.trend
    values = [p.value if isinstance(p.value, (int, float)) else None for p in points]
    known = [v for v in values if v is not None]
    chart_id = f"chart-{indicator.id}"
    words = ", ".join(
        f"{p.period.short_label}: {_label(v, indicator.unit) if v is not None else _missing(p.value)}"
        for p, v in zip(points, values, strict=True)
    )
    title = f"{indicator.full_name}, last {len(points)} quarters"
    if not known:
        return format_html('<p class="govuk-body-s">{}</p>', "No figures to chart for these quarters.")
    top = max([*known, row.target or 0]) * 1.1 or 1.0
    bottom = 0.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - bottom) / (top - bottom))

    # Lines join neighbouring known points only, so a gap shows where a quarter is hidden or missing.
    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append((x(i), y(v)))
    lines = format_html_join(
        "",
        '<polyline class="app-chart__line" points="{}"/>',
        ((" ".join(f"{px:.1f},{py:.1f}" for px, py in seg),) for seg in segments if len(seg) > 1),
    )
    dots = format_html_join(
        "",
        '<circle class="app-chart__point" cx="{}" cy="{}" r="3.5"/>',
        ((f"{x(i):.1f}", f"{y(v):.1f}") for i, v in enumerate(values) if v is not None),
    )
    target = (
        format_html(
            '<line class="app-chart__target" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="app-chart__text" x="{}" y="{}" text-anchor="end">Target</text>',
            LEFT,
            WIDTH - RIGHT,
            f"{y(row.target):.1f}",
            f"{y(row.target):.1f}",
            WIDTH - RIGHT,
            f"{y(row.target) - 4:.1f}",
        )
        if row.target is not None
        else ""
    )
    axis = format_html(
        '<line class="app-chart__axis" x1="{l}" x2="{l}" y1="{t}" y2="{b}"/>'
        '<line class="app-chart__axis" x1="{l}" x2="{r}" y1="{b}" y2="{b}"/>'
        '<text class="app-chart__text" x="{lx}" y="{ty}" text-anchor="end">{top}</text>'
        '<text class="app-chart__text" x="{lx}" y="{b}" text-anchor="end">0</text>'
        '<text class="app-chart__text" x="{l}" y="{by}">{first}</text>'
        '<text class="app-chart__text" x="{r}" y="{by}" text-anchor="end">{last}</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=HEIGHT - BOTTOM,
        lx=LEFT - 4,
        ty=TOP + 8,
        by=HEIGHT - 8,
        top=_label(top, indicator.unit),
        first=points[0].period.short_label,
        last=points[-1].period.short_label,
    )
    return format_html(
        '<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{words}</desc>{axis}{target}{lines}{dots}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        words=words,
        axis=axis,
        target=target,
        lines=lines,
        dots=dots,
    )


__all__ = ["trend_svg"]
