"""The data-quality trend as a small inline SVG (the same look as the scorecard's charts): errors as a solid
line, queries dashed, at each full check. The table beside it carries the same figures in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 480, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


def trend_svg(points: Sequence[Any]) -> SafeString:
    """`points`: TrendPoints (date, errors, queries), oldest first; nothing to draw for fewer than two."""
    if len(points) < 2:
        return SafeString("")
    top = max(max(p.errors, p.queries) for p in points) * 1.1 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / (len(points) - 1)

    def xy(i: int, v: float) -> str:
        return f"{LEFT + i * step:.1f},{TOP + plot_h * (1 - v / top):.1f}"

    errors = " ".join(xy(i, p.errors) for i, p in enumerate(points))
    queries = " ".join(xy(i, p.queries) for i, p in enumerate(points))
    words = "; ".join(f"{p.date:%d %b %Y}: {p.errors} errors, {p.queries} queries" for p in points)
    labels = format_html_join(
        "",
        '<text class="app-chart__text" x="{}" y="{}"{}>{}</text>',
        [
            (LEFT, HEIGHT - 8, "", f"{points[0].date:%d %b}"),
            (WIDTH - RIGHT, HEIGHT - 8, SafeString(' text-anchor="end"'), f"{points[-1].date:%d %b}"),
            (LEFT - 4, TOP + 8, SafeString(' text-anchor="end"'), f"{top:.0f}"),
            (LEFT - 4, HEIGHT - BOTTOM, SafeString(' text-anchor="end"'), "0"),
        ],
    )
    return format_html(
        '<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="dq-trend-title dq-trend-desc" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="dq-trend-title">Census failures at each full check: errors (solid), queries (dashed)</title>'
        '<desc id="dq-trend-desc">{words}</desc>'
        '<line class="app-chart__axis" x1="{l}" x2="{l}" y1="{t}" y2="{b}"/>'
        '<line class="app-chart__axis" x1="{l}" x2="{r}" y1="{b}" y2="{b}"/>'
        "{labels}"
        '<polyline class="app-chart__line" points="{errors}"/>'
        '<polyline class="app-chart__target" fill="none" points="{queries}"/></svg>',
        w=WIDTH,
        h=HEIGHT,
        words=words,
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=HEIGHT - BOTTOM,
        labels=labels,
        errors=errors,
        queries=queries,
    )
