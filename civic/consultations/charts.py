"""Server-rendered, accessible bar charts of consultation answers (templates/consultations/_chart.html).

Each bar is an HTML row: its label above it, the bar itself (an SVG sized by CSS, whose one rect is
the answer's share of the people who answered), and the count and share as text beside it. The text
is HTML, so it keeps the page's type size at any width (an SVG scaled by its viewBox grew its
labels to 28 px on a desktop) and a long Thai option wraps instead of being cut."""

from __future__ import annotations


def percent_text(percent: float) -> str:
    """50.0 -> "50%", 33.3 -> "33.3%": a share reads as people write it."""
    return f"{percent:g}%"


def scale_labels(labels: list[str], low: str, high: str) -> list[str]:
    """A scale's bare numbers with the meaning of its two ends: "1 = not at all", ..., "5 = very much"."""
    if len(labels) < 2:
        return labels
    return [f"{labels[0]} = {low}", *labels[1:-1], f"{labels[-1]} = {high}"]


def bar_chart(chart_id: str, title: str, desc: str, rows: list[tuple[str, int, float]]) -> dict:
    bars = [
        {
            "label": label,
            "count": count,
            "percent": percent_text(percent),
            # An answer someone chose stays visible however small its share.
            "width": f"{max(percent, 0.5) if count else 0:g}%",
        }
        for label, count, percent in rows
    ]
    return {"id": chart_id, "title": title, "desc": desc, "bars": bars}
