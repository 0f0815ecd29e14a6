"""The report's charts, drawn with matplotlib's Agg renderer (no window, no pyplot state); this
module is imported only when a chart is asked for, so the text report stays quick.

- The trend, one column per day: hours monitored, split into good posture, slouching, being
  present but not judged, and being away, with the good share written above; and the prompts
  given beside the stretches done.
- The day: time of day on an axis fitted to the records, in bins of 1 to 60 minutes (as many
  as stay readable); per bin, how many seconds of each minute went to good posture, slouching,
  being present but not judged, and being away; below it one band per problem seen that day,
  filled to the seconds per minute the problem was seen (a full band: the whole time). Prompts
  are marked above the plot at their time.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from posture.app.report.summary import Day, day_bounds, has_data
from posture.app.report.text import duration, share, weekday
from posture.core.minutes import MINUTE
from posture.core.problems import LABELS

WIDTH_IN, DPI = 10.0, 100  # 1000 pixels wide
TREND_IN, DAY_IN = 4.2, 5.0  # heights, inches
BIN_MINUTES = (1, 2, 5, 10, 15, 30, 60)  # the smallest that keeps a day within MAX_BINS
MAX_BINS = 120
TICK_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180)  # the smallest giving at most MAX_TICKS
MAX_TICKS = 12

BACKGROUND = "#ffffff"
GOOD = "#2ca02c"
SLOUCHED = "#d62728"
UNJUDGED = "#b0b0b0"  # present, no verdict (another view, the camera moved)
AWAY = "#e4e4e4"
PROMPTS = "#ff7f0e"
STRETCHES = "#1f77b4"
PROMPT_COLOURS = {"posture": "#8c1c13", "break": "#1f77b4", "camera_moved": "#7f7f7f"}
PROBLEM_COLOURS = {
    "forward_head": "#ff7f0e", "head_drop": "#9467bd", "rounded_shoulders": "#e377c2",
    "slouch": "#8c564b", "shoulder_elevation": "#bcbd22", "lateral_lean": "#17becf",
}
STATES = (("good", GOOD), ("slouched", SLOUCHED), ("not judged", UNJUDGED), ("away", AWAY))


@dataclass
class Chart:
    """A figure and its axes (each a pair: the upper and the lower plot), for readers that
    need to find a value's place in the picture."""

    figure: Figure
    trend: tuple[Axes, Axes] | None = None
    day: tuple[Axes, Axes] | None = None


def _figure(height_in: float) -> Figure:
    """A figure with its own Agg canvas, `height_in` inches high."""
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, exactly its size in pixels."""
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND)
    return out.getvalue()


def report_chart(days: list[Day], titles: bool = True) -> Chart:
    """The PNG report: one day's chart; for several days the trend, and below it the last day
    with records."""
    detail = next((d for d in reversed(days) if has_data(d.summary)), days[-1])
    if len(days) == 1:
        return day_chart(detail, titles)
    figure = _figure(TREND_IN + DAY_IN)
    top, bottom = figure.subfigures(2, 1, height_ratios=[TREND_IN, DAY_IN])
    return Chart(figure, trend=draw_trend(top, days, titles), day=draw_day(bottom, detail, titles))


def trend_chart(days: list[Day], titles: bool = True) -> Chart:
    """The trend alone."""
    figure = _figure(TREND_IN)
    return Chart(figure, trend=draw_trend(figure, days, titles))


def day_chart(day: Day, titles: bool = True) -> Chart:
    """One day alone."""
    figure = _figure(DAY_IN)
    return Chart(figure, day=draw_day(figure, day, titles))


def draw_trend(where: Figure | SubFigure, days: list[Day], title: bool) -> tuple[Axes, Axes]:
    """The trend into `where`: hours per day by state, then prompts and stretches done."""
    hours, counts = where.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    where.subplots_adjust(left=0.08, right=0.80, top=0.86 if title else 0.95, bottom=0.1,
                          hspace=0.15)
    s = [d.summary for d in days]
    x = list(range(len(days)))
    layers = {"good": [d["good_s"] for d in s], "slouched": [d["slouched_s"] for d in s],
              "not judged": [d["present_s"] - d["good_s"] - d["slouched_s"] for d in s],
              "away": [d["monitored_s"] - d["present_s"] for d in s]}
    bottom = [0.0] * len(days)
    for name, colour in STATES:
        heights = [seconds / 3600 for seconds in layers[name]]
        hours.bar(x, heights, 0.6, bottom=bottom, color=colour, linewidth=0, label=name)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    top = max(bottom, default=0.0)
    hours.set_ylim(0, top * 1.2 if top > 0 else 1.0)
    for i, d in enumerate(s):
        if d["good_share"] is not None:
            hours.annotate(f"{share(d['good_share'])} good", (i, bottom[i]), ha="center",
                           va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    hours.set_ylabel("hours monitored")
    hours.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    counts.bar([i - 0.2 for i in x], [d["prompts"] for d in s], 0.4, color=PROMPTS,
               linewidth=0, label="prompts")
    counts.bar([i + 0.2 for i in x], [d["stretches"] for d in s], 0.4, color=STRETCHES,
               linewidth=0, label="stretches done")
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.set_ylim(0, max(1, *(d["prompts"] for d in s), *(d["stretches"] for d in s)) * 1.15)
    counts.set_ylabel("per day")
    counts.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    counts.set_xticks(x, [weekday(d["day"]) for d in s], fontsize=8)
    counts.set_xlim(-0.6, len(days) - 0.4)
    if title:
        where.suptitle(f"Posture from {s[0]['day']} to {s[-1]['day']}", fontsize=12)
    return hours, counts


def bin_minutes(span_s: float) -> int:
    """The bin size, in minutes, for a day's records spanning `span_s` seconds."""
    return next((b for b in BIN_MINUTES if span_s / (60 * b) <= MAX_BINS), BIN_MINUTES[-1])


def hours_of(epoch: float, day: date) -> float:
    """Hours since the local midnight starting `day` (the day chart's x)."""
    return (epoch - day_bounds(day)[0]) / 3600


def _clock(hours: float, _position: Any = None) -> str:
    """An x tick's label: the time of day, HH:MM."""
    minutes = round(hours * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}" + ("+1" if minutes >= 24 * 60 else "")


def draw_day(where: Figure | SubFigure, day: Day, title: bool) -> tuple[Axes, Axes]:
    """One day into `where`: seconds per minute by state per bin, then one band per problem."""
    s = day.summary
    when = date.fromisoformat(s["day"])
    seen = [p for p in PROBLEM_COLOURS if p in s["problems"]]
    states, problems = where.subplots(2, 1, sharex=True,
                                      height_ratios=[3, max(1.0, 0.45 * len(seen))])
    where.subplots_adjust(left=0.16, right=0.80, top=0.84 if title else 0.92, bottom=0.1,
                          hspace=0.12)
    if title:
        where.suptitle(f"{weekday(s['day'])} {when.year}: {duration(s['monitored_s'])} "
                       f"monitored, {share(s['good_share'])} good posture", fontsize=12)
    if not day.minutes:
        states.text(0.5, 0.5, "no records this day", ha="center", va="center",
                    transform=states.transAxes)
        problems.set_axis_off()
        return states, problems
    first, last = day.minutes[0].start, day.minutes[-1].start + MINUTE
    size = bin_minutes(last - first)
    width = 60 * size
    start = math.floor(first / width) * width
    bins: dict[int, dict[str, float]] = {}
    for m in day.minutes:
        b = bins.setdefault(int((m.start - start) // width), {})
        for key, value in (("good", m.good_s), ("slouched", m.slouched_s),
                           ("not judged", m.present_s - m.good_s - m.slouched_s),
                           ("away", m.monitored_s - m.present_s), *m.problems.items()):
            b[key] = b.get(key, 0.0) + value / size  # seconds per minute of the bin
    x = [hours_of(start + (k + 0.5) * width, when) for k in sorted(bins)]
    bar = width / 3600
    bottom = [0.0] * len(x)
    for name, colour in STATES:
        heights = [bins[k].get(name, 0.0) for k in sorted(bins)]
        states.bar(x, heights, bar, bottom=bottom, color=colour, linewidth=0, label=name)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    states.set_ylim(0, 60)
    states.yaxis.set_major_locator(MultipleLocator(15))
    states.set_ylabel(f"seconds per minute\n({size} min bins)" if size > 1
                      else "seconds per minute")
    _mark_prompts(states, s, when)
    states.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    for row, problem in enumerate(seen):
        heights = [0.9 * min(60.0, bins[k].get(problem, 0.0)) / 60 for k in sorted(bins)]
        problems.bar(x, heights, bar, bottom=row + 0.05, color=PROBLEM_COLOURS[problem],
                     linewidth=0)
    problems.set_ylim(0, max(1, len(seen)))
    problems.set_yticks([row + 0.5 for row in range(len(seen))],
                        [LABELS[p] for p in seen], fontsize=8)
    problems.tick_params(axis="y", length=0)
    for row in range(1, len(seen)):
        problems.axhline(row, color=AWAY, linewidth=0.8)
    if not seen:
        problems.set_yticks([])
        problems.text(0.5, 0.5, "no problems seen", ha="center", va="center",
                      transform=problems.transAxes, fontsize=9)
    end = math.ceil(last / width) * width
    problems.set_xlim(hours_of(start, when), hours_of(end, when))
    step = next((t for t in TICK_MINUTES if (end - start) / 60 / t <= MAX_TICKS), 180)
    problems.xaxis.set_major_locator(MultipleLocator(step / 60))
    problems.xaxis.set_major_formatter(FuncFormatter(_clock))
    return states, problems


def _mark_prompts(axes: Axes, summary: dict[str, Any], when: date) -> None:
    """A triangle above the plot at each prompt's time, in its kind's colour."""
    transform = axes.get_xaxis_transform()  # x in data, y in axes fractions
    for kind, colour in PROMPT_COLOURS.items():
        times = [hours_of(datetime.fromisoformat(p["at"]).timestamp(), when)
                 for p in summary["events"]["prompts"] if p["kind"] == kind]
        if times:
            axes.scatter(times, [1.03] * len(times), s=40, marker="v", color=colour,
                         transform=transform, clip_on=False, linewidths=0,
                         label=f"{kind.replace('_', ' ')} prompt")
