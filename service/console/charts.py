"""Server-side SVG charts (no JavaScript, no library); numbers are written with :mod:`service.console.formats`.

Every chart is an ``<svg role="img">`` with a title and description; the same numbers are always shown in
a table next to it, so the chart is a picture of the table, never the only place a number lives.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from service.console.formats import angka

BAR = "#1f4e79"
BAR_2 = "#8fb3d9"
AXIS = "#5a5a5a"
GRID = "#d9d9d9"
TEXT = "#1a1a1a"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\""

def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _ticks(top: float, n: int = 4) -> list[float]:
    return [top * i / n for i in range(n + 1)]


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# -- charts --------------------------------------------------------------------------------------
def column_chart(points: list[tuple[str, float, str]], title: str, desc: str, *, chart_id: str,
                 fmt=angka) -> Markup:
    """Vertical bars (e.g. complaints per week): points are (axis label, value, tooltip)."""
    width, height = 640, 260
    left, right, top, bottom = 44, 12, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max((v for _, v, _ in points), default=0))
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
           f'class="chart" id="{chart_id}" {FONT} font-size="12">',
           f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for tick in _ticks(vmax):
        y = top + plot_h - tick / vmax * plot_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">{escape(fmt(tick))}</text>')
    if not points:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{AXIS}">Belum ada data</text>')
    n = max(1, len(points))
    slot = plot_w / n
    bar_w = min(48.0, slot * 0.7)
    every = max(1, math.ceil(n / 12))
    for i, (label, value, tip) in enumerate(points):
        h = value / vmax * plot_h
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        out.append(f'<g class="bar" data-label="{escape(label)}" data-value="{value}"><title>{escape(tip)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0):.1f}" fill="{BAR}"/>')
        if n <= 16:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}">'
                       f'{escape(fmt(value))}</text>')
        out.append("</g>")
        if i % every == 0:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                       f'fill="{AXIS}">{escape(label)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{AXIS}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(rows: list[tuple[str, list[float | None]]], series: list[str], title: str, desc: str, *,
              chart_id: str, fmt=angka, label_chars: int = 30) -> Markup:
    """Horizontal bars, one group per row (e.g. per OPD), one bar per series (e.g. median and p90)."""
    colours = [BAR, BAR_2]
    k = len(series)
    bar_h = 14 if k > 1 else 18
    group_h = bar_h * k + 12
    label_w, width, right = 230, 640, 70
    top = 28 if k > 1 else 8
    height = top + max(1, len(rows)) * group_h + 8
    plot_w = width - label_w - right
    values = [v for _, vs in rows for v in vs if v is not None]
    vmax = _nice_max(max(values, default=0))
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
           f'class="chart" id="{chart_id}" {FONT} font-size="12">',
           f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    if k > 1:  # legend
        x = label_w
        for j, name in enumerate(series):
            out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colours[j % 2]}"/>'
                       f'<text x="{x + 16}" y="16" fill="{TEXT}">{escape(name)}</text>')
            x += 16 + 8 * len(name) + 24
    if not rows:
        out.append(f'<text x="{width / 2}" y="{top + 14}" text-anchor="middle" fill="{AXIS}">Belum ada data</text>')
    for i, (label, vs) in enumerate(rows):
        y0 = top + i * group_h
        out.append(f'<g class="bar-group" data-label="{escape(label)}">'
                   f'<text x="{label_w - 8}" y="{y0 + group_h / 2 - 1:.1f}" text-anchor="end" fill="{TEXT}">'
                   f'<title>{escape(label)}</title>{escape(_short(label, label_chars))}</text>')
        for j, v in enumerate(vs):
            y = y0 + 4 + j * bar_h
            w = 0 if v is None else v / vmax * plot_w
            out.append(f'<g class="bar" data-series="{escape(series[j])}" data-value="{"" if v is None else v}">'
                       f'<title>{escape(label)} — {escape(series[j])}: {escape(fmt(v))}</title>'
                       f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colours[j % 2]}"/>'
                       f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" fill="{TEXT}">{escape(fmt(v))}</text></g>')
        out.append("</g>")
    out.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top - 2}" y2="{height - 6}" stroke="{AXIS}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def confidence_bar(p: float, label: str) -> Markup:
    """A small horizontal bar for a probability (0–1), with the percentage as text beside it."""
    pct = max(0.0, min(1.0, float(p))) * 100
    return Markup(f'<svg class="conf" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
                  f'focusable="false"><rect width="100" height="10" fill="#e6e6e6"/>'
                  f'<rect width="{pct:.1f}" height="10" fill="{BAR}"/></svg>'
                  f'<span class="conf-num">{escape(angka(pct, 1))} %</span>'
                  f'<span class="sr-only"> keyakinan untuk {escape(label)}</span>')
