"""The report as files: a PNG chart, a self-contained HTML page (the numbers once, the charts as
embedded PNG images: nothing loaded from elsewhere) and a CSV of the per-minute history.
Imported only when one is asked for: it loads matplotlib."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Mapping
from pathlib import Path

from posture.app.report.charts import day_chart, png, trend_chart
from posture.app.report.summary import Day, has_data, local_iso
from posture.app.report.text import TABLE, events, headline, table_rows, totals, weekday
from posture.core.errors import UserError
from posture.core.problems import PROBLEMS
from posture.io.paths import make_parent

STYLE = ("body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#202020;max-width:64em}"
         "table{border-collapse:collapse}th,td{text-align:left;padding:.2em 1.2em .2em 0}"
         "img{max-width:100%;height:auto;display:block;margin:1em 0}")
CSV_FIELDS = ("minute", "monitored_s", "present_s", "good_s", "slouched_s", "mean_score",
              "max_score", *PROBLEMS)


def _img(png: bytes, alt: str) -> str:
    """An <img> carrying its PNG inline."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def html_page(days: list[Day], names: Mapping[str, str]) -> str:
    """The page: for several days a table and the trend chart; then the last day with records
    in detail, its numbers, its chart and its events. `names`: stretch id -> name."""
    e = html.escape
    first, last = days[0].summary["day"], days[-1].summary["day"]
    span = first if first == last else f"{first} to {last}"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>Posture, {e(span)}</title>", f"<style>{STYLE}</style>", "</head>",
             "<body>", f"<h1>Posture, {e(span)}</h1>"]
    if len(days) > 1:
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in TABLE) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                  for row in table_rows(days)]
        parts += ["</table>", f"<p>{e(totals(days))}</p>",
                  _img(png(trend_chart(days, titles=False).figure), "posture per day")]
    detail = next((d for d in reversed(days) if has_data(d.summary)), None)
    if detail is None:
        parts.append(f"<p>No posture history for {e(span)}.</p>")
    else:
        s = detail.summary
        if len(days) > 1:
            parts.append(f"<h2>{e(weekday(s['day']))}</h2>")
        parts.append("<table>" + "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>"
                                         for label, value in headline(s)) + "</table>")
        parts.append(_img(png(day_chart(detail, titles=False).figure), f"posture on {s['day']}"))
        for title, items in events(s, names):
            parts.append(f"<h3>{e(title.capitalize())}</h3>")
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def csv_text(days: list[Day]) -> str:
    """The per-minute history of the days, one row per clock minute: its local start time,
    the seconds in each state, the score, and the seconds each problem was seen."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for day in days:
        for m in day.minutes:
            writer.writerow([local_iso(m.start), *(round(v, 2) for v in (
                m.monitored_s, m.present_s, m.good_s, m.slouched_s, m.mean_score, m.max_score)),
                *(round(m.problems.get(p, 0.0), 2) for p in PROBLEMS)])
    return out.getvalue()


def write(path: Path, payload: bytes) -> None:
    """Write a report file (making its folders), with a clear error when that is impossible."""
    try:
        make_parent(path).write_bytes(payload)
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): choose another path") from None
