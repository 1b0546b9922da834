"""Server-rendered SVG charts: pure functions from figures to markup, shared by the admin and the shop.

Each chart is accessible: ``role="img"`` with ``<title>`` and ``<desc>`` named by
``aria-labelledby``, visible text labels on the axis, and ``chart_table`` renders the same figures as
an HTML table for screen readers and for copying. No script, no inline style (the CSP forbids
inline styles too): colours come from classes the page's stylesheet sets, with SVG
presentation attributes as the fallback.
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.text import slugify


def _number(value) -> str:
    """Figures as shown: Decimals with two places, integers as they are."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def bar_chart_svg(points, *, title, desc, width=640, height=200, label_every=None, chart_id=None) -> str:
    """A vertical bar chart of ``points`` (``[(label, value), ...]``, values >= 0) as an SVG string.

    Bars scale to the largest value (an all-zero series draws empty bars of height 0). Every bar
    carries its own ``<title>`` ("label: value") so pointing at it tells the figure; the x axis shows
    every ``label_every``-th label (chosen so labels do not overlap when not given) and the y axis
    shows the maximum. ``chart_id`` (default: from the title) keeps the ids unique on one page.
    """
    points = [(str(label), value) for label, value in points]
    uid = chart_id or slugify(title) or "chart"
    title_id, desc_id = f"chart-title-{uid}", f"chart-desc-{uid}"
    top, bottom, left, right = 16, 28, 56, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((value for _, value in points), default=0)
    slot = plot_w / len(points) if points else plot_w
    bar_w = max(slot * 0.7, 1)
    if label_every is None:
        label_every = max(1, round(len(points) / 8)) if points else 1
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" width="{}" height="{}" '
            'role="img" aria-labelledby="{} {}">',
            width,
            height,
            width,
            height,
            title_id,
            desc_id,
        ),
        format_html('<title id="{}">{}</title><desc id="{}">{}</desc>', title_id, title, desc_id, desc),
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
        ),
        format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="end" font-size="11">{}</text>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end" font-size="11">0</text>',
            left - 4,
            top + 4,
            _number(peak),
            left - 4,
            top + plot_h,
        ),
    ]
    for index, (label, value) in enumerate(points):
        bar_h = (float(value) / float(peak) * plot_h) if peak else 0
        x = left + index * slot + (slot - bar_w) / 2
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="#b5546b">'
                "<title>{}: {}</title></rect>",
                f"{x:.1f}",
                f"{top + plot_h - bar_h:.1f}",
                f"{bar_w:.1f}",
                f"{bar_h:.1f}",
                label,
                _number(value),
            )
        )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                    f"{left + index * slot + slot / 2:.1f}",
                    height - 10,
                    label,
                )
            )
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))


def chart_table(points, *, caption, label_header, value_header) -> str:
    """The figures behind a chart as an HTML table (the chart's text alternative)."""
    rows = format_html_join(
        "", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((label, _number(v)) for label, v in points)
    )
    return format_html(
        '<table class="chart-table"><caption>{}</caption><thead><tr><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        caption,
        label_header,
        value_header,
        rows,
    )
