"""The dashboard's charts, drawn by matplotlib on the server as SVG text.

Figures are built with the object API (`matplotlib.figure.Figure`), never pyplot,
so no global figure state is shared between requests. Each function returns
None when there is nothing to draw; the page then says so in words.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; set before anything draws

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

from web.review.metrics import Metrics  # noqa: E402

_INK = "#1d1d1f"
_BLUE = "#2f5fb3"
_GREEN = "#2e7d4f"
_AMBER = "#b7791f"
_RED = "#b3261e"
_GREY = "#8a8f98"
_OUTCOME_COLOURS = {
    "automated resolution": _GREEN,
    "resolved with approval": _BLUE,
    "deflection": "#5aa37a",
    "escalation": _AMBER,
    "declined": _RED,
    "in progress": _GREY,
}

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, selectable, readable by tests
        "svg.hashsalt": "trustdesk",  # stable ids, so the same numbers give the same SVG
        "font.size": 10,
        "axes.edgecolor": _GREY,
        "axes.labelcolor": _INK,
        "xtick.color": _INK,
        "ytick.color": _INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _figure() -> Figure:
    return Figure(figsize=(6.4, 2.8), layout="constrained")


def _svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Title": title, "Date": None})
    text = buffer.getvalue()
    # Drop the XML prolog and DOCTYPE: the SVG is embedded in an HTML page.
    return text[text.index("<svg") :]


def cases_per_day(metrics: Metrics) -> str | None:
    if not metrics.total_cases:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    labels = [d.strftime("%d %b") for d in metrics.days]
    bars = ax.bar(labels, metrics.cases_per_day, color=_BLUE)
    ax.bar_label(bars, labels=[str(n) if n else "" for n in metrics.cases_per_day], fontsize=8)
    ax.set_ylabel("cases")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    return _svg(fig, "Cases per day")


def outcomes(metrics: Metrics) -> str | None:
    if not metrics.total_cases:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    names = list(metrics.outcomes)[::-1]
    counts = [metrics.outcomes[n] for n in names]
    bars = ax.barh(names, counts, color=[_OUTCOME_COLOURS[n] for n in names])
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=3, fontsize=9)
    ax.set_xlabel("cases")
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    return _svg(fig, "Case outcomes")


def approvals(metrics: Metrics) -> str | None:
    if not (metrics.decision_minutes or metrics.approvals_waiting):
        return None
    fig = Figure(figsize=(6.4, 2.8), layout="constrained")
    waiting_ax, decided_ax = fig.subplots(1, 2, width_ratios=[1, 2.2])
    within = metrics.approvals_waiting - metrics.approvals_overdue
    bars = waiting_ax.bar(
        ["within SLA", "overdue"], [within, metrics.approvals_overdue], color=[_BLUE, _RED]
    )
    waiting_ax.bar_label(bars, fontsize=9)
    waiting_ax.set_ylim(0, max(1, metrics.approvals_waiting) * 1.15)
    waiting_ax.set_title("waiting now", fontsize=10)
    waiting_ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    if metrics.decision_minutes:
        top = max(max(metrics.decision_minutes), metrics.sla_minutes) * 1.05
        decided_ax.hist(metrics.decision_minutes, bins=12, range=(0, top), color=_GREEN)
        decided_ax.axvline(metrics.sla_minutes, color=_RED, linestyle="--", linewidth=1.2)
        decided_ax.annotate(
            f"SLA {metrics.sla_minutes:g} min",
            xy=(metrics.sla_minutes, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -12),
            textcoords="offset points",
            ha="right",
            color=_RED,
            fontsize=8,
        )
        decided_ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    else:
        decided_ax.text(0.5, 0.5, "no decisions yet", ha="center", va="center", color=_GREY)
        decided_ax.set_xticks([])
        decided_ax.set_yticks([])
    decided_ax.set_title("time to decision", fontsize=10)
    decided_ax.set_xlabel("minutes")
    return _svg(fig, "Approvals against the SLA")


def first_response(metrics: Metrics) -> str | None:
    values = metrics.first_response_seconds
    if not values:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist(
        values, bins=min(20, max(5, len(values))), range=(0, max(values) * 1.1 or 1.0), color=_BLUE
    )
    ax.set_xlim(left=0)
    median = metrics.median_first_response_seconds
    if median is not None:
        ax.axvline(median, color=_INK, linestyle=":", linewidth=1.2)
        ax.annotate(
            f"median {median:.1f} s",
            xy=(median, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -12),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_xlabel("seconds to the first answer")
    ax.set_ylabel("cases")
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    return _svg(fig, "First-response time")


def calibration(metrics: Metrics) -> str | None:
    """Stated confidence (each label's acting threshold) against the precision observed on
    the gate's held-out messages; points on the diagonal are calibrated, below it overconfident."""
    points = [g for g in metrics.calibration if g.precision is not None]
    if not points:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1)
    xs = [float(g.acting_threshold or 0.0) for g in points]
    ys = [float(g.precision or 0.0) for g in points]
    sizes = [20 + min(200, g.given) for g in points]
    colours = [_GREEN if g.autonomous else _AMBER for g in points]
    ax.scatter(xs, ys, s=sizes, c=colours, alpha=0.8)
    for g, x, y in zip(points, xs, ys, strict=True):
        ax.annotate(
            g.label.replace("_", " "), (x, y), xytext=(4, 2), textcoords="offset points", fontsize=7
        )
    low = min([*xs, *ys, 0.5]) - 0.05
    ax.set_xlim(low, 1.02)
    ax.set_ylim(low, 1.02)
    ax.set_xlabel("stated confidence (acting threshold)")
    ax.set_ylabel("observed precision")
    return _svg(fig, "Calibration")


def csat(metrics: Metrics) -> str | None:
    if not metrics.ratings:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    scores = [1, 2, 3, 4, 5]
    counts = [metrics.ratings.count(s) for s in scores]
    bars = ax.bar([str(s) for s in scores], counts, color=[_RED, _AMBER, _GREY, "#5aa37a", _GREEN])
    ax.bar_label(bars, labels=[str(n) if n else "" for n in counts], fontsize=9)
    ax.set_xlabel("rating")
    ax.set_ylabel("ratings")
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    return _svg(fig, "Customer satisfaction")
