"""Hand-drawn SVG charts for the dashboard, rendered on the server (no chart library, nothing to fetch).

Each chart is a ``<figure>`` holding an inline SVG and an HTML legend. Every drawn value carries its
numbers as attributes (``data-series``, ``data-x``, ``data-y``) and a ``<title>`` tooltip, so a person
can hover it and a browser test can read the chart back from the DOM. Colours come from the Okabe-Ito
palette (readable with the common colour-vision deficiencies); a name in ``FIXED`` keeps its colour on
every chart.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
    "#000000",
]
FIXED = {
    "easy": "#009E73", "hard": "#D55E00", "no_answer": "#999999",
    "seed": "#0072B2", "complex": "#E69F00", "similar": "#CC79A7",
    "accepted": "#009E73", "rejected": "#D55E00",
}  # fmt: skip
WIDTH, HEIGHT = 520, 240
INTERVAL_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25)  # tick steps of a zoomed share axis (error_bars)
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 14, 34


def colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per name: the fixed one when it has one, else the palette in order."""
    free = itertools.cycle(PALETTE)
    return {name: FIXED.get(name) or next(free) for name in names}


def _el(tag: str, attrs: dict[str, object], title: str = "") -> str:
    """One SVG element; attribute values are escaped, floats written with one decimal."""
    parts = [
        f'{k.replace("_", "-")}="{escape(f"{v:.1f}" if isinstance(v, float) else v)}"'
        for k, v in attrs.items()
    ]
    inner = f"<title>{escape(title)}</title>" if title else ""
    return f"<{tag} {' '.join(parts)}>{inner}</{tag}>"


def _fmt(value: float, percent: bool, digits: int = 1) -> str:
    if percent:
        return f"{value * 100:.{digits}f} %"
    return f"{value:g}" if value == int(value) else f"{value:.3g}"


def nice_max(value: float) -> tuple[float, float]:
    """An axis maximum at or above ``value`` (a count) and a whole tick step giving 1-5 ticks."""
    if value <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (magnitude / 5, magnitude / 2, magnitude, 2 * magnitude, 5 * magnitude):
        if step < 1:
            continue
        if value / step <= 5:
            return step * math.ceil(value / step - 1e-9), step
    return 10 * magnitude, 2 * magnitude


def _frame(
    name: str, title: str, y_max: float, y_step: float, percent: bool, y_label: str, y_min: float = 0.0
) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" data-chart="{escape(name)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    ticks = int(round((y_max - y_min) / y_step))
    for i in range(ticks + 1):
        value = y_min + i * y_step
        y = TOP + plot_h - plot_h * (value - y_min) / (y_max - y_min)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{escape(_fmt(value, percent, 0))}</text>")  # fmt: skip
    parts.append(f'<text class="axis-label" x="10" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 10 {TOP + plot_h / 2:.0f})">{escape(y_label)}</text>')  # fmt: skip
    return parts


def _legend(names: Sequence[str], colour: dict[str, str]) -> str:
    items = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" '
        f'fill="{colour[n]}"/></svg>{escape(n)}</li>'
        for n in names
    )
    return f'<ul class="legend">{items}</ul>'


def _figure(name: str, title: str, svg: list[str], legend: str, note: str = "") -> Markup:
    caption = f"<figcaption>{escape(title)}</figcaption>"
    extra = f'<p class="chart-note">{escape(note)}</p>' if note else ""
    return Markup(f'<figure class="chart-box" id="chart-{escape(name)}">{caption}{"".join(svg)}</svg>'
                  f"{legend}{extra}</figure>")  # fmt: skip


def empty(name: str, title: str, message: str) -> Markup:
    """A chart's place while its data do not exist yet."""
    caption = f"<figcaption>{escape(title)}</figcaption>"
    body = f'<p class="muted">{escape(message)}</p>'
    return Markup(f'<figure class="chart-box empty-chart" id="chart-{escape(name)}">{caption}{body}</figure>')


def line_chart(
    name: str,
    title: str,
    xs: Sequence[int],
    series: Mapping[str, Mapping[int, float]],
    *,
    x_label: str = "round",
    y_label: str = "accuracy",
    percent: bool = True,
) -> Markup:
    """One line per series over the categories ``xs`` (a missing point breaks nothing: it is skipped)."""
    if not any(series.values()):
        return empty(name, title, "Nothing evaluated yet.")
    top = max([v for points in series.values() for v in points.values()] + [0.0])
    y_max, y_step = (1.0, 0.25) if percent else nice_max(top)
    svg = _frame(name, title, y_max, y_step, percent, y_label)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(xs), 1)
    pos = {x: LEFT + slot * (i + 0.5) for i, x in enumerate(xs)}
    for x in xs:
        svg.append(f'<text class="tick" x="{pos[x]:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                   f"{escape(str(x))}</text>")  # fmt: skip
    svg.append(f'<text class="axis-label" x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 2}" '
               f'text-anchor="middle">{escape(x_label)}</text>')  # fmt: skip
    colour = colours(list(series))
    for label, points in series.items():
        coords = [(x, pos[x], TOP + plot_h - plot_h * points[x] / y_max) for x in xs if x in points]
        path = " ".join(f"{px:.1f},{py:.1f}" for _, px, py in coords)
        svg.append(f'<polyline class="line" points="{path}" stroke="{colour[label]}" fill="none"/>')
        for x, px, py in coords:
            text = f"{label}, {x_label} {x}: {_fmt(points[x], percent)}"
            attrs = {"class": "point", "cx": px, "cy": py, "r": 4, "fill": colour[label],
                     "data_series": label, "data_x": x, "data_y": f"{points[x]:.6g}"}  # fmt: skip
            svg.append(_el("circle", attrs, text))
    return _figure(name, title, svg, _legend(list(series), colour))


def stacked_bars(
    name: str,
    title: str,
    categories: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    *,
    x_label: str = "round",
    y_label: str = "problems",
    marker: tuple[float, str] | None = None,
    note: str = "",
) -> Markup:
    """A bar per category with one segment per stack name, bottom up; ``marker`` = (x in [0, 1], label)
    draws a vertical line across the plot (a histogram's threshold)."""
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(categories))]
    if not any(totals):
        return empty(name, title, "Nothing recorded yet.")
    y_max, y_step = nice_max(max(totals + [0.0]))
    svg = _frame(name, title, y_max, y_step, False, y_label)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar_w = min(max(slot * 0.7, 1.0), 72.0)
    colour = colours(list(stacks))
    show_every = max(1, math.ceil(len(categories) / 12))
    for i, category in enumerate(categories):
        x = LEFT + slot * i + (slot - bar_w) / 2
        if i % show_every == 0:
            svg.append(f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                       f'text-anchor="middle">{escape(category)}</text>')  # fmt: skip
        base = 0.0
        for label, values in stacks.items():
            value = values[i]
            if value <= 0:
                continue
            y0 = TOP + plot_h - plot_h * (base + value) / y_max
            height = plot_h * value / y_max
            text = f"{label}, {x_label} {category}: {_fmt(value, False)}"
            attrs = {"class": "bar", "x": x, "y": y0, "width": bar_w, "height": height, "fill": colour[label],
                     "data_series": label, "data_x": category, "data_y": f"{value:g}"}  # fmt: skip
            svg.append(_el("rect", attrs, text))
            base += value
        if totals[i] > 0 and len(categories) <= 12:
            svg.append(f'<text class="total" x="{x + bar_w / 2:.1f}" '
                       f'y="{TOP + plot_h - plot_h * totals[i] / y_max - 4:.1f}" text-anchor="middle">'
                       f"{escape(_fmt(totals[i], False))}</text>")  # fmt: skip
    svg.append(f'<text class="axis-label" x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 2}" '
               f'text-anchor="middle">{escape(x_label)}</text>')  # fmt: skip
    if marker is not None:
        at, label = marker
        mx = LEFT + plot_w * min(max(at, 0.0), 1.0)
        svg.append(f'<line class="marker" x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                   f'data-marker="{at:g}"/><text class="marker-label" x="{mx - 4:.1f}" y="{TOP + 10}" '
                   f'text-anchor="end">{escape(label)}</text>')  # fmt: skip
    return _figure(name, title, svg, _legend(list(stacks), colour), note)


def _share_axis(lows: Sequence[float], highs: Sequence[float]) -> tuple[float, float, float]:
    """(y_min, y_max, step) of a share axis inside [0, 1] around the values (a little margin), at most 5
    steps of one of ``INTERVAL_STEPS``."""
    low, high = min(lows), max(highs)
    pad = max(0.1 * (high - low), 0.01)
    low, high = max(low - pad, 0.0), min(high + pad, 1.0)
    for step in INTERVAL_STEPS:
        bottom = math.floor(low / step + 1e-9) * step
        top = min(math.ceil(high / step - 1e-9) * step, 1.0)
        if (top - bottom) / step <= 5 + 1e-9:
            return bottom, top, step
    return 0.0, 1.0, 0.25


def error_bars(
    name: str, title: str, estimates: Mapping[str, Mapping[str, float | None]], *, y_label: str = "accuracy"
) -> Markup:
    """A dot per category at its ``mean`` with a whisker from ``lo`` to ``hi`` (shares in [0, 1], shown as
    percent; no whisker where the interval is None, i.e. one value). The axis is zoomed to the whiskers, so
    dots, not bars (a bar's length from a cut axis would mislead); a whisker past 0 or 100 % is cut there."""
    if not estimates:
        return empty(name, title, "No finished run yet.")
    lows = [e["lo"] if e["lo"] is not None else e["mean"] for e in estimates.values()]
    highs = [e["hi"] if e["hi"] is not None else e["mean"] for e in estimates.values()]
    y_min, y_max, y_step = _share_axis(
        [v for v in lows if v is not None], [v for v in highs if v is not None]
    )
    svg = _frame(name, title, y_max, y_step, True, y_label, y_min)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(estimates)
    colour = colours(list(estimates))

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * (min(max(value, y_min), y_max) - y_min) / (y_max - y_min)

    for i, (label, e) in enumerate(estimates.items()):
        x, mean, lo, hi = LEFT + slot * (i + 0.5), float(e["mean"] or 0.0), e["lo"], e["hi"]
        svg.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                   f"{escape(label)}</text>")  # fmt: skip
        if lo is not None and hi is not None:
            top, bottom = y_of(hi), y_of(lo)
            caps = f"M{x - 8:.1f},{top:.1f}H{x + 8:.1f}M{x - 8:.1f},{bottom:.1f}H{x + 8:.1f}"
            path = f"{caps}M{x:.1f},{top:.1f}V{bottom:.1f}"
            svg.append(f'<path class="whisker" d="{path}" stroke="{colour[label]}"/>')
            interval = f" [{_fmt(lo, True)}, {_fmt(hi, True)}]"
        else:
            interval = f" (n={e.get('n', 1):g})"
        attrs = {"class": "point", "cx": x, "cy": y_of(mean), "r": 5, "fill": colour[label],
                 "data_series": label, "data_x": label, "data_y": f"{mean:.6g}",
                 "data_lo": "" if lo is None else f"{lo:.6g}",
                 "data_hi": "" if hi is None else f"{hi:.6g}"}  # fmt: skip
        svg.append(_el("circle", attrs, f"{label}: {_fmt(mean, True)}{interval}"))
    return _figure(name, title, svg, "")
