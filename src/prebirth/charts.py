"""Accessible charts: the Okabe-Ito palette, markers and line styles that read in
greyscale, large text, and never a point that publication rules withhold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000", "grey": "#999999",
}
SERIES_STYLES = [
    dict(color=OKABE_ITO["blue"], marker="o", linestyle="-"),
    dict(color=OKABE_ITO["vermillion"], marker="s", linestyle="--"),
    dict(color=OKABE_ITO["green"], marker="^", linestyle=":"),
    dict(color=OKABE_ITO["purple"], marker="D", linestyle="-."),
    dict(color=OKABE_ITO["black"], marker="v", linestyle=(0, (5, 2, 1, 2))),
]


# Text from the parameters (event labels) is drawn as written: a '$' in it is a dollar sign,
# never the start of matplotlib's maths ("Spend $x^$ review" would fail to draw).
PLAIN_TEXT = {"parse_math": False, "usetex": False}


def theme() -> None:
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.05,
                  palette=list(OKABE_ITO.values()))
    plt.rcParams.update({"figure.dpi": 110, "axes.titleweight": "bold", "axes.spines.top": False,
                         "axes.spines.right": False})


def new(width: float = 8, height: float = 4.2):
    theme()
    return plt.subplots(figsize=(width, height))


def lines_with_ci(data: pd.DataFrame, x: str, y: str, series: str, ylabel: str, lower: str | None = None,
                  upper: str | None = None, events: list | None = None, title: str = ""):
    """One line per series, with confidence bars; missing (withheld) points are simply absent."""
    fig, ax = new()
    for i, (name, group) in enumerate(data.groupby(series, sort=False)):
        style = SERIES_STYLES[i % len(SERIES_STYLES)]
        group = group.sort_values(x)
        ax.plot(group[x], group[y], label=name, linewidth=2, markersize=6, **style)
        if lower and upper and group[lower].notna().any():
            err = np.vstack([group[y] - group[lower], group[upper] - group[y]])
            ax.errorbar(group[x], group[y], yerr=err, fmt="none", ecolor=style["color"], alpha=0.6, capsize=3)
    for event in events or []:
        if event["x"] in set(data[x]):
            ax.axvline(event["x"], color=OKABE_ITO["grey"], linestyle=":", linewidth=1.5)
            ax.annotate(event["label"], (event["x"], ax.get_ylim()[1]), rotation=90, va="top", ha="right",
                        fontsize=9, color="#444444", **PLAIN_TEXT)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, loc="best")
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
    ax.axhline(target, color=OKABE_ITO["black"], linewidth=1, label="England")
    others = points[points["area_code"] != highlight]
    near = others["area_code"].isin(neighbours or [])
    ax.scatter(others.loc[~near, "denominator"], others.loc[~near, "value"], s=18, color=OKABE_ITO["sky"],
               alpha=0.7, label="Other areas", marker="o")
    if near.any():
        ax.scatter(others.loc[near, "denominator"], others.loc[near, "value"], s=36, color=OKABE_ITO["green"],
                   marker="^", label="Statistical neighbours")
    mine = points[points["area_code"] == highlight]
    if len(mine):
        ax.scatter(mine["denominator"], mine["value"], s=110, color=OKABE_ITO["vermillion"], marker="D",
                   edgecolor="black", zorder=5, label="This area")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    fig.tight_layout()
    return fig


def dots(data: pd.DataFrame, label: str, value: str, lower: str, upper: str, highlight: str, xlabel: str,
         reference: float | None = None, reference_label: str = "England"):
    """Dot plot with intervals, one row per area, sorted; this area stands out by shape and colour."""
    data = data.sort_values(value)
    fig, ax = new(8, 0.45 * len(data) + 1.3)
    y = np.arange(len(data))
    is_me = (data[label] == highlight).to_numpy()
    ax.errorbar(data[value], y, xerr=[data[value] - data[lower], data[upper] - data[value]], fmt="none",
                ecolor=OKABE_ITO["grey"], capsize=3)
    ax.scatter(data[value][~is_me], y[~is_me], color=OKABE_ITO["blue"], s=40, zorder=3, marker="o")
    ax.scatter(data[value][is_me], y[is_me], color=OKABE_ITO["vermillion"], s=90, zorder=4, marker="D",
               edgecolor="black")
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color=OKABE_ITO["black"], linestyle="--", linewidth=1)
        ax.annotate(reference_label, (reference, len(data) - 0.5), fontsize=9, ha="left")
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
    hatches = ["", "//", "..", "xx", "\\\\", "--", "++", "oo"]
    for i, (_, row) in enumerate(data.iterrows()):
        ax.barh(y[i], row[value], color=SERIES_STYLES[i % len(SERIES_STYLES)]["color"],
                hatch=hatches[i % len(hatches)], edgecolor="black")
    if lower and upper:
        ax.errorbar(data[value], y, xerr=[data[value] - data[lower], data[upper] - data[value]], fmt="none",
                    ecolor="black", capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels(data[category])
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def aligned_panels(panels: list[dict], order: list[str], events: list | None = None, panel_height: float = 1.9,
                   width: float = 8.5):
    """Small multiples stacked on one shared x axis (never two y axes on one panel).

    ``panels``: dicts with ``title``, ``data`` (a frame with columns ``x``, ``y`` and
    optionally ``lower``/``upper``), ``ylabel`` and ``zero`` (start the y axis at 0).
    ``order``: the x labels in order (every panel uses the same positions, so years line
    up even when a panel has gaps). ``events``: dicts ``x`` (a label in ``order``) and
    ``label``, drawn as a dotted line in every panel and labelled in the first.
    Withheld or missing points are simply absent.
    """
    theme()
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, panel_height * len(panels) + 0.8), sharex=True,
                             squeeze=False)
    position = {label: i for i, label in enumerate(order)}
    for i, (ax, panel) in enumerate(zip(axes[:, 0], panels)):
        style = SERIES_STYLES[i % len(SERIES_STYLES)]
        data = panel["data"]
        data = data[data["x"].isin(position)].assign(pos=lambda f: f["x"].map(position)).sort_values("pos")
        shown = data[data["y"].notna()]
        ax.plot(shown["pos"], shown["y"], linewidth=2, markersize=6, **style)
        if {"lower", "upper"} <= set(data.columns) and shown["lower"].notna().any():
            err = np.vstack([shown["y"] - shown["lower"], shown["upper"] - shown["y"]])
            ax.errorbar(shown["pos"], shown["y"], yerr=err, fmt="none", ecolor=style["color"], alpha=0.6, capsize=3)
        for event in events or []:
            if event["x"] in position:
                ax.axvline(position[event["x"]] - 0.5, color=OKABE_ITO["grey"], linestyle=":", linewidth=1.5)
                if i == 0:
                    ax.annotate(event["label"], (position[event["x"]] - 0.45, 1), xycoords=("data", "axes fraction"),
                                va="top", ha="left", fontsize=9, color="#444444", **PLAIN_TEXT)
        ax.set_title(panel["title"], loc="left", fontsize=11)
        ax.set_ylabel(panel.get("ylabel", ""), fontsize=9)
        if panel.get("zero", True):
            ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1e-9) * 1.08)
        ax.margins(x=0.03)
    last = axes[-1, 0]
    last.set_xticks(range(len(order)))
    last.set_xticklabels(order, rotation=45, ha="right")
    last.set_xlim(-0.5, len(order) - 0.5)
    fig.tight_layout()
    return fig


def grouped_bars(data: pd.DataFrame, category: str, series: str, value: str, xlabel: str, lower: str | None = None,
                 upper: str | None = None):
    """Horizontal bars grouped by category, one bar per series, told apart by hatching as well as colour.

    Withheld values (NaN) leave an empty slot; categories keep the order they have in ``data``.
    """
    categories = list(dict.fromkeys(data[category]))
    names = list(dict.fromkeys(data[series]))
    fig, ax = new(8, 0.42 * len(categories) * max(len(names), 1) + 1.4)
    hatches = ["", "//", "..", "xx", "\\\\"]
    height = 0.8 / max(len(names), 1)
    for j, name in enumerate(names):
        part = data[data[series] == name].set_index(category).reindex(categories)
        y = np.arange(len(categories)) + (j - (len(names) - 1) / 2) * height
        color = SERIES_STYLES[j % len(SERIES_STYLES)]["color"]
        ax.barh(y, part[value].fillna(0).where(part[value].notna(), np.nan), height=height * 0.95, color=color,
                hatch=hatches[j % len(hatches)], edgecolor="black", label=name)
        if lower and upper and part[lower].notna().any():
            ok = part[value].notna() & part[lower].notna()
            ax.errorbar(part[value][ok], y[ok.to_numpy()],
                        xerr=[part[value][ok] - part[lower][ok], part[upper][ok] - part[value][ok]], fmt="none",
                        ecolor="black", capsize=3)
    ax.set_yticks(np.arange(len(categories)))
    ax.set_yticklabels(categories)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


def step_curves(data: pd.DataFrame, x: str, y: str, series: str, xlabel: str, ylabel: str,
                lower: str | None = None, upper: str | None = None, references: list | None = None,
                percent: bool = True):
    """Kaplan-Meier style step curves, one per series, with a light 95% band.

    Series differ by line style and colour (readable in greyscale). Withheld stretches
    of a curve are simply absent. ``references``: dicts ``x`` (a time), ``label`` drawn as
    dotted vertical lines (e.g. 2 and 7 years).
    """
    fig, ax = new()
    for i, (name, group) in enumerate(data.groupby(series, sort=False)):
        style = SERIES_STYLES[i % len(SERIES_STYLES)]
        group = group.sort_values(x)
        ax.step(group[x], group[y], where="post", label=name, color=style["color"], linestyle=style["linestyle"],
                linewidth=2)
        if lower and upper and group[lower].notna().any():
            ax.fill_between(group[x], group[lower], group[upper], step="post", color=style["color"], alpha=0.15,
                            linewidth=0)
    for ref in references or []:
        ax.axvline(ref["x"], color=OKABE_ITO["grey"], linestyle=":", linewidth=1.5)
        ax.annotate(ref["label"], (ref["x"], 1), xycoords=("data", "axes fraction"), rotation=90, va="top",
                    ha="right", fontsize=9, color="#444444")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(left=0)
    ax.set_ylim(0, 100 if percent else None)
    ax.legend(frameon=False, loc="best")
    fig.tight_layout()
    return fig


def reference_lines(fig, references: list):
    """Add labelled horizontal reference lines (e.g. a national figure) to a chart's first axes.

    ``references``: dicts ``y`` and ``label``. Dashed black and dash-dot grey, so they read
    apart from the data series in greyscale.
    """
    ax = fig.axes[0]
    styles = [dict(color=OKABE_ITO["black"], linestyle="--"), dict(color="#555555", linestyle="-.")]
    for i, ref in enumerate(references):
        ax.axhline(ref["y"], linewidth=1.2, label=ref["label"], **styles[i % len(styles)])
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], max(r["y"] for r in references) * 1.1) if references else None)
    ax.legend(frameon=False, loc="best", fontsize=9)
    return fig


def legend_below(fig, ncol: int = 2):
    """Move a chart's legend below the plot, so it never covers the data (long series names)."""
    ax = fig.axes[0]
    handles, names = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, names, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=ncol,
                  fontsize=9)
    fig.tight_layout()
    return fig
