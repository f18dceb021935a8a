"""The search-analytics chart, rendered on the server as SVG with pygal (no scripts, no CDN)."""

from __future__ import annotations

import pygal
from pygal.style import CleanStyle


def searches_chart(data, searches_label: str, zero_label: str) -> bytes:
    chart = pygal.Bar(
        width=760,
        height=300,
        style=CleanStyle,
        show_legend=True,
        legend_at_bottom=True,
        x_label_rotation=30,
        js=[],
        disable_xml_declaration=False,
        print_values=False,
        no_data_text="—",
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(data.per_day) // 10),
    )
    most = max((n for _d, n, _z in data.per_day), default=0)
    step = max(1, -(-most // 6))  # whole searches on the axis, at most about seven labels
    chart.y_labels = list(range(0, most + step + 1, step))
    chart.x_labels = [day[5:] for day, _n, _z in data.per_day]
    chart.add(searches_label, [n for _d, n, _z in data.per_day])
    chart.add(zero_label, [z for _d, _n, z in data.per_day])
    return chart.render()
