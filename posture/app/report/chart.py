"""The day's chart as plain shapes (a scene), drawn to PNG with OpenCV or to SVG for the
self-contained HTML page.

The slouch score per minute as a step line, minutes where a problem was seen for at least
PROBLEM_MINUTE_SHARE of the minute shaded in that problem's colour (stacked when several),
minutes spent mostly away shaded grey, prompts marked by a triangle above the plot and a thin
line through it. The time axis runs from the whole hour at or before the first record to the
whole hour at or after the last.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from posture.app.report.summary import epoch, events, has_data, headline
from posture.core.errors import UserError
from posture.core.minutes import MINUTE
from posture.core.problems import PROBLEMS

PROBLEM_MINUTE_SHARE = 0.25  # a minute is shaded for a problem seen this share of its time
AWAY_SHARE = 0.5  # a minute is shaded "away" when nobody was in view for over half of it

# Colours (RGB hex), shared by the PNG and the SVG.
BACKGROUND = "#ffffff"
INK = "#202020"
AXIS = "#404040"
GRID = "#dcdcdc"
SCORE = "#1f4e9c"
AWAY = "#e4e4e4"
PROMPT_COLOURS = {"posture": "#d62728", "break": "#2ca02c", "camera_moved": "#7f7f7f"}
PROBLEM_COLOURS = {
    "forward_head": "#ffbb78",
    "head_drop": "#c5b0d5",
    "rounded_shoulders": "#f7b6d2",
    "slouch": "#ff9896",
    "shoulder_elevation": "#dbdb8d",
    "lateral_lean": "#9edae5",
}

WIDTH, HEIGHT = 1200, 540  # chart size in pixels
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 24, 100, 100
MARKER = 14  # height of a prompt marker above the plot, pixels


@dataclass(frozen=True)
class Rect:
    """A filled rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float
    colour: str


@dataclass(frozen=True)
class Polyline:
    """An open polyline."""

    points: tuple[tuple[float, float], ...]
    colour: str
    width: int = 1


@dataclass(frozen=True)
class Shape:
    """A filled polygon."""

    points: tuple[tuple[float, float], ...]
    colour: str


@dataclass(frozen=True)
class Label:
    """Text on its baseline at (x, y); `size` is the font size in pixels."""

    x: float
    y: float
    text: str
    size: int = 13
    colour: str = INK
    anchor: Literal["start", "middle", "end"] = "start"


@dataclass
class Scene:
    """The chart as plain shapes in drawing order, rendered to PNG or SVG alike."""

    width: int
    height: int
    items: list[Rect | Polyline | Shape | Label] = field(default_factory=list)


@dataclass(frozen=True)
class ChartFrame:
    """Where the plot sits in the picture and which span of the day it shows."""

    t0: float  # epoch seconds at the left edge
    t1: float  # and at the right edge
    left: float
    top: float
    right: float
    bottom: float

    def x(self, t: float) -> float:
        """Pixel column of epoch time `t`."""
        return self.left + (t - self.t0) / (self.t1 - self.t0) * (self.right - self.left)

    def y(self, score: float) -> float:
        """Pixel row of a slouch score (0..100)."""
        return self.bottom - score / 100.0 * (self.bottom - self.top)


def _hour_floor(t: float) -> float:
    """The local whole hour at or before `t`."""
    return datetime.fromtimestamp(t).replace(minute=0, second=0, microsecond=0).timestamp()


def chart_frame(summary: dict[str, Any], width: int = WIDTH,
                height: int = HEIGHT) -> ChartFrame | None:
    """The plot's frame: whole local hours around everything recorded; None with no data."""
    times = [epoch(m["start"]) for m in summary["minutes"]]
    times += [epoch(m["start"]) + MINUTE for m in summary["minutes"]]
    times += [epoch(p["at"]) for p in summary["prompts"]["items"]]
    if not times:
        return None
    t0 = _hour_floor(min(times))
    t1 = _hour_floor(max(times))
    if t1 < max(times):
        t1 += 3600
    return ChartFrame(t0, t1, MARGIN_LEFT, MARGIN_TOP, width - MARGIN_RIGHT,
                      height - MARGIN_BOTTOM)


def _text_width(text: str, size: int) -> float:
    """Approximate rendered width, for laying out the legend."""
    return 0.56 * size * len(text)


def _marker(x: float, top: float, colour: str) -> Shape:
    """A prompt marker: a triangle pointing down at the plot's top edge."""
    return Shape(((x - MARKER / 2, top - MARKER - 2), (x + MARKER / 2, top - MARKER - 2),
                  (x, top - 2)), colour)


def chart_scene(summary: dict[str, Any], width: int = WIDTH, height: int = HEIGHT) -> Scene:
    """The day's chart: score line, problem and away shading, prompt markers, axes, legend."""
    scene = Scene(width, height, [Rect(0, 0, width, height, BACKGROUND)])
    add = scene.items.append
    add(Label(MARGIN_LEFT, 30, f"Posture on {summary['day']}", 20))
    frame = chart_frame(summary, width, height)
    if frame is None:
        add(Label(width / 2, height / 2, f"no data for {summary['day']}", 18, AXIS, "middle"))
        return scene
    numbers = dict(headline(summary))
    add(Label(MARGIN_LEFT, 56, "  |  ".join(f"{k}: {numbers[k]}" for k in (
        "monitored", "good posture", "longest good streak", "prompts", "stretches done",
        "breaks")), 13))
    f = frame
    seen: list[str] = []
    for m in summary["minutes"]:
        x0, x1 = f.x(epoch(m["start"])), f.x(epoch(m["start"]) + MINUTE)
        lanes = [p for p in PROBLEMS
                 if m["problems"].get(p, 0.0) >= PROBLEM_MINUTE_SHARE * m["monitored_s"] > 0]
        seen += [p for p in lanes if p not in seen]
        if lanes:
            step = (f.bottom - f.top) / len(lanes)
            for i, p in enumerate(lanes):
                add(Rect(x0, f.top + i * step, x1, f.top + (i + 1) * step, PROBLEM_COLOURS[p]))
        elif m["present_s"] < AWAY_SHARE * m["monitored_s"]:
            add(Rect(x0, f.top, x1, f.bottom, AWAY))
    for score in (25, 50, 75, 100):
        add(Polyline(((f.left, f.y(score)), (f.right, f.y(score))), GRID))
    hours = (f.t1 - f.t0) / 3600
    every = next(n for n in (1, 2, 3, 4, 6, 12) if hours / n <= 12)
    for k in range(0, round(hours) + 1, every):
        t = f.t0 + k * 3600
        add(Polyline(((f.x(t), f.top), (f.x(t), f.bottom)), GRID))
        add(Polyline(((f.x(t), f.bottom), (f.x(t), f.bottom + 5)), AXIS))
        add(Label(f.x(t), f.bottom + 20, datetime.fromtimestamp(t).strftime("%H:%M"), 12,
                  AXIS, "middle"))
    add(Polyline(((f.left, f.top), (f.left, f.bottom), (f.right, f.bottom)), AXIS))
    for score in (0, 50, 100):
        add(Label(f.left - 8, f.y(score) + 4, str(score), 12, AXIS, "end"))
    add(Label(f.left - 8, f.top - 26, "slouch score", 12, AXIS, "start"))
    for run in _runs(summary["minutes"]):
        points: list[tuple[float, float]] = []
        for m in run:
            t, y = epoch(m["start"]), f.y(m["mean_score"])
            points += [(f.x(t), y), (f.x(t + MINUTE), y)]
        add(Polyline(tuple(points), SCORE, 2))
    for p in summary["prompts"]["items"]:
        x = f.x(epoch(p["at"]))
        add(Polyline(((x, f.top), (x, f.bottom)), PROMPT_COLOURS[p["kind"]]))
        add(_marker(x, f.top, PROMPT_COLOURS[p["kind"]]))
    _legend(scene, f, seen)
    return scene


def _runs(minutes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Minutes split into runs of consecutive clock minutes (the score line breaks at gaps)."""
    runs: list[list[dict[str, Any]]] = []
    previous = None
    for m in minutes:
        t = epoch(m["start"])
        if previous is None or t - previous != MINUTE:
            runs.append([])
        runs[-1].append(m)
        previous = t
    return runs


def _legend(scene: Scene, f: ChartFrame, problems: list[str]) -> None:
    """Two legend rows under the time axis: line and markers, then the shading colours."""
    add = scene.items.append
    y = f.bottom + 48
    x = f.left
    for kind, label in (("score", "slouch score (per minute)"), ("posture", "posture prompt"),
                        ("break", "break reminder")):
        if kind == "score":
            add(Polyline(((x, y - 4), (x + 22, y - 4)), SCORE, 2))
        else:
            add(_marker(x + 11, y + 4, PROMPT_COLOURS[kind]))
        add(Label(x + 30, y, label, 12))
        x += 30 + _text_width(label, 12) + 24
    y += 24
    x = f.left
    for colour, label in [(AWAY, "away")] + [(PROBLEM_COLOURS[p], p.replace("_", " "))
                                             for p in problems]:
        add(Rect(x, y - 11, x + 22, y + 1, colour))
        add(Label(x + 30, y, label, 12))
        x += 30 + _text_width(label, 12) + 24


def _bgr(colour: str) -> tuple[int, int, int]:
    """An RGB hex colour as OpenCV's BGR tuple."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return b, g, r


def _pts(points: Iterable[tuple[float, float]]) -> np.ndarray:
    """Points rounded to whole pixels, shaped for OpenCV."""
    return np.array([[round(x), round(y)] for x, y in points], np.int32).reshape(-1, 1, 2)


def render_png(scene: Scene) -> np.ndarray:
    """Draw the scene with OpenCV (shapes without anti-aliasing, so colours stay exact)."""
    img = np.zeros((scene.height, scene.width, 3), np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for item in scene.items:
        if isinstance(item, Rect):
            x0, x1 = round(item.x0), round(item.x1)
            if x1 > x0:
                cv2.rectangle(img, (x0, round(item.y0)), (x1 - 1, round(item.y1) - 1),
                              _bgr(item.colour), cv2.FILLED)
        elif isinstance(item, Polyline):
            cv2.polylines(img, [_pts(item.points)], False, _bgr(item.colour), item.width)
        elif isinstance(item, Shape):
            cv2.fillPoly(img, [_pts(item.points)], _bgr(item.colour))
        else:
            scale = item.size / 29
            thickness = 2 if item.size >= 18 else 1
            w = cv2.getTextSize(item.text, font, scale, thickness)[0][0]
            x = item.x - {"start": 0, "middle": w / 2, "end": w}[item.anchor]
            cv2.putText(img, item.text, (round(x), round(item.y)), font, scale,
                        _bgr(item.colour), thickness, cv2.LINE_AA)
    return img


def _svg_points(points: Iterable[tuple[float, float]]) -> str:
    """Points as an SVG points attribute."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def render_svg(scene: Scene) -> str:
    """The scene as a self-contained SVG element."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" '
           f'height="{scene.height}" viewBox="0 0 {scene.width} {scene.height}" '
           'font-family="Helvetica, Arial, sans-serif" role="img">']
    for item in scene.items:
        if isinstance(item, Rect):
            out.append(f'<rect x="{item.x0:.1f}" y="{item.y0:.1f}" '
                       f'width="{item.x1 - item.x0:.1f}" height="{item.y1 - item.y0:.1f}" '
                       f'fill="{item.colour}" shape-rendering="crispEdges"/>')
        elif isinstance(item, Polyline):
            out.append(f'<polyline points="{_svg_points(item.points)}" fill="none" '
                       f'stroke="{item.colour}" stroke-width="{item.width}"/>')
        elif isinstance(item, Shape):
            out.append(f'<polygon points="{_svg_points(item.points)}" fill="{item.colour}"/>')
        else:
            out.append(f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size}" '
                       f'fill="{item.colour}" text-anchor="{item.anchor}">'
                       f'{html.escape(item.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def html_page(summary: dict[str, Any]) -> str:
    """A self-contained HTML page: the numbers, the chart as inline SVG, and the day's events."""
    e = html.escape
    day = e(summary["day"])
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>Posture on {day}</title>",
        "<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#202020}"
        "th{text-align:left;padding-right:1.5em;font-weight:normal;color:#555}"
        "td{font-weight:bold}</style>",
        "</head>", "<body>", f"<h1>Posture on {day}</h1>",
    ]
    if has_data(summary):
        parts.append("<table>")
        parts += [f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>"
                  for label, value in headline(summary)]
        parts.append("</table>")
    else:
        parts.append(f"<p>No posture history for {day}.</p>")
    parts.append(render_svg(chart_scene(summary)))
    for title, items in events(summary):
        parts.append(f"<h2>{e(title.capitalize())}</h2>")
        parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_chart(summary: dict[str, Any], out: Path) -> None:
    """Write the chart as PNG or the page as HTML, chosen by the file's suffix."""
    if out.suffix.lower() == ".png":
        ok, data = cv2.imencode(".png", render_png(chart_scene(summary)))
        assert ok  # encoding a uint8 BGR image to PNG cannot fail
        payload = data.tobytes()
    else:
        payload = html_page(summary).encode("utf-8")
    try:
        out.write_bytes(payload)
    except OSError as exc:
        raise UserError(f"cannot write {out} ({exc.strerror}): choose another path") from None
