"""Bar charts drawn on the server as SVG geometry (no script: the CSP stays strict).

Each bar carries its label and its value as text, so nothing is said by colour alone; the
page shows the chart's data table beside it. Bars of a group (a month's basins) are told
apart by their text label, and by a pattern as well as a shade.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_HEIGHT = 18
BAR_GAP = 6
GROUP_GAP = 14
LABEL_WIDTH = 170
VALUE_WIDTH = 90
PLOT_WIDTH = 340
# Shades with enough contrast against white (3:1, WCAG 1.4.11), each with its own pattern.
SERIES_STYLES = (("#1f4e8c", "solid"), ("#7a3b00", "stripes"), ("#2d6a2d", "dots"), ("#5b2a86", "cross"))


@dataclass
class Bar:
    y: int
    width: float
    label: str
    value_text: str
    fill: str
    pattern: str


@dataclass
class GroupLabel:
    y: int
    text: str


@dataclass
class Chart:
    id: str
    title: str
    bars: list[Bar] = field(default_factory=list)
    groups: list[GroupLabel] = field(default_factory=list)
    height: int = 0
    marker_x: float | None = None  # a reference line (share of the year elapsed)
    marker_text: str = ""

    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH

    @property
    def patterns(self) -> list[tuple[str, str, str]]:
        return [(f"{self.id}-{name}", colour, name) for colour, name in SERIES_STYLES]


def bar_chart(chart_id: str, title: str, groups, value_text=str, maximum: float | None = None) -> Chart:
    """groups: [(group label or None, [(bar label, value), ...]), ...]."""
    values = [value or 0 for _, bars in groups for _, value in bars]
    top = maximum if maximum is not None else max(values, default=0)
    chart = Chart(chart_id, title)
    y = 4
    for group_label, bars in groups:
        if group_label is not None:
            chart.groups.append(GroupLabel(y + 12, group_label))
            y += 18
        for index, (label, value) in enumerate(bars):
            colour, pattern = SERIES_STYLES[index % len(SERIES_STYLES)]
            width = (value or 0) / top * PLOT_WIDTH if top else 0
            chart.bars.append(Bar(y, round(width, 1), label, value_text(value), colour, f"{chart_id}-{pattern}"))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP if group_label is not None else 0
    chart.height = y + 4
    return chart


def with_marker(chart: Chart, share: float, text: str) -> Chart:
    chart.marker_x = LABEL_WIDTH + round(share * PLOT_WIDTH, 1)
    chart.marker_text = text
    return chart
