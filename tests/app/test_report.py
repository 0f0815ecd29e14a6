"""`posture report`: the day's numbers, text, JSON, PNG chart and HTML page from a history
of a known day."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import cv2
import pytest

from posture.app.cli import main
from posture.app.report import chart, summary
from posture.core.alerts import Prompt
from posture.io.history import History, default_path
from tests.io.test_history import DAY_START, STALL_S, record_timeline

DAY = date(2024, 5, 1)


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> float:
    """Epoch seconds of a local clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, second).timestamp()


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
                        wall_start=at(23, 58, day=date(2024, 4, 30)))
        record_timeline(h, 0, 240, score=20.0)
        h.end_session(240.0)


def test_report_numbers_for_a_known_day() -> None:
    """Monitored and present time, good share, longest streak, prompts, stretches, breaks."""
    known_day()
    s = summary.day_summary(default_path(), DAY)
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
    assert (s["prompts"]["count"], s["prompts"]["posture"], s["prompts"]["break"]) == (2, 1, 1)
    assert [p["kind"] for p in s["prompts"]["items"]] == ["posture", "break"]
    assert s["stretches"]["count"] == 1
    assert s["stretches"]["items"][0]["stretch_id"] == "chin_tuck"
    assert (s["breaks"]["count"], s["breaks"]["total_s"]) == (1, 1200.0)
    assert s["problems"] == {"forward_head": pytest.approx(600, abs=0.5)}
    assert len(s["minutes"]) == 2 + 110

    before = summary.day_summary(default_path(), date(2024, 4, 30))
    assert before["monitored_s"] == pytest.approx(120, abs=0.5)
    assert before["prompts"]["count"] == 0


def test_report_text_and_json(capsys) -> None:
    """Text names the numbers; --json prints the same summary as day_summary."""
    known_day()
    assert main(["report", "--day", "2024-05-01"]) == 0
    text = capsys.readouterr().out
    assert "monitored: 1 h 52 min" in text
    assert "good posture: 89%" in text
    assert "longest good streak: 30 min (09:30-10:00)" in text
    assert "prompts: 2 (1 posture, 1 break)" in text
    assert "breaks: 1 (20 min)" in text
    assert "09:25 posture: Your head has drifted forward." in text
    assert main(["report", "--day", "2024-05-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == summary.day_summary(default_path(), DAY)


def test_png_chart_shows_the_score_and_the_prompts(tmp_path: Path, capsys) -> None:
    """The PNG has the score line at the minute's score, the problem's shading behind it, and a
    marker in the prompt's colour above the plot at the prompt's time (and none elsewhere)."""
    known_day(midnight=False)
    out = tmp_path / "day.png"
    assert main(["report", "--day", "2024-05-01", "--out", str(out)]) == 0
    img = cv2.imread(str(out))
    assert img.shape == (chart.HEIGHT, chart.WIDTH, 3)
    f = chart.chart_frame(summary.day_summary(default_path(), DAY))
    assert f is not None

    def pixel(t: float, y: float) -> tuple[int, int, int]:
        return tuple(int(v) for v in img[round(y), round(f.x(t))])

    bgr = chart._bgr
    assert pixel(at(9, 10, 30), f.y(20)) == bgr(chart.SCORE)  # good, score 20
    assert pixel(at(9, 24, 30), f.y(80)) == bgr(chart.SCORE)  # slouched, score 80
    assert pixel(at(9, 24, 30), f.y(40)) == bgr(chart.PROBLEM_COLOURS["forward_head"])
    assert pixel(at(9, 10, 30), f.y(40)) == bgr(chart.BACKGROUND)
    assert pixel(at(10, 10, 30), f.y(40)) == bgr(chart.AWAY)
    marker_y = f.top - 8
    assert pixel(at(9, 25), marker_y) == bgr(chart.PROMPT_COLOURS["posture"])
    assert pixel(at(10, 40), marker_y) == bgr(chart.PROMPT_COLOURS["break"])
    assert pixel(at(9, 50), marker_y) == bgr(chart.BACKGROUND)
    assert f.x(at(9)) == f.left and f.x(at(11)) == f.right  # whole hours around the data


def test_html_page_is_self_contained(tmp_path: Path) -> None:
    """The page carries the numbers and an inline SVG chart, and loads nothing from outside."""
    known_day()
    out = tmp_path / "day.html"
    assert main(["report", "--day", "2024-05-01", "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    assert page.count("<svg") == 1 and "</svg>" in page
    assert "<polyline" in page and "<polygon" in page
    for number in ("1 h 52 min", "89%", "30 min (09:30-10:00)", "2 (1 posture, 1 break)"):
        assert number in page
    assert "src=" not in page and "<link" not in page and "@import" not in page


def test_a_day_without_history_is_not_an_error(tmp_path: Path, capsys) -> None:
    """No data: a plain message and exit 0; JSON with zeros; the chart says "no data"."""
    assert main(["report", "--day", "2030-01-01"]) == 0
    assert capsys.readouterr().out.startswith("No posture history for 2030-01-01")
    assert not default_path().exists()  # reading never creates the database
    known_day()
    assert main(["report", "--day", "2030-01-01", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["monitored_s"], s["good_share"], s["longest_good_streak"]) == (0, None, None)
    out = tmp_path / "empty.png"
    assert main(["report", "--day", "2030-01-01", "--out", str(out)]) == 0
    img = cv2.imread(str(out))
    assert img is not None and (img < 128).any()  # the title and the "no data" line


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    """A malformed --day or an --out that is neither .png nor .html."""
    with pytest.raises(SystemExit) as exc:
        main(["report", "--day", "yesterday"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "day.pdf")]) == 2
    assert ".png or .html" in capsys.readouterr().err


def test_camera_moved_notices_are_reported_as_their_own_kind(tmp_path: Path) -> None:
    """The monitor's 'camera moved' notices count as prompts of their own kind everywhere."""
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
        record_timeline(h, 0, 120)
        h.record_notice(60.0, "camera_moved", "Everything looks shifted.")
    s = summary.day_summary(default_path(), DAY)
    assert (s["prompts"]["count"], s["prompts"]["camera_moved"]) == (1, 1)
    assert "prompts: 1 (0 posture, 0 break, 1 camera moved)" in summary.format_text(s)
    chart.write_chart(s, tmp_path / "day.png")
    assert cv2.imread(str(tmp_path / "day.png")) is not None


def test_durations_are_rounded_not_truncated() -> None:
    assert [summary.duration(s) for s in (44.6, 59.6, 119.0, 3599.0, 3660.0)] == [
        "45 s", "1 min", "2 min", "1 h 00 min", "1 h 01 min"]
