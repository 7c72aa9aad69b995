"""Dashboard charts as inline SVG rendered on the server by pygal: no JavaScript, nothing fetched."""
from __future__ import annotations

import re
from datetime import date

import pygal
from flask_babel import format_date, format_decimal, gettext
from markupsafe import Markup

from admin.headers import csp_nonce
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
DESK_STYLE = Style(background="transparent", plot_background="transparent",
                   colors=("#6c757d", "#007bff", "#28a745", "#ffc107", "#dc3545"),
                   font_family="system-ui, sans-serif")


def _config(**options) -> dict:
    # js=[]: pygal would otherwise add a <script> loading its tooltips from the internet.
    return dict(style=DESK_STYLE, js=[], disable_xml_declaration=True, height=320, legend_at_bottom=True,
                value_formatter=lambda v: format_decimal(v or 0, format="#,##0"), **options)


def _svg(chart) -> Markup:
    # pygal always inlines its tooltip configuration as a <script>; the charts need none (strict CSP).
    # Its <style> stays, carrying this response's CSP nonce.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return Markup(svg.replace("<style", f'<style nonce="{csp_nonce()}"'))


def target_bars(title, rows) -> Markup | None:
    """Target against actual per person or team: rows of (name, metric, target, actual)."""
    if not rows:
        return None
    chart = pygal.Bar(**_config(title=str(title), x_label_rotation=20))
    chart.x_labels = [name for name, *_rest in rows]
    chart.add(gettext("Target"), [float(target or 0) for _n, _m, target, _a in rows])
    chart.add(gettext("Actual"), [float(actual or 0) for _n, _m, _t, actual in rows])
    return _svg(chart)


def revenue_line(title, months) -> Markup | None:
    """Revenue per month: rows of (year, month, revenue)."""
    if not months:
        return None
    chart = pygal.Line(**_config(title=str(title), show_legend=False))
    chart.x_labels = [format_date(date(year, month, 1), "MMM yyyy") for year, month, _total in months]
    chart.add(gettext("Revenue"), [float(total) for _y, _m, total in months])
    return _svg(chart)


def status_bars(title, counts) -> Markup | None:
    """Records per state: rows of (label, count)."""
    if not counts:
        return None
    chart = pygal.HorizontalBar(**_config(title=str(title), show_legend=False))
    chart.x_labels = [str(label) for label, _count in counts]
    chart.add(gettext("Records"), [count for _label, count in counts])
    return _svg(chart)
