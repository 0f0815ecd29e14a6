"""`posture report`: a week or one day from a history of known days, as text and JSON, and the
PNG chart, HTML page and CSV read back from the files it writes."""

from __future__ import annotations

import base64
import csv
import json
import re
from datetime import date, datetime, timedelta

import cv2
import numpy as np
import pytest
from matplotlib.axes import Axes

from posture.app.cli import main
from posture.app.report import charts
from posture.app.report.summary import report_days
from posture.app.report.text import duration
from posture.core.alerts import Prompt
from posture.io.history import History, default_path
from tests.io.test_history import DAY_START, STALL_S, record_timeline

DAY = date(2024, 5, 1)
WEEK = ["--week", "--day", DAY.isoformat()]


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> float:
    """Epoch seconds of a local clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, second).timestamp()


def hours(hour: int, minute: int = 0, second: int = 0) -> float:
    """A time of day as the day chart's x: hours since midnight."""
    return hour + minute / 60 + second / 3600


def known_day(midnight: bool = True) -> None:
    """A known day: 09:00-10:00 good (score 20) but 09:20-09:30 slouched with forward head
    (score 80); a posture prompt at 09:25, a stretch at 09:31, a break 10:00-10:20 (nobody in
    view), then 10:20-10:50 good; a break reminder at 10:40. With `midnight`, a session from
    23:58 the evening before to 00:02 adds two minutes to each day."""
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S, wall_start=at(9))
        record_timeline(h, 0, 1200, score=20.0)
        record_timeline(h, 1200, 1800, good=False, problems=("forward_head",), score=80.0)
        h.record_prompt(Prompt(1500.0, "posture", ("forward_head",), ("chin_tuck",),
                               "Your head has drifted forward. Try the chin tuck.", 0))
        record_timeline(h, 1800, 3600, score=20.0)
        h.record_stretch(1860.0, "chin_tuck", 10, 30.0)
        for i in range(3600 * 5, 4800 * 5):
            h.record_frame(i / 5, False, None, (), 20.0)
        h.record_break(3600.0, 4800.0)
        record_timeline(h, 4800, 6600, score=20.0)
        h.record_prompt(Prompt(6000.0, "break", (), ("overhead_reach",), "Time to move.", 0))
        h.end_session(6600.0)
    if not midnight:
        return
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S,
                        wall_start=at(23, 58, day=DAY - timedelta(days=1)))
        record_timeline(h, 0, 240, score=20.0)
        h.end_session(240.0)


def report_json(capsys, *args: str) -> list[dict]:
    """The days `posture report --json` prints."""
    capsys.readouterr()
    assert main(["report", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)["days"]


def test_report_numbers_for_a_known_day() -> None:
    """Monitored and present time, good share, longest streak, prompts, stretches, breaks."""
    known_day()
    s = report_days(default_path(), DAY, 1)[0].summary
    assert s["sessions"] == 2
    assert s["monitored_s"] == pytest.approx(6600 + 120, abs=0.5)
    assert s["present_s"] == pytest.approx(6600 - 1200 + 120, abs=0.5)
    assert s["good_s"] == pytest.approx(6600 - 1200 - 600 + 120, abs=0.5)
    assert s["slouched_s"] == pytest.approx(600, abs=0.5)
    assert s["good_share"] == pytest.approx(4920 / 5520, abs=0.001)
    # 00:00-00:02 is a streak of 2; 09:30-10:00 one of 30; after the break 10:20-10:50, 30 too:
    # the first longest wins.
    streak = s["longest_good_streak"]
    assert streak["minutes"] == 30
    assert datetime.fromisoformat(streak["start"]).timestamp() == at(9, 30)
    assert datetime.fromisoformat(streak["end"]).timestamp() == at(10)
    assert (s["prompts"], s["prompts_by_kind"]) == (2, {"posture": 1, "break": 1,
                                                         "camera_moved": 0})
    assert [p["kind"] for p in s["events"]["prompts"]] == ["posture", "break"]
    assert s["stretches"] == 1 and s["events"]["stretches"][0]["stretch_id"] == "chin_tuck"
    assert (s["breaks"], s["break_s"]) == (1, 1200.0)
    assert s["problems"] == {"forward_head": pytest.approx(600, abs=0.5)}
    before = report_days(default_path(), DAY - timedelta(days=1), 1)[0].summary
    assert before["monitored_s"] == pytest.approx(120, abs=0.5) and before["prompts"] == 0


def test_one_day_as_text_and_json(capsys) -> None:
    """--day alone: that day in detail, problems and stretches named as people say them."""
    known_day()
    assert main(["report", "--day", "2024-05-01"]) == 0
    text = capsys.readouterr().out
    for words in ("monitored: 1 h 52 min", "good posture: 89%",
                  "longest good streak: 30 min (09:30-10:00)", "prompts: 2 (1 posture, 1 break)",
                  "breaks: 1 (20 min)", "problems: Head forward 10 min",
                  "09:25 posture: Your head has drifted forward.", "09:31 Chin tuck x10"):
        assert words in text
    assert "forward_head" not in text and "chin_tuck" not in text
    days = report_json(capsys, "--day", "2024-05-01")
    assert days == [report_days(default_path(), DAY, 1)[0].summary]


def test_a_week_oldest_first(capsys) -> None:
    """--week (and the default): seven days ending with --day (today), oldest first, each with
    its numbers; --days N any other span; days without history are zeros."""
    known_day()
    days = report_json(capsys, *WEEK)
    assert [d["day"] for d in days] == [(DAY - timedelta(days=6 - k)).isoformat()
                                        for k in range(7)]
    assert [d["monitored_s"] for d in days] == pytest.approx([0, 0, 0, 0, 0, 120, 6720], abs=0.5)
    assert [d["prompts"] for d in days] == [0, 0, 0, 0, 0, 0, 2]
    assert [d["stretches"] for d in days] == [0, 0, 0, 0, 0, 0, 1]
    assert days[-1]["good_s"] == pytest.approx(4920, abs=0.5)
    assert [d["day"] for d in report_json(capsys, "--days", "3", "--day", "2024-05-01")] == [
        "2024-04-29", "2024-04-30", "2024-05-01"]
    today = report_json(capsys)
    assert len(today) == 7 and today[-1]["day"] == date.today().isoformat()
    capsys.readouterr()
    assert main(["report", *WEEK]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Posture from 2024-04-25 to 2024-05-01"
    assert re.fullmatch(r"Wed 1 May\s+1 h 52 min\s+89%\s+2\s+1", lines[-3])
    assert re.fullmatch(r"Thu 25 Apr\s+-\s+-\s+-\s+-", lines[2])
    assert lines[-2] == "7 days: 1 h 54 min monitored, 89% good, 2 prompts, 1 stretches done"


def pixel(image: np.ndarray, axes: Axes, x: float, y: float, *, fraction: bool = False
          ) -> tuple[int, int, int]:
    """The RGB colour of the PNG where `axes` draws data point (x, y) (y as a fraction of the
    axes' height with `fraction`), found with the chart's own transforms."""
    transform = axes.get_xaxis_transform() if fraction else axes.transData
    px, py = transform.transform((x, y))
    b, g, r = image[image.shape[0] - 1 - round(py - 0.5), round(px - 0.5)]
    return int(r), int(g), int(b)


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_the_day_chart_shows_each_state_and_problem_where_it_was(tmp_path, capsys) -> None:
    """One day's PNG: its size; per minute, good, slouched and away in their colours at their
    time; the forward head band only where it was seen; the prompt's mark at 09:25; and the
    time axis fitted to the records (09:00-10:50), not to whole hours."""
    known_day(midnight=False)
    out = tmp_path / "day.png"
    assert main(["report", "--day", "2024-05-01", "--out", str(out)]) == 0
    image = cv2.imread(str(out))
    assert image.shape == (charts.DAY_IN * charts.DPI, charts.WIDTH_IN * charts.DPI, 3)
    chart = charts.report_chart(report_days(default_path(), DAY, 1))
    chart.figure.canvas.draw()
    states, problems = chart.day
    assert states.get_xlim() == pytest.approx((hours(9), hours(10, 50)))
    assert pixel(image, states, hours(9, 10, 30), 30) == rgb(charts.GOOD)
    assert pixel(image, states, hours(9, 24, 30), 30) == rgb(charts.SLOUCHED)
    assert pixel(image, states, hours(10, 10, 30), 30) == rgb(charts.AWAY)
    assert pixel(image, states, hours(9, 10, 30), 59.5) != rgb(charts.BACKGROUND)  # a full minute
    band = charts.PROBLEM_COLOURS["forward_head"]
    assert pixel(image, problems, hours(9, 24, 30), 0.5) == rgb(band)
    assert pixel(image, problems, hours(9, 10, 30), 0.5) == rgb(charts.BACKGROUND)
    mark = rgb(charts.PROMPT_COLOURS["posture"])
    assert pixel(image, states, hours(9, 25), 1.035, fraction=True) == mark
    assert pixel(image, states, hours(9, 50), 1.035, fraction=True) != mark


def test_a_short_session_fills_the_axis(tmp_path) -> None:
    """Six minutes at 14:03 are drawn over six minutes, not squeezed into an hour."""
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S, wall_start=at(14, 3))
        record_timeline(h, 0, 360)
    chart = charts.report_chart(report_days(default_path(), DAY, 1))
    assert chart.day[0].get_xlim() == pytest.approx((hours(14, 3), hours(14, 9)))


def test_the_week_chart_shows_the_trend_and_the_last_day(tmp_path) -> None:
    """The week's PNG: the trend (hours good and slouched, prompts and stretches per day), and
    the last day with records below it."""
    known_day()
    out = tmp_path / "week.png"
    assert main(["report", *WEEK, "--out", str(out)]) == 0
    image = cv2.imread(str(out))
    height = (charts.TREND_IN + charts.DAY_IN) * charts.DPI
    assert image.shape == (round(height), charts.WIDTH_IN * charts.DPI, 3)
    chart = charts.report_chart(report_days(default_path(), DAY, 7))
    chart.figure.canvas.draw()
    time_axes, counts = chart.trend
    good_h, slouched_h = 4920 / 3600, 600 / 3600
    assert pixel(image, time_axes, 6, good_h / 2) == rgb(charts.GOOD)
    assert pixel(image, time_axes, 6, good_h + slouched_h / 2) == rgb(charts.SLOUCHED)
    assert pixel(image, time_axes, 6, good_h + slouched_h + 0.1) == rgb(charts.AWAY)  # 20 min
    assert pixel(image, time_axes, 2, good_h / 2) == rgb(charts.BACKGROUND)  # no records
    assert pixel(image, counts, 6 - 0.2, 1.5) == rgb(charts.PROMPTS)  # 2 prompts
    assert pixel(image, counts, 6 + 0.2, 0.5) == rgb(charts.STRETCHES)  # 1 stretch
    assert pixel(image, counts, 6 + 0.2, 1.5) == rgb(charts.BACKGROUND)
    assert pixel(image, chart.day[0], hours(9, 25), 30) == rgb(charts.SLOUCHED)


def test_the_html_page_is_self_contained_and_says_things_once(tmp_path) -> None:
    """The page embeds both charts as PNG images, loads nothing from elsewhere, and gives its
    title and the day's numbers once."""
    known_day()
    out = tmp_path / "week.html"
    assert main(["report", *WEEK, "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', page)
    assert len(images) == 2 == page.count("<img")
    shapes = [cv2.imdecode(np.frombuffer(base64.b64decode(i), np.uint8), cv2.IMREAD_COLOR).shape
              for i in images]
    assert [s[:2] for s in shapes] == [(round(h * charts.DPI), charts.WIDTH_IN * charts.DPI)
                                       for h in (charts.TREND_IN, charts.DAY_IN)]
    assert re.findall(r'(?:src|href)="(?!data:)', page) == []
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count("Posture, 2024-04-25 to 2024-05-01") == 2  # <title> and <h1>
    for once in ("1 h 32 min", "30 min (09:30-10:00)", "2 (1 posture, 1 break)",
                 "Head forward 10 min", "7 days: 1 h 54 min monitored"):
        assert page.count(once) == 1, once


def test_the_csv_holds_every_minute_and_adds_up(tmp_path, capsys) -> None:
    """One row per clock minute of the span, oldest first, summing to the report's numbers."""
    known_day()
    out = tmp_path / "minutes.csv"
    assert main(["report", *WEEK, "--csv", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    starts = [datetime.fromisoformat(r["minute"]).timestamp() for r in rows]
    assert starts == sorted(starts) and len(rows) == 2 + 2 + 110
    assert starts[0] == at(23, 58, day=DAY - timedelta(days=1)) and starts[-1] == at(10, 49)
    days = report_json(capsys, *WEEK)
    for field in ("monitored_s", "present_s", "good_s", "slouched_s"):
        assert sum(float(r[field]) for r in rows) == pytest.approx(
            sum(d[field] for d in days), abs=0.5), field
    assert sum(float(r["forward_head"]) for r in rows) == pytest.approx(600, abs=0.5)
    assert {float(r["slouch"]) for r in rows} == {0.0}


def test_a_span_without_history_is_not_an_error(tmp_path, capsys) -> None:
    """No data: a plain message and exit 0; JSON with zeros; the files are still written."""
    assert main(["report", "--day", "2030-01-01"]) == 0
    assert capsys.readouterr().out.startswith("No posture history for 2030-01-01")
    assert main(["report"]) == 0
    assert capsys.readouterr().out.startswith("No posture history from ")
    assert not default_path().exists()  # reading never creates the database
    known_day()
    day, = report_json(capsys, "--day", "2030-01-01")
    assert (day["monitored_s"], day["good_share"], day["longest_good_streak"]) == (0, None, None)
    png, page = tmp_path / "empty.png", tmp_path / "empty.html"
    assert main(["report", "--day", "2030-01-01", "--out", str(png), "--csv",
                 str(tmp_path / "empty.csv")]) == 0
    assert cv2.imread(str(png)) is not None
    assert (tmp_path / "empty.csv").read_text().count("\n") == 1  # the header alone
    assert main(["report", "--days", "2", "--day", "2030-01-01", "--out", str(page)]) == 0
    assert "No posture history" in page.read_text()


@pytest.mark.parametrize(("args", "words"), [
    (["--day", "yesterday"], "YYYY-MM-DD"),
    (["--days", "0"], "give 1 to 366 days"),
    (["--days", "week"], "not a whole number of days"),
    (["--days", "3", "--week"], "not allowed with argument"),
])
def test_bad_arguments_exit_2(capsys, args, words) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", *args])
    assert exc.value.code == 2
    assert words in capsys.readouterr().err


def test_bad_output_paths_are_refused_and_nothing_touched(tmp_path, capsys) -> None:
    """--out that is neither .png nor .html, onto the history, or onto the --csv file."""
    known_day()
    db = default_path()
    before = db.read_bytes()
    out = tmp_path / "report.html"
    for args, words in ((["--out", str(tmp_path / "day.pdf")], ".png or .html"),
                        (["--csv", str(db)], "is the history database"),
                        (["--out", str(out), "--csv", str(out)], "is also given to --out")):
        capsys.readouterr()
        assert main(["report", *args]) == 2
        assert words in capsys.readouterr().err
    assert db.read_bytes() == before and not out.exists()


def test_camera_moved_notices_are_reported_as_their_own_kind(tmp_path, capsys) -> None:
    """The monitor's 'camera moved' notices count as prompts of their own kind everywhere."""
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
        record_timeline(h, 0, 120)
        h.record_notice(60.0, "camera_moved", "Everything looks shifted.")
    day, = report_json(capsys, "--day", DAY.isoformat())
    assert (day["prompts"], day["prompts_by_kind"]["camera_moved"]) == (1, 1)
    assert main(["report", "--day", DAY.isoformat(), "--out", str(tmp_path / "d.png")]) == 0
    assert "prompts: 1 (0 posture, 0 break, 1 camera moved)" in capsys.readouterr().out
    assert cv2.imread(str(tmp_path / "d.png")) is not None


def test_durations_are_rounded_not_truncated() -> None:
    assert [duration(s) for s in (44.6, 59.6, 119.0, 3599.0, 3660.0)] == [
        "45 s", "1 min", "2 min", "1 h 00 min", "1 h 01 min"]
