"""Accessible charts: one colour for each thing across the book (the area one strong colour,
England, the region and neighbours muted greys, mothers and fathers their own colours), markers
and line styles that read in greyscale, text large enough on a phone, a title, source line and
the book's marking drawn inside the image, and never a point that publication rules withhold
(a withheld point breaks its line)."""

from __future__ import annotations

import contextlib
import textwrap
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# A chart whose labels leave no room for tight margins is still drawn (its layout is then fixed by
# finish()); the warning would print into a published page, with the machine's path in it.
warnings.filterwarnings("ignore", message="Tight layout not applied", category=UserWarning)

OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000", "grey": "#999999",
}

# -- one colour for each thing, in every chart of the book (Okabe-Ito and greys: colour-blind safe).
# Each thing also has its own marker and line style, so it reads in greyscale and without colour.
PALETTE = {
    "area": OKABE_ITO["blue"],         # this area: the one strong colour
    "england": "#4D4D4D",              # England: dark grey
    "region": "#8C8C8C",               # the region: mid grey
    "neighbours": "#8C8C8C",           # statistical neighbours: mid grey (never beside the region)
    "others": "#C4C4C4",               # every other area: light grey
    "mothers": OKABE_ITO["vermillion"],
    "fathers": OKABE_ITO["green"],
    "model": "#4D4D4D",                # a fitted or expected line
}
ROLE_STYLES = {
    "area": [dict(color=PALETTE["area"], marker="o", linestyle="-", hatch=""),
             dict(color=PALETTE["area"], marker="s", linestyle="--", hatch="//"),
             dict(color=PALETTE["area"], marker="^", linestyle=":", hatch="..")],
    "england": [dict(color=PALETTE["england"], marker="^", linestyle="--", hatch="//")],
    "region": [dict(color=PALETTE["region"], marker="D", linestyle=":", hatch="..")],
    "neighbours": [dict(color=PALETTE["neighbours"], marker="v", linestyle="-.", hatch="xx")],
    "others": [dict(color=PALETTE["others"], marker="o", linestyle="-", hatch="")],
    "mothers": [dict(color=PALETTE["mothers"], marker="o", linestyle="-", hatch="")],
    "fathers": [dict(color=PALETTE["fathers"], marker="s", linestyle="--", hatch="//")],
    "model": [dict(color=PALETTE["model"], marker="", linestyle="-.", hatch=""),
              dict(color=PALETTE["model"], marker="", linestyle=(0, (5, 2, 1, 2)), hatch="")],
    # parts of the area's own figures (routes, groups, weeks): the area's colour first, then others
    "group": [dict(color=PALETTE["area"], marker="o", linestyle="-", hatch=""),
              dict(color=OKABE_ITO["orange"], marker="s", linestyle="--", hatch="//"),
              dict(color=OKABE_ITO["purple"], marker="^", linestyle=":", hatch=".."),
              dict(color=OKABE_ITO["black"], marker="D", linestyle="-.", hatch="xx"),
              dict(color=OKABE_ITO["sky"], marker="v", linestyle=(0, (5, 2, 1, 2)), hatch="\\\\")],
}
SERIES_STYLES = [{k: v for k, v in style.items() if k != "hatch"} for style in ROLE_STYLES["group"]]

# Words that name a thing in a series' label (checked in this order).
_ROLE_WORDS = [("england", "england"), ("region", "region"), ("neighbour", "neighbours"),
               ("other areas", "others"), ("mother", "mothers"), ("father", "fathers"), ("model", "model"),
               ("expected", "model"), ("without the change", "model")]


def role_of(name) -> str:
    """What a series is, from its label: England, the region, neighbours, mothers, fathers, a
    model, or ("group") one of the area's own series."""
    low = str(name).lower()
    for word, role in _ROLE_WORDS:
        if word in low:
            return role
    return "group"


def series_styles(names, roles: dict | None = None) -> dict:
    """The style of each series: its role's colour (given in ``roles``, else read from its label),
    and a marker and line style that differ from the other series of the same role."""
    roles = roles or {}
    seen: dict[str, int] = {}
    out = {}
    for name in dict.fromkeys(names):
        role = roles.get(str(name)) or role_of(name)
        styles = ROLE_STYLES[role]
        k = seen.get(role, 0)
        seen[role] = k + 1
        style = dict(styles[k % len(styles)])
        if k >= len(styles):  # more series of one role than it has styles: vary the marker too
            style["marker"] = ["o", "s", "^", "D", "v", "P", "X"][k % 7]
        out[name] = style
    return out


def line_style(style: dict) -> dict:
    return {k: v for k, v in style.items() if k != "hatch"}


# -- page sizes: the same chart drawn wide (a desktop page) and narrow (a phone)
WIDE, NARROW = "wide", "narrow"
PROFILES = {
    WIDE: {"width": 1.0, "height": 1.0, "font": 12.0},
    # a phone shows the chart 342 px wide (a 390 px screen): drawn 4.3 inches wide (327 pt with its
    # margins), with 15.5 pt text, the image is shown at 342/327 of its size and its smallest text
    # (16.2 px) is as large as the page's caption (16 px). ``page``: the width (inches) every text,
    # legend and label is fitted into, so nothing widens the image.
    NARROW: {"width": 0.56, "height": 1.1, "font": 15.5, "page": 4.3},
}
_profile = {"name": WIDE}


@contextlib.contextmanager
def profile(name: str):
    """Draw the charts inside this block for a page size (WIDE or NARROW)."""
    before = _profile["name"]
    _profile["name"] = name
    try:
        yield PROFILES[name]
    finally:
        _profile["name"] = before


def current() -> dict:
    return PROFILES[_profile["name"]]


# Text from the parameters (event labels) is drawn as written: a '$' in it is a dollar sign,
# never the start of matplotlib's maths ("Spend $x^$ review" would fail to draw).
PLAIN_TEXT = {"parse_math": False, "usetex": False}


def theme() -> None:
    import seaborn as sns

    font = current()["font"]
    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.05,
                  palette=list(OKABE_ITO.values()))
    plt.rcParams.update({"figure.dpi": 110, "axes.titleweight": "bold", "axes.spines.top": False,
                         "axes.spines.right": False, "font.size": font, "axes.labelsize": font,
                         "axes.titlesize": font, "xtick.labelsize": font, "ytick.labelsize": font,
                         "legend.fontsize": font, "figure.titlesize": font,
                         # the same figure gives the same file (SVG ids and no date); text stays text
                         # (a quarter of the size of glyph paths), in the font it was laid out with
                         "svg.hashsalt": "prebirth", "svg.fonttype": "none", "font.family": "sans-serif",
                         "font.sans-serif": ["DejaVu Sans", "Verdana", "Bitstream Vera Sans", "sans-serif"]})


def size(width: float, height: float) -> tuple[float, float]:
    """A figure's size (inches) on the current page size (on a phone, never wider than its page)."""
    p = current()
    return min(width * p["width"], p.get("page", float("inf"))), height * p["height"]


def new(width: float = 8, height: float = 4.2):
    theme()
    return plt.subplots(figsize=size(width, height))


def positions(values) -> dict:
    """The x position of each label, in order (years sort as text: '2019/20' < '2020/21')."""
    labels = list(dict.fromkeys(values))
    try:
        labels = sorted(labels)
    except TypeError:
        pass
    return {label: i for i, label in enumerate(labels)}


def with_gaps(group: pd.DataFrame, x: str, y: str, position: dict) -> tuple[np.ndarray, np.ndarray]:
    """A series on every x position, NaN where its point is withheld or missing, so the line
    breaks there instead of joining the points either side."""
    ys = np.full(len(position), np.nan)
    for xv, yv in zip(group[x], group[y]):
        if xv in position:
            ys[position[xv]] = yv
    return np.arange(len(position), dtype=float), ys


def event_labels(ax, events: list, position: dict | None = None, offset: float = 0.0, label: bool = True):
    """Dotted vertical lines for service changes, labelled above the plot (clear of the data and
    of the legend, which sits below), the label turned to stay inside the chart's width."""
    for event in events or []:
        where = position.get(event["x"]) if position is not None else event["x"]
        if where is None:
            continue
        where = where + offset
        ax.axvline(where, color=OKABE_ITO["grey"], linestyle=":", linewidth=1.5)
        if label:
            low, high = ax.get_xlim()
            right = (where - low) > (high - low) / 2
            note = ax.annotate(event["label"], (where, 1), xycoords=("data", "axes fraction"), xytext=(0, 4),
                               textcoords="offset points", va="bottom", ha="right" if right else "left",
                               color="#333333", fontsize=current()["font"] * 0.9 if _profile["name"] == WIDE else None,
                               **PLAIN_TEXT)
            note._prebirth_event = True  # finish() keeps event labels apart and inside a phone's width


def legend_under(ax, ncol: int | None = None):
    """The legend below the plot, so it never covers the data or the event labels."""
    handles, names = ax.get_legend_handles_labels()
    if handles:
        if ncol is None:
            ncol = 1 if _profile["name"] == NARROW else min(len(handles), 2)
        legend = ax.legend(handles, names, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22),
                           ncol=ncol)
        legend._prebirth_under = True  # finish() moves it just below the tick labels


def lines_with_ci(data: pd.DataFrame, x: str, y: str, series: str, ylabel: str, lower: str | None = None,
                  upper: str | None = None, events: list | None = None, title: str = "", roles: dict | None = None):
    """One line per series, with confidence bars; a withheld (or missing) point breaks its line.

    Each series takes its thing's colour (:func:`series_styles`; ``roles`` names a series' role
    where its label does not say it, e.g. the region)."""
    fig, ax = new()
    position = positions(data[x])
    styles = series_styles(data[series].tolist(), roles)
    for name, group in data.groupby(series, sort=False):
        style = line_style(styles[name])
        xs, ys = with_gaps(group, x, y, position)
        ax.plot(xs, ys, label=name, linewidth=2, markersize=6, **style)
        if lower and upper and group[lower].notna().any():
            _, lo = with_gaps(group, x, lower, position)
            _, hi = with_gaps(group, x, upper, position)
            err = np.vstack([ys - lo, hi - ys])
            ax.errorbar(xs, ys, yerr=err, fmt="none", ecolor=style["color"], alpha=0.6, capsize=3)
    ax.set_xticks(range(len(position)))
    ax.set_xticklabels(list(position), rotation=45, ha="right")
    ax.set_xlim(-0.5, len(position) - 0.5)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.set_ylim(bottom=0)
    event_labels(ax, events, position)
    legend_under(ax)
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig


def funnel(points: pd.DataFrame, limits: pd.DataFrame, target: float, highlight: str, xlabel: str, ylabel: str,
           neighbours: list[str] | None = None):
    """Funnel plot: every area's value against its denominator, 95% and 99.8% limits."""
    fig, ax = new(8, 4.8)
    ax.plot(limits["denominator"], limits["lower_95"], color=OKABE_ITO["grey"], linestyle="--", label="95% limits")
    ax.plot(limits["denominator"], limits["upper_95"], color=OKABE_ITO["grey"], linestyle="--")
    ax.plot(limits["denominator"], limits["lower_99_8"], color=OKABE_ITO["black"], linestyle=":", label="99.8% limits")
    ax.plot(limits["denominator"], limits["upper_99_8"], color=OKABE_ITO["black"], linestyle=":")
    ax.axhline(target, color=PALETTE["england"], linewidth=1.5, label="England")
    others = points[points["area_code"] != highlight]
    near = others["area_code"].isin(neighbours or [])
    ax.scatter(others.loc[~near, "denominator"], others.loc[~near, "value"], s=18, color=PALETTE["others"],
               edgecolor="#8C8C8C", linewidth=0.5, label="Other areas", marker="o")
    if near.any():
        ax.scatter(others.loc[near, "denominator"], others.loc[near, "value"], s=40, color=PALETTE["neighbours"],
                   marker="v", label="Statistical neighbours")
    mine = points[points["area_code"] == highlight]
    if len(mine):
        ax.scatter(mine["denominator"], mine["value"], s=110, color=PALETTE["area"], marker="o",
                   edgecolor="black", zorder=5, label="This area")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    legend_under(ax)
    fig.tight_layout()
    return fig


def dots(data: pd.DataFrame, label: str, value: str, lower: str, upper: str, highlight: str, xlabel: str,
         reference: float | None = None, reference_label: str = "England"):
    """Dot plot with intervals, one row per area, sorted; this area stands out by shape and colour."""
    data = data.sort_values(value)
    fig, ax = new(8, 0.5 * len(data) + 1.3)
    y = np.arange(len(data))
    is_me = (data[label] == highlight).to_numpy()
    ax.errorbar(data[value], y, xerr=[data[value] - data[lower], data[upper] - data[value]], fmt="none",
                ecolor=OKABE_ITO["grey"], capsize=3)
    ax.scatter(data[value][~is_me], y[~is_me], color=PALETTE["neighbours"], s=40, zorder=3, marker="v")
    ax.scatter(data[value][is_me], y[is_me], color=PALETTE["area"], s=90, zorder=4, marker="o",
               edgecolor="black")
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color=PALETTE["england"], linestyle="--", linewidth=1.5)
        ax.annotate(reference_label, (reference, 1), xycoords=("data", "axes fraction"), xytext=(3, 4),
                    textcoords="offset points", va="bottom", ha="left", color=PALETTE["england"])
    ax.set_yticks(y)
    ax.set_yticklabels([f"{n} (this area)" if me else n for n, me in zip(data[label], is_me)])
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    fig.tight_layout()
    return fig


def bars(data: pd.DataFrame, category: str, value: str, xlabel: str, lower: str | None = None,
         upper: str | None = None):
    """Horizontal bars with hatching so categories read without colour."""
    fig, ax = new(8, 0.5 * len(data) + 1.2)
    y = np.arange(len(data))
    # every bar is the area's (one thing, one colour): its label says which is which
    ax.barh(y, data[value], color=PALETTE["area"], edgecolor="black", height=0.7)
    if lower and upper:
        ax.errorbar(data[value], y, xerr=[data[value] - data[lower], data[upper] - data[value]], fmt="none",
                    ecolor="black", capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(c, 22 if _profile["name"] == NARROW else 40) for c in data[category]])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    fig.tight_layout()
    return fig


def aligned_panels(panels: list[dict], order: list[str], events: list | None = None, panel_height: float = 1.9,
                   width: float = 8.5):
    """Small multiples stacked on one shared x axis (never two y axes on one panel).

    ``panels``: dicts with ``title``, ``data`` (a frame with columns ``x``, ``y`` and
    optionally ``lower``/``upper``), ``ylabel``, ``zero`` (start the y axis at 0) and
    optionally ``role`` (whose figures: "area" unless the title says otherwise).
    ``order``: the x labels in order (every panel uses the same positions, so years line
    up even when a panel has gaps). ``events``: dicts ``x`` (a label in ``order``) and
    ``label``, drawn as a dotted line in every panel and labelled above the first.
    A withheld or missing point breaks its line.
    """
    theme()
    fig, axes = plt.subplots(len(panels), 1, figsize=size(width, panel_height * len(panels) + 0.8), sharex=True,
                             squeeze=False)
    position = {label: i for i, label in enumerate(order)}
    for i, (ax, panel) in enumerate(zip(axes[:, 0], panels)):
        role = panel.get("role") or ("area" if role_of(panel["title"]) == "group" else role_of(panel["title"]))
        style = line_style(ROLE_STYLES[role][0])
        data = panel["data"]
        data = data[data["x"].isin(position)]
        xs, ys = with_gaps(data, "x", "y", position)
        ax.plot(xs, ys, linewidth=2, markersize=6, **style)
        if {"lower", "upper"} <= set(data.columns) and data["lower"].notna().any():
            _, lo = with_gaps(data, "x", "lower", position)
            _, hi = with_gaps(data, "x", "upper", position)
            err = np.vstack([ys - lo, hi - ys])
            ax.errorbar(xs, ys, yerr=err, fmt="none", ecolor=style["color"], alpha=0.6, capsize=3)
        ax.set_xlim(-0.5, len(order) - 0.5)
        event_labels(ax, events, position, offset=-0.5, label=i == 0)
        ax.set_title(_wrap(panel["title"], 40 if _profile["name"] == NARROW else 80), loc="left",
                     pad=current()["font"] * (2.2 if i == 0 and events else 0.5))
        ax.set_ylabel(panel.get("ylabel", ""))
        if panel.get("zero", True):
            ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1e-9) * 1.08)
    last = axes[-1, 0]
    last.set_xticks(range(len(order)))
    last.set_xticklabels(order, rotation=45, ha="right")
    last.set_xlim(-0.5, len(order) - 0.5)
    fig.tight_layout()
    return fig


def grouped_bars(data: pd.DataFrame, category: str, series: str, value: str, xlabel: str, lower: str | None = None,
                 upper: str | None = None, roles: dict | None = None):
    """Horizontal bars grouped by category, one bar per series, told apart by hatching as well as colour
    (mothers and fathers, the area and England: each its colour in every chart).

    Withheld values (NaN) leave an empty slot; categories keep the order they have in ``data``.
    """
    categories = list(dict.fromkeys(data[category]))
    names = list(dict.fromkeys(data[series]))
    styles = series_styles(names, roles)
    fig, ax = new(8, 0.42 * len(categories) * max(len(names), 1) + 1.4)
    height = 0.8 / max(len(names), 1)
    for j, name in enumerate(names):
        part = data[data[series] == name].set_index(category).reindex(categories)
        y = np.arange(len(categories)) + (j - (len(names) - 1) / 2) * height
        ax.barh(y, part[value], height=height * 0.95, color=styles[name]["color"], hatch=styles[name]["hatch"],
                edgecolor="black", label=name)
        if lower and upper and part[lower].notna().any():
            ok = part[value].notna() & part[lower].notna()
            ax.errorbar(part[value][ok], y[ok.to_numpy()],
                        xerr=[part[value][ok] - part[lower][ok], part[upper][ok] - part[value][ok]], fmt="none",
                        ecolor="black", capsize=3)
    ax.set_yticks(np.arange(len(categories)))
    ax.set_yticklabels([_wrap(c, 22 if _profile["name"] == NARROW else 40) for c in categories])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    legend_under(ax, ncol=min(len(names), 3))
    fig.tight_layout()
    return fig


def step_curves(data: pd.DataFrame, x: str, y: str, series: str, xlabel: str, ylabel: str,
                lower: str | None = None, upper: str | None = None, references: list | None = None,
                percent: bool = True, roles: dict | None = None):
    """Kaplan-Meier style step curves, one per series, with a light 95% band.

    Series differ by line style and colour (readable in greyscale). Withheld stretches
    of a curve are simply absent. ``references``: dicts ``x`` (a time), ``label`` drawn as
    dotted vertical lines (e.g. 2 and 7 years), labelled above the plot.
    """
    fig, ax = new()
    styles = series_styles(data[series].tolist(), roles)
    for name, group in data.groupby(series, sort=False):
        style = styles[name]
        group = group.sort_values(x)
        ax.step(group[x], group[y], where="post", label=name, color=style["color"], linestyle=style["linestyle"],
                linewidth=2)
        if lower and upper and group[lower].notna().any():
            ax.fill_between(group[x], group[lower], group[upper], step="post", color=style["color"], alpha=0.15,
                            linewidth=0)
    ax.set_xlim(left=0)
    ax.set_ylim(0, 100 if percent else None)
    event_labels(ax, references)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    legend_under(ax)
    fig.tight_layout()
    return fig


def reference_lines(fig, references: list):
    """Add labelled horizontal reference lines (e.g. a national figure) to a chart's first axes.

    ``references``: dicts ``y``, ``label`` and optionally ``role`` (read from the label: England
    is England's dark grey wherever it appears)."""
    ax = fig.axes[0]
    for i, ref in enumerate(references):
        role = ref.get("role") or role_of(ref["label"])
        style = ROLE_STYLES[role if role in ("england", "region", "neighbours") else "model"][0]
        ax.axhline(ref["y"], linewidth=1.5, label=ref["label"], color=style["color"],
                   linestyle="--" if i == 0 else "-.")
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], max(r["y"] for r in references) * 1.1) if references else None)
    legend_under(ax)
    return fig


def legend_below(fig, ncol: int = 2):
    """Move a chart's legend below the plot, so it never covers the data (long series names)."""
    ax = fig.axes[0]
    legend_under(ax, None if _profile["name"] == NARROW else ncol)
    fig.tight_layout()
    return fig


def _wrap(text, width: int) -> str:
    text = str(text)
    return "\n".join(textwrap.wrap(text, width)) or text


# -- the finished image: title, source and marking inside it, text never too small ----------

MARKING_STYLES = {
    # the book's own marking styles (prebirth.css): internal white on dark red, synthetic black on yellow
    "internal": dict(color="white", backgroundcolor="#A50F15", weight="bold"),
    "synthetic": dict(color="black", backgroundcolor="#F0E442", style="italic", weight="bold"),
}


def _place_legends(fig, renderer) -> None:
    """A legend placed under its plot goes just below the plot's tick labels and axis label."""
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not getattr(legend, "_prebirth_under", False):
            continue
        legend.set_visible(False)
        box = ax.get_tightbbox(renderer)
        legend.set_visible(True)
        bottom = ax.transAxes.inverted().transform((0, box.y0))[1]
        legend.set_bbox_to_anchor((0.5, bottom - 0.02), transform=ax.transAxes)


# -- fitting a phone's width: every text measured and wrapped to fit, fewer tick labels ------

_MEASURE: dict = {}


def text_width(words: str, fontsize: float, weight: str = "normal", style: str = "normal") -> float:
    """The width (points) of one line of text as matplotlib lays it out, in the book's font."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = _MEASURE.setdefault("renderer", RendererAgg(10, 10, 72))  # 72 dpi: a pixel is a point
    prop = FontProperties(family=plt.rcParams["font.family"], size=fontsize, weight=weight, style=style)
    return renderer.get_text_width_height_descent(words, prop, ismath=False)[0]


def wrap_to_width(words: str, width: float, fontsize: float, weight: str = "normal", style: str = "normal") -> str:
    """Words wrapped (at spaces) into lines no wider than ``width`` points at ``fontsize``, measured
    in the chart's font; a line break already in the text is kept, and one word wider than the width
    stays whole on its own line."""
    out = []
    for paragraph in str(words).split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, fontsize, weight, style) > width:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return "\n".join(out)


def _wrap_artist(text, width: float) -> None:
    """Wrap a drawn text (a matplotlib Text) to ``width`` points, in its own font."""
    words = text.get_text()
    if words:
        wrapped = wrap_to_width(words.replace("\n", " ") if text.get_rotation() == 0 else words, width,
                                text.get_fontsize(), text.get_fontweight(), text.get_fontstyle())
        text.set_text(wrapped)


def _fixed_labels(axis) -> list[str] | None:
    """The labels of an axis whose tick labels were given as words (a category or year axis)."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter

    if not isinstance(axis.get_major_locator(), FixedLocator) or \
            not isinstance(axis.get_major_formatter(), (FixedFormatter, FuncFormatter)):
        return None
    return [t.get_text() for t in axis.get_ticklabels()]


def _relabel(axis, labels: list[str]) -> None:
    """New words for an axis's tick labels, keeping their size, turn and alignment."""
    first = axis.get_ticklabels()[0] if axis.get_ticklabels() else None
    style = {} if first is None else dict(rotation=first.get_rotation(), ha=first.get_ha(),
                                          rotation_mode=first.get_rotation_mode(), fontsize=first.get_fontsize())
    axis.set_ticklabels(labels, **style)


def _take_legends(fig) -> list[tuple[list, list[str]]]:
    """Every legend of the chart, removed from its plot: (handles, labels) to draw below it."""
    taken = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        handles = list(legend.legend_handles)
        labels = [t.get_text() for t in legend.get_texts()]
        legend.remove()
        taken.append((handles, labels))
    return taken


def _fit_axes_texts(fig, page: float) -> None:
    """On a phone: category labels at most two-fifths of the width, axis labels and plot titles
    within it, event labels within half of it, any other text within nine tenths."""
    from matplotlib.text import Annotation

    for ax in fig.axes:
        labels = _fixed_labels(ax.yaxis)
        if labels:
            size = ax.yaxis.get_ticklabels()[0].get_fontsize() if ax.yaxis.get_ticklabels() else current()["font"]
            _relabel(ax.yaxis, [wrap_to_width(str(w).replace("\n", " "), 0.4 * page, size) for w in labels])
        _wrap_artist(ax.xaxis.label, 0.9 * page)
        for text in ax.texts:
            if getattr(text, "_prebirth_event", False):
                _wrap_artist(text, 0.45 * page)
            elif not isinstance(text, Annotation) and text.get_window_extent().width * 72 / fig.dpi > 0.9 * page:
                _wrap_artist(text, 0.9 * page)


def _fit_titles(fig, renderer) -> None:
    """A plot's own title within the page: from where it starts to the figure's right edge; its
    x axis label (centred under it) within the page on both sides."""
    right = fig.get_size_inches()[0] * fig.dpi
    for ax in fig.axes:
        plot = ax.get_window_extent(renderer)
        centre = (plot.x0 + plot.x1) / 2
        _wrap_artist(ax.xaxis.label, 2 * min(centre, right - centre) * 72 / fig.dpi - 6)
        for title in (ax.title, ax._left_title, ax._right_title):
            if title.get_text():
                start = min(title.get_window_extent(renderer).x0, ax.get_window_extent(renderer).x0)
                _wrap_artist(title, (right - max(0.0, start)) * 72 / fig.dpi - 6)


def _overlap(a, b, gap: float = 2.0) -> bool:
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def _thin_ticks(fig, renderer) -> None:
    """Fewer x tick labels where neighbours would touch: every k-th of a category axis (the last
    kept), or fewer numbers on a number axis."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        for _ in range(6):
            boxes = [t.get_window_extent(renderer) for t in ax.xaxis.get_ticklabels()
                     if t.get_visible() and t.get_text()]
            gap = 0.5 * current()["font"] * fig.dpi / 72  # half a letter's height between labels
            if not any(_overlap(a, b, gap) for a, b in zip(boxes, boxes[1:])):
                break
            labels = _fixed_labels(ax.xaxis)
            if labels is not None:
                shown = [i for i, w in enumerate(labels) if w]
                step = 2 if len(shown) < 2 else 2 * (shown[1] - shown[0])
                last = len(labels) - 1
                _relabel(ax.xaxis, [w if (last - i) % step == 0 else "" for i, w in enumerate(labels)])
            else:
                ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, len(boxes) // 2)))
            fig.draw_without_rendering()


def _separate_events(fig, renderer) -> None:
    """Event labels above a plot that would touch are raised one above the other."""
    for ax in fig.axes:
        notes = sorted((t for t in ax.texts if getattr(t, "_prebirth_event", False)),
                       key=lambda t: t.get_window_extent(renderer).x0)
        rows: list[list] = []
        for note in notes:
            note.xyann = (note.xyann[0], 4)
            box = note.get_window_extent(renderer)
            row = next((i for i, placed in enumerate(rows) if not any(_overlap(box, b) for b in placed)), len(rows))
            if row == len(rows):
                rows.append([])
            if row:
                lift = sum(max(b.height for b in rows[r]) for r in range(row)) * 72 / fig.dpi + 2 * row
                note.xyann = (note.xyann[0], 4 + lift)
            rows[row].append(box)
        if notes:  # the plot's title sits above its event labels
            top = max(t.get_window_extent(renderer).y1 for t in notes) - ax.get_window_extent(renderer).y1
            pad = top * 72 / fig.dpi + 4
            for loc, title in (("center", ax.title), ("left", ax._left_title), ("right", ax._right_title)):
                if title.get_text():
                    ax.set_title(title.get_text(), loc=loc, pad=pad, fontsize=title.get_fontsize())


def _fit_narrow(fig, renderer) -> list:
    """Lay out a chart for a phone: the figure as wide as the page, every text inside that width,
    fewer tick labels, event labels apart; returns the legends taken off the plots (to go below)."""
    page_in = current()["page"]
    fig.set_size_inches(page_in, fig.get_size_inches()[1])
    legends = _take_legends(fig)
    fig.draw_without_rendering()
    _fit_axes_texts(fig, page_in * 72)
    for _ in range(2):
        with contextlib.suppress(Exception):
            fig.tight_layout()
        fig.draw_without_rendering()
        _fit_titles(fig, renderer)
        _thin_ticks(fig, renderer)
        _separate_events(fig, renderer)
    return legends


def finish(fig, title: str = "", source: str = "", marks: list | None = None):
    """The chart as it is published: its title (stating the finding) above, its source line below
    and the book's marking (``marks``: (kind, words) pairs) at the top, drawn into the image so a
    copied chart keeps them; every text at least the page size's smallest size. On a phone
    (NARROW) every text is fitted into the page's width (wrapped, fewer tick labels, the legend
    below in one column), so the image is never wider than the page and never shrunk."""
    smallest = current()["font"]
    narrow = _profile["name"] == NARROW
    from matplotlib.text import Text as MplText

    for text in fig.findobj(MplText):
        if text.get_text() and text.get_fontsize() < smallest:
            text.set_fontsize(smallest)
    renderer = fig.canvas.get_renderer()
    legends = _fit_narrow(fig, renderer) if narrow else []
    for ax in fig.axes:  # an axis label longer than its plot is tall goes on two lines
        label = ax.yaxis.label
        if label.get_text() and "\n" not in label.get_text() and \
                label.get_window_extent(renderer).height > ax.get_window_extent(renderer).height:
            words = label.get_text()
            label.set_text(_wrap(words, max(8, len(words) // 2 + 1)))
    with contextlib.suppress(Exception):
        fig.tight_layout()
    if narrow:
        fig.draw_without_rendering()
        _separate_events(fig, renderer)
    else:
        _place_legends(fig, renderer)
    box = fig.get_tightbbox(renderer)  # inches
    width_in, height_in = fig.get_size_inches()
    left = max(0.0, box.x0) / width_in
    # the width the words above and below may take: the page's on a phone, else the chart's own
    room = (width_in * (1 - left) * 72 - 4) if narrow else box.width * 72
    y = box.y1 / height_in
    gap = 0.4 * smallest / 72 / height_in

    def to_figure(extent) -> object:
        return extent.transformed(fig.dpi_scale_trans.inverted())

    def above(words: str, pad: float = 0, **style) -> None:
        nonlocal y
        y += gap
        size = style.pop("size", smallest)
        lines = wrap_to_width(words, room - 2 * pad, size, style.get("weight", "normal"), style.get("style", "normal"))
        t = fig.text(left, y, lines, ha="left", va="bottom", fontsize=size, **style, **PLAIN_TEXT)
        y = to_figure(t.get_window_extent(renderer)).y1 / height_in

    if title:
        above(title, size=smallest * 1.15, weight="bold", color="#111111")
    for kind, words in reversed(marks or []):
        style = dict(MARKING_STYLES.get(kind, {}))
        background = style.pop("backgroundcolor", None)
        y += gap
        above(words, pad=4, bbox=dict(facecolor=background, edgecolor="black", pad=3,
                                      linestyle="--" if kind == "synthetic" else "-"), **style)
    low = box.y0 / height_in - gap
    for handles, labels in legends:  # on a phone: each legend below the chart, one entry a line
        handle_room = (plt.rcParams["legend.handlelength"] + plt.rcParams["legend.handletextpad"] + 1) * smallest
        wrapped = [wrap_to_width(w, room - handle_room, smallest) for w in labels]
        legend = fig.legend(handles, wrapped, loc="upper left", bbox_to_anchor=(left, low), ncol=1, frameon=False,
                            borderaxespad=0, borderpad=0, fontsize=smallest)
        low = to_figure(legend.get_window_extent(renderer)).y0 / height_in - gap
    if source:
        fig.text(left, low, wrap_to_width(source, room, smallest), ha="left", va="top", fontsize=smallest,
                 color="#333333", **PLAIN_TEXT)
    return fig
