"""Geometry for server-rendered, accessible horizontal bar charts (templates/consultations/_chart.html).

Horizontal bars read well on a phone: labels sit above each bar, values at its end, and the
numbers are also given as text in a table next to the chart."""

from __future__ import annotations

WIDTH = 320
BAR_HEIGHT = 18
ROW = 48
LABEL_MAX = 40


def bar_chart(chart_id: str, title: str, desc: str, rows: list[tuple[str, int, float]]) -> dict:
    top = max((c for _, c, _ in rows), default=0) or 1
    bars = []
    for i, (label, count, percent) in enumerate(rows):
        y = i * ROW
        w = round((WIDTH - 80) * count / top, 1)
        short = label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"
        bars.append(
            {
                "label": short,
                "full": label,
                "count": count,
                "percent": percent,
                "y_label": y + 14,
                "y_bar": y + 20,
                "width": max(w, 1 if count else 0),
                "x_value": w + 6,
                "y_value": y + 34,
                "tone": (i % 5) + 1,
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "bars": bars,
        "width": WIDTH,
        "height": max(ROW, len(rows) * ROW),
        "bar_height": BAR_HEIGHT,
    }
