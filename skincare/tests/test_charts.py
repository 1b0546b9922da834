"""The axes every SVG chart draws (``skincare.charts``): one x label every ``label_every`` slots, centred
under its slot, and the y scale's top and 0."""

import re

from skincare.charts import bar_chart_svg, line_chart_svg, stacked_bar_chart_svg

SERIES = [("Positive", "s-pos", "#111"), ("Negative", "s-neg", "#222")]


def x_labels(svg):
    return re.findall(
        r'<text class="chart-label" x="([\d.]+)" y="(\d+)" text-anchor="middle" font-size="11">([^<]*)<', svg
    )


def y_labels(svg):
    return re.findall(r'<text class="chart-label" x="(\d+)" y="(\d+)" text-anchor="end" font-size="11">([^<]*)<', svg)


def test_bar_and_stacked_charts_label_about_eight_slots_centred_under_them():
    points = [(f"d{i}", i) for i in range(16)]
    bars = bar_chart_svg(points, title="Bars", desc="d")
    stacked = stacked_bar_chart_svg(
        [(label, [value, 1]) for label, value in points], series=SERIES, title="S", desc="d"
    )
    # plot width 640 - 56 - 8 = 576: 16 slots of 36, every 2nd labelled, at the slot's middle
    expected = [(f"{56 + index * 36 + 18:.1f}", f"d{index}") for index in range(0, 16, 2)]
    assert x_labels(bars) == [(x, "190", label) for x, label in expected]  # 10 above the bottom (200)
    assert x_labels(stacked) == [(x, "210", label) for x, label in expected]
    assert [label for _, _, label in x_labels(bar_chart_svg(points, title="B", desc="d", label_every=5))] == [
        "d0",
        "d5",
        "d10",
        "d15",
    ]


def test_the_y_axis_shows_the_top_of_the_scale_and_zero():
    bars = bar_chart_svg([("a", 5), ("b", 20)], title="Bars", desc="d")
    stacked = stacked_bar_chart_svg([("a", [5, 10]), ("b", [1, 2])], series=SERIES, title="S", desc="d")
    assert y_labels(bars) == [("52", "20", "20"), ("52", "172", "0")]  # plot height 200 - 16 - 28 = 156
    assert y_labels(stacked) == [("52", "32", "15"), ("52", "192", "0")]  # the tallest stack; 220 - 28 - 28
    assert '<line class="chart-axis" x1="56" y1="172" x2="632" y2="172" stroke="#888"/>' in bars


def test_a_line_chart_labels_every_point():
    svg = line_chart_svg([("w1", 3), ("w2", 4), ("w3", 5)], title="L", desc="d", y_max=5, width=340)
    # plot width 340 - 40 - 16 = 284: 3 slots of 94.67
    assert x_labels(svg) == [("87.3", "210", "w1"), ("182.0", "210", "w2"), ("276.7", "210", "w3")]
