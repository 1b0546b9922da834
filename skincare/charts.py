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


def _svg_open(*, css_class, width, height, uid, title, desc):
    """The chart's opening tag and its accessible name: ``role="img"`` labelled by its own
    ``<title>`` and ``<desc>`` (ids from ``uid``, unique on the page)."""
    title_id, desc_id = f"chart-title-{uid}", f"chart-desc-{uid}"
    return [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
            'role="img" aria-labelledby="{} {}">',
            css_class,
            width,
            height,
            width,
            height,
            title_id,
            desc_id,
        ),
        format_html('<title id="{}">{}</title><desc id="{}">{}</desc>', title_id, title, desc_id, desc),
    ]


def _label_every(count):
    """Every how many slots the x axis shows a label so that about eight fit without overlapping."""
    return max(1, round(count / 8))


def _x_label(label, *, x, height):
    """A slot's label on the x axis, centred under it at ``x``."""
    return format_html(
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
        f"{x:.1f}",
        height - 10,
        label,
    )


def _axes(peak, *, left, top, plot_w, plot_h):
    """The x axis line and the y axis's two labels: the top of the scale (``peak``) and 0."""
    return format_html(
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end" font-size="11">{}</text>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end" font-size="11">0</text>',
        left,
        top + plot_h,
        left + plot_w,
        top + plot_h,
        left - 4,
        top + 4,
        _number(peak),
        left - 4,
        top + plot_h,
    )


def bar_chart_svg(points, *, title, desc, width=640, height=200, label_every=None, chart_id=None, y_max=None) -> str:
    """A vertical bar chart of ``points`` (``[(label, value), ...]``, values >= 0) as an SVG string.

    Bars scale to the largest value (an all-zero series draws empty bars of height 0). Every bar
    carries its own ``<title>`` ("label: value") so pointing at it tells the figure; the x axis shows
    every ``label_every``-th label (chosen so labels do not overlap when not given) and the y axis
    shows the maximum. ``chart_id`` (default: from the title) keeps the ids unique on one page.
    ``y_max`` fixes the top of the scale (a 0-100 score keeps its meaning from one chart to the next).
    """
    points = [(str(label), value) for label, value in points]
    uid = chart_id or slugify(title) or "chart"
    top, bottom, left, right = 16, 28, 56, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = y_max if y_max is not None else max((value for _, value in points), default=0)
    slot = plot_w / len(points) if points else plot_w
    bar_w = max(slot * 0.7, 1)
    label_every = _label_every(len(points)) if label_every is None else label_every
    parts = [
        *_svg_open(css_class="chart", width=width, height=height, uid=uid, title=title, desc=desc),
        _axes(peak, left=left, top=top, plot_w=plot_w, plot_h=plot_h),
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
            parts.append(_x_label(label, x=left + index * slot + slot / 2, height=height))
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


def line_chart_svg(points, *, title, desc, y_max, width=640, height=220, chart_id=None) -> str:
    """A line chart of ``points`` (``[(label, value), ...]``, 0 <= value <= ``y_max``) as an SVG string.

    The y axis runs from 0 to the fixed ``y_max`` (a rating scale keeps its meaning from one chart
    to the next), with a labelled gridline at every whole step. Each point is a marker carrying its
    own ``<title>`` ("label: value") and its value written above it, so the chart reads without
    colour; every label is shown on the x axis.
    """
    points = [(str(label), value) for label, value in points]
    uid = chart_id or slugify(title) or "chart"
    top, bottom, left, right = 16, 28, 40, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(points) if points else plot_w
    parts = [
        *_svg_open(css_class="chart chart-line", width=width, height=height, uid=uid, title=title, desc=desc),
    ]
    for step in range(int(y_max) + 1):
        y = top + plot_h - step / y_max * plot_h
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc"/>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="end" font-size="11">{}</text>',
                left,
                f"{y:.1f}",
                left + plot_w,
                f"{y:.1f}",
                left - 4,
                f"{y + 4:.1f}",
                step,
            )
        )
    coordinates = [
        (left + index * slot + slot / 2, top + plot_h - float(value) / y_max * plot_h)
        for index, (_, value) in enumerate(points)
    ]
    if len(coordinates) > 1:
        parts.append(
            format_html(
                '<polyline class="chart-line-path" fill="none" stroke="#b5546b" stroke-width="2" points="{}"/>',
                " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
            )
        )
    for (label, value), (x, y) in zip(points, coordinates, strict=True):
        parts.append(
            format_html(
                '<circle class="chart-point" cx="{}" cy="{}" r="4" fill="#b5546b"><title>{}: {}</title></circle>'
                '<text class="chart-value" x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                f"{x:.1f}",
                f"{y:.1f}",
                label,
                _number(value),
                f"{x:.1f}",
                f"{max(y - 8, 10):.1f}",
                _number(value),
            )
        )
        parts.append(_x_label(label, x=x, height=height))
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))


def stacked_bar_chart_svg(rows, *, series, title, desc, width=640, height=220, label_every=None, chart_id=None) -> str:
    """Stacked vertical bars: ``rows`` is ``[(label, [value per series]), ...]`` (values >= 0) and
    ``series`` ``[(name, css_class, colour), ...]`` bottom to top. Bars scale to the tallest stack;
    every segment carries its own ``<title>`` ("label · series: value") and a legend names the series
    in words, so the chart reads without colour; ``stacked_table`` is its text alternative."""
    rows = [(str(label), list(values)) for label, values in rows]
    uid = chart_id or slugify(title) or "chart"
    top, bottom, left, right = 28, 28, 56, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((sum(values) for _, values in rows), default=0)
    slot = plot_w / len(rows) if rows else plot_w
    bar_w = max(slot * 0.7, 1)
    label_every = _label_every(len(rows)) if label_every is None else label_every
    parts = [
        *_svg_open(css_class="chart chart-stacked", width=width, height=height, uid=uid, title=title, desc=desc),
        _axes(peak, left=left, top=top, plot_w=plot_w, plot_h=plot_h),
    ]
    for index, (name, css_class, colour) in enumerate(series):
        x = left + index * 130
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="4" width="10" height="10" fill="{}"/>'
                '<text class="chart-label" x="{}" y="13" font-size="11">{}</text>',
                css_class,
                x,
                colour,
                x + 14,
                name,
            )
        )
    for index, (label, values) in enumerate(rows):
        x = left + index * slot + (slot - bar_w) / 2
        base = top + plot_h
        for (name, css_class, colour), value in zip(series, values, strict=True):
            segment = (float(value) / float(peak) * plot_h) if peak else 0
            base -= segment
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} · {}: {}</title></rect>',
                    css_class,
                    f"{x:.1f}",
                    f"{base:.1f}",
                    f"{bar_w:.1f}",
                    f"{segment:.1f}",
                    colour,
                    label,
                    name,
                    _number(value),
                )
            )
        if index % label_every == 0:
            parts.append(_x_label(label, x=left + index * slot + slot / 2, height=height))
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))


def figures_table(rows, *, caption, headers) -> str:
    """Rows of figures as an HTML table: ``headers`` name the columns, the first cell of each row
    is its header (a stacked chart's or a report's text alternative)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((header,) for header in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html(
                    '<th scope="row">{}</th>{}',
                    row[0],
                    format_html_join("", "<td>{}</td>", ((_cell(value),) for value in row[1:])),
                ),
            )
            for row in rows
        ),
    )
    return format_html(
        '<table class="chart-table"><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        caption,
        head,
        body,
    )


def _cell(value):
    if value is None:
        return "—"
    return _number(value) if isinstance(value, int | float | Decimal) else str(value)
