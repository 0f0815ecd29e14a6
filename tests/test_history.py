"""History and report: minutes aggregated from irregular frames, durability under kill -9,
locked, unwritable and damaged databases, and the day's report as numbers, text, JSON, PNG and
HTML, all on real SQLite files in the test's own POSTURE_HOME."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime
from pathlib import Path

import cv2
import pytest

from posture import cli, history, report
from posture.alerts import Prompt
from posture.history import History, MinuteAggregator, default_path
from posture.score import MAX_STEP

REPO = Path(__file__).resolve().parents[1]
DAY = date(2024, 5, 1)
DAY_START = datetime(2024, 5, 1, 9, 0, 0).timestamp()  # local 09:00 of DAY


def frame_times(start: float, end: float, *, gap: tuple[float, float] | None = None) -> list[float]:
    """Irregular frame times from `start` to `end` inclusive (steps cycling 0.1-0.5 s), no frame
    strictly inside `gap`; the span ends of the timelines below are frame times too."""
    steps = (0.13, 0.4, 0.21, 0.5, 0.1, 0.33)
    marks = {50.0, 80.0, 100.0, 120.0, 130.0, 150.0}
    times, t, i = [], start, 0
    while t < end:
        times.append(round(t, 6))
        t += steps[i % len(steps)]
        i += 1
    times = sorted(set(times) | {m for m in marks if start <= m <= end} | {end})
    if gap:
        times = [t for t in times if not gap[0] < t < gap[1]]
    return times


def state(t: float) -> tuple[bool, str | None, list[str], float]:
    """The synthetic timeline (seconds): good to 50, slouched (forward head) to 80, nobody to
    100, good after; score 10 while good, 60 otherwise (held while nobody is there)."""
    if t < 50:
        return True, "good", [], 10.0
    if t < 80:
        return True, "slouched", ["forward_head"], 60.0
    if t < 100:
        return False, None, [], 60.0
    return True, "good", [], 10.0


def test_minutes_from_irregular_frames() -> None:
    """Seconds per state, problems and the time-weighted score land in the right clock minute,
    a stalled source counts MAX_STEP at most, and each minute is emitted once a frame from a
    later minute arrives."""
    agg = MinuteAggregator(origin=0.0)
    times = frame_times(0.0, 150.0, gap=(120.0, 130.0))
    emitted: list[tuple[float, history.Minute]] = []
    for t in times:
        emitted += [(t, m) for m in agg.add(t, *state(t))]
    emitted += [(150.0, m) for m in agg.finish(150.0)]

    first_after_60 = next(t for t in times if t >= 60)
    assert 60 < first_after_60 < 60.5
    assert [(when, m.start) for when, m in emitted] == [
        (first_after_60, 0), (120.0, 60), (150.0, 120)]
    first, second, third = (m for _, m in emitted)
    approx = pytest.approx
    assert (first.monitored_s, first.present_s) == approx((60.0, 60.0))
    assert (first.good_s, first.slouched_s) == approx((50.0, 10.0))
    assert first.problems == {"forward_head": approx(10.0)}
    assert first.mean_score == approx((50 * 10 + 10 * 60) / 60)
    assert first.max_score == 60.0
    assert (second.monitored_s, second.present_s) == approx((60.0, 40.0))
    assert (second.good_s, second.slouched_s) == approx((20.0, 20.0))
    assert second.problems == {"forward_head": approx(20.0)}
    assert second.mean_score == approx((20 * 60 + 20 * 60 + 20 * 10) / 60)
    # 120 -> 130 without frames: only MAX_STEP of it is monitored; then 130 -> 150.
    assert third.monitored_s == approx(MAX_STEP + 20.0)
    assert third.good_s == approx(MAX_STEP + 20.0)
    assert third.problems == {}


def test_minutes_follow_the_clock_not_the_session() -> None:
    """With an origin mid-minute, the first minute is the partial clock minute."""
    agg = MinuteAggregator(origin=1_700_000_070.0)  # 30 s past a whole minute
    done = []
    for i in range(0, 451):
        done += agg.add(i * 0.2, True, "good", [], 0.0)
    done += agg.finish()
    assert [m.start for m in done] == [1_700_000_040, 1_700_000_100]
    assert [m.monitored_s for m in done] == pytest.approx([30.0, 60.0], abs=1e-3)


def record_timeline(h: History, t0: float, t1: float, good: bool = True,
                    problems: tuple[str, ...] = (), score: float = 0.0) -> None:
    """Frames at 5 fps from t0 (inclusive) to t1 (exclusive) in one state."""
    n = round((t1 - t0) * 5)
    for i in range(n):
        h.record_frame(t0 + i / 5, True, "good" if good else "slouched",
                       () if good else problems, score)


def test_history_writes_sessions_and_minutes_in_wal_mode() -> None:
    """A session's rows: wall-clock minutes, problems as JSON, start and end in UTC ISO."""
    path = default_path()
    with History() as h:
        h.start_session("clip.mp4", "desk", wall_start=DAY_START)
        record_timeline(h, 0, 60, good=True, score=5.0)
        record_timeline(h, 60, 120, good=False, problems=("slouch",), score=70.0)
        h.record_prompt(Prompt(90.0, "posture", ("slouch",), ("overhead_reach",), "Sit up.", 1))
        h.record_stretch(100.0, "overhead_reach", 3, 42.5)
        h.record_break(110.0, 115.0)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    started, ended, source, profile = conn.execute(
        "SELECT started, ended, source, profile FROM sessions").fetchone()
    assert (source, profile) == ("clip.mp4", "desk")
    assert datetime.fromisoformat(started).timestamp() == DAY_START
    assert datetime.fromisoformat(ended).timestamp() == pytest.approx(DAY_START + 120, abs=1)
    rows = conn.execute("SELECT minute_start, monitored_s, good_s, slouched_s, mean_score, "
                        "problems FROM minutes ORDER BY minute_start").fetchall()
    assert [r[0] - DAY_START for r in rows] == [0, 60]
    assert rows[0][1:5] == pytest.approx((60.0, 60.0, 0.0, 5.0))
    assert rows[1][1:5] == pytest.approx((59.8, 0.0, 59.8, 70.0))  # the last frame holds 0 s
    assert json.loads(rows[1][5]) == {"slouch": pytest.approx(59.8)}
    assert conn.execute("SELECT at, kind, problems, level FROM prompts").fetchone() == (
        DAY_START + 90, "posture", '["slouch"]', 1)
    assert conn.execute("SELECT at, stretch_id, reps, seconds_in_position FROM "
                        "stretches_done").fetchone() == (DAY_START + 100, "overhead_reach", 3, 42.5)
    assert conn.execute("SELECT started, ended FROM breaks").fetchone() == (
        DAY_START + 110, DAY_START + 115)
    conn.close()


WRITER = textwrap.dedent("""
    import os, signal, sys
    from posture.alerts import Prompt
    from posture.history import History
    path, minutes, self_kill = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
    h = History(path)
    h.start_session("0", "default", wall_start=1_700_000_040.0)  # a whole minute
    h.record_prompt(Prompt(5.0, "posture", ("slouch",), (), "Sit up.", 0))
    i = 0
    while self_kill is False or i * 0.2 < minutes * 60:
        for m in h.record_frame(i * 0.2, True, "good" if i % 7 else "slouched", [], i % 100):
            print(m.start, flush=True)
        i += 1
    os.kill(os.getpid(), signal.SIGKILL)
""")


def start_writer(path: Path, minutes: float, self_kill: bool) -> subprocess.Popen:
    """The writer above in its own interpreter, printing each minute's start once committed."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(minutes),
                             "1" if self_kill else "0"], stdout=subprocess.PIPE, text=True,
                            env=env)


def check_intact(path: Path) -> list[int]:
    """The database passes integrity_check; its minute starts, in order."""
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT count(*) FROM prompts").fetchone()[0] == 1
    assert conn.execute("SELECT ended FROM sessions").fetchall() == [(None,)]
    starts = [r[0] for r in conn.execute("SELECT minute_start FROM minutes ORDER BY 1")]
    conn.close()
    return starts


def test_kill_9_loses_only_the_minute_in_progress(tmp_path: Path) -> None:
    """A writer killed 3.5 minutes into a session leaves exactly its 3 finished minutes."""
    path = tmp_path / "h.sqlite3"
    proc = start_writer(path, 3.5, self_kill=True)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert check_intact(path) == [1_700_000_040 + 60 * k for k in range(3)]
    assert out.split() == [str(1_700_000_040 + 60 * k) for k in range(3)]


def test_kill_9_at_any_moment_keeps_every_committed_minute(tmp_path: Path) -> None:
    """Killed from outside while writing flat out: every minute reported as written is there,
    at most one more (committed but not yet reported), consecutive, and the file is intact."""
    path = tmp_path / "h.sqlite3"
    proc = start_writer(path, 0, self_kill=False)
    assert proc.stdout is not None
    printed = [proc.stdout.readline() for _ in range(40)]
    assert all(printed)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reported = [int(x) for x in printed + proc.stdout.read().split()]
    starts = check_intact(path)
    assert starts[: len(reported)] == reported
    assert len(starts) <= len(reported) + 1
    assert starts == [1_700_000_040 + 60 * k for k in range(len(starts))]


def test_locked_database_warns_once_and_catches_up(monkeypatch, capsys) -> None:
    """While another process holds the write lock the monitor carries on with one warning;
    once the lock is gone every minute it could not write is written."""
    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.05)
    path = default_path()
    with History() as h:
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 200)  # three minutes finish while locked
        err = capsys.readouterr().err
        assert err.count("posture: history:") == 1
        assert "database is locked" in err
        locker.execute("ROLLBACK")
        locker.close()
        record_timeline(h, 200, 250)  # finishes minute 3: everything queued goes in
    assert capsys.readouterr().err == ""
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sessions WHERE ended IS NOT NULL").fetchone() == (1,)
    starts = [r[0] - DAY_START for r in conn.execute(
        "SELECT minute_start FROM minutes WHERE session_id = 1 ORDER BY 1")]
    assert starts == [0, 60, 120, 180, 240]
    conn.close()


def test_a_lock_that_stays_stalls_the_monitor_only_now_and_then(capsys) -> None:
    """Ten minutes finish while another process holds the lock: they wait in memory without
    a busy wait per write, and all go in at the end once the lock is gone."""
    path = default_path()
    with History() as h:
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        h.start_session("0", "default", wall_start=DAY_START)
        started = time.monotonic()
        record_timeline(h, 0, 610)
        h.record_prompt(Prompt(300.0, "posture", ("slouch",), (), "Sit up.", 0))
        assert time.monotonic() - started < 1.0  # not a 1 s busy wait per minute or prompt
        assert not h.saved
        locker.execute("ROLLBACK")
        locker.close()
    assert "database is locked" in capsys.readouterr().err
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM minutes").fetchone() == (11,)
    assert conn.execute("SELECT count(*) FROM prompts").fetchone() == (1,)
    conn.close()


def test_database_opened_read_only_warns_once(monkeypatch, capsys) -> None:
    """SQLite refusing every write (the file opened read-only, as a read-only file or folder
    would be, also for root): one warning, no exception, the file unchanged."""
    path = default_path()
    History().close()
    before = path.read_bytes()
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda p, **kw: connect(
        f"{Path(p).resolve().as_uri()}?mode=ro", uri=True, **kw))
    with History() as h:
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 200)
        assert not h.saved  # the minutes wait in memory for the file to become writable
    err = capsys.readouterr().err
    assert err.count("posture: history:") == 1 and "readonly database" in err
    assert path.read_bytes() == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="file permissions do not bind root: cannot make a read-only file")
def test_read_only_database_warns_once(capsys) -> None:
    """A read-only file: one warning, no exception, the file unchanged."""
    path = default_path()
    History().close()
    before = path.read_bytes()
    path.chmod(0o444)
    with History() as h:
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 200)
    assert capsys.readouterr().err.count("posture: history:") == 1
    assert path.read_bytes() == before


def test_unopenable_database_warns_once(capsys) -> None:
    """A history path that cannot be opened (a folder here): one warning, the monitor goes on."""
    default_path().mkdir(parents=True)
    with History() as h:
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 200)
    err = capsys.readouterr().err
    assert err.count("posture: history:") == 1
    assert "unable to open database file" in err


def damage(path: Path, how: str) -> bytes:
    """Make `path` a damaged history: not a database at all, or a database with broken pages."""
    if how == "not_a_database":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"these are not the bytes of an SQLite database\n" * 200)
    else:
        with History(path) as h:
            h.start_session("0", "default", wall_start=DAY_START)
            record_timeline(h, 0, 600)
        data = bytearray(path.read_bytes())
        page = 4096
        data[page:] = bytes((i * 7) % 256 for i in range(len(data) - page))
        path.write_bytes(bytes(data))
    return path.read_bytes()


@pytest.mark.parametrize("how", ["not_a_database", "malformed"])
def test_damaged_database_is_reported_and_left_alone(how: str, capsys) -> None:
    """The monitor warns and goes on without history; the report exits 2 naming the file;
    neither changes a byte of it."""
    path = default_path()
    before = damage(path, how)
    capsys.readouterr()
    with History() as h:
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 200)
        assert not h.saved
    err = capsys.readouterr().err
    assert err.count("posture: history:") == 1 and "is damaged" in err
    assert path.read_bytes() == before

    assert cli.main(["report", "--day", DAY.isoformat()]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("posture: error: history ") and "is damaged" in err[0]
    assert str(path) in err[0] and "move it aside" in err[0]
    assert path.read_bytes() == before


def test_newer_schema_is_not_touched(capsys) -> None:
    """A file from a newer version: the monitor leaves it alone, the report says to update."""
    path = default_path()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with History() as h:
        assert not h.saved
    assert "newer version" in capsys.readouterr().err
    assert cli.main(["report"]) == 2
    assert "update posture" in capsys.readouterr().err
    assert path.read_bytes() == before


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> float:
    """Epoch seconds of a local clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, second).timestamp()


def known_day(midnight: bool = True) -> None:
    """A known day: 09:00-10:00 good (score 20) but 09:20-09:30 slouched with forward head
    (score 80); a posture prompt at 09:25, a stretch at 09:31, a break 10:00-10:20 (nobody in
    view), then 10:20-10:50 good; a break reminder at 10:40. With `midnight`, a session from
    23:58 the evening before to 00:02 adds two minutes to each day."""
    with History() as h:
        h.start_session("0", "default", wall_start=at(9))
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
        h.start_session("0", "default", wall_start=at(23, 58, day=date(2024, 4, 30)))
        record_timeline(h, 0, 240, score=20.0)
        h.end_session(240.0)


def test_report_numbers_for_a_known_day() -> None:
    """Monitored and present time, good share, longest streak, prompts, stretches, breaks."""
    known_day()
    s = report.day_summary(default_path(), DAY)
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

    before = report.day_summary(default_path(), date(2024, 4, 30))
    assert before["monitored_s"] == pytest.approx(120, abs=0.5)
    assert before["prompts"]["count"] == 0


def test_report_text_and_json(capsys) -> None:
    """Text names the numbers; --json prints the same summary as day_summary."""
    known_day()
    assert cli.main(["report", "--day", "2024-05-01"]) == 0
    text = capsys.readouterr().out
    assert "monitored: 1 h 52 min" in text
    assert "good posture: 89%" in text
    assert "longest good streak: 30 min (09:30-10:00)" in text
    assert "prompts: 2 (1 posture, 1 break)" in text
    assert "breaks: 1 (20 min)" in text
    assert "09:25 posture: Your head has drifted forward." in text
    assert cli.main(["report", "--day", "2024-05-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report.day_summary(default_path(), DAY)


def test_png_chart_shows_the_score_and_the_prompts(tmp_path: Path, capsys) -> None:
    """The PNG has the score line at the minute's score, the problem's shading behind it, and a
    marker in the prompt's colour above the plot at the prompt's time (and none elsewhere)."""
    known_day(midnight=False)
    out = tmp_path / "day.png"
    assert cli.main(["report", "--day", "2024-05-01", "--out", str(out)]) == 0
    img = cv2.imread(str(out))
    assert img.shape == (report.HEIGHT, report.WIDTH, 3)
    f = report.chart_frame(report.day_summary(default_path(), DAY))
    assert f is not None

    def pixel(t: float, y: float) -> tuple[int, int, int]:
        return tuple(int(v) for v in img[round(y), round(f.x(t))])

    bgr = report._bgr
    assert pixel(at(9, 10, 30), f.y(20)) == bgr(report.SCORE)  # good, score 20
    assert pixel(at(9, 24, 30), f.y(80)) == bgr(report.SCORE)  # slouched, score 80
    assert pixel(at(9, 24, 30), f.y(40)) == bgr(report.PROBLEM_COLOURS["forward_head"])
    assert pixel(at(9, 10, 30), f.y(40)) == bgr(report.BACKGROUND)
    assert pixel(at(10, 10, 30), f.y(40)) == bgr(report.AWAY)
    marker_y = f.top - 8
    assert pixel(at(9, 25), marker_y) == bgr(report.PROMPT_COLOURS["posture"])
    assert pixel(at(10, 40), marker_y) == bgr(report.PROMPT_COLOURS["break"])
    assert pixel(at(9, 50), marker_y) == bgr(report.BACKGROUND)
    assert f.x(at(9)) == f.left and f.x(at(11)) == f.right  # whole hours around the data


def test_html_page_is_self_contained(tmp_path: Path) -> None:
    """The page carries the numbers and an inline SVG chart, and loads nothing from outside."""
    known_day()
    out = tmp_path / "day.html"
    assert cli.main(["report", "--day", "2024-05-01", "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    assert page.count("<svg") == 1 and "</svg>" in page
    assert "<polyline" in page and "<polygon" in page
    for number in ("1 h 52 min", "89%", "30 min (09:30-10:00)", "2 (1 posture, 1 break)"):
        assert number in page
    assert "src=" not in page and "<link" not in page and "@import" not in page


def test_a_day_without_history_is_not_an_error(tmp_path: Path, capsys) -> None:
    """No data: a plain message and exit 0; JSON with zeros; the chart says "no data"."""
    assert cli.main(["report", "--day", "2030-01-01"]) == 0
    assert capsys.readouterr().out.startswith("No posture history for 2030-01-01")
    assert not default_path().exists()  # reading never creates the database
    known_day()
    assert cli.main(["report", "--day", "2030-01-01", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["monitored_s"], s["good_share"], s["longest_good_streak"]) == (0, None, None)
    out = tmp_path / "empty.png"
    assert cli.main(["report", "--day", "2030-01-01", "--out", str(out)]) == 0
    img = cv2.imread(str(out))
    assert img is not None and (img < 128).any()  # the title and the "no data" line


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    """A malformed --day or an --out that is neither .png nor .html."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--day", "yesterday"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert cli.main(["report", "--out", str(tmp_path / "day.pdf")]) == 2
    assert ".png or .html" in capsys.readouterr().err


def test_camera_moved_notices_are_reported_as_their_own_kind(tmp_path: Path) -> None:
    """The monitor's 'camera moved' notices count as prompts of their own kind everywhere."""
    with History() as h:
        h.start_session("0", "default", wall_start=DAY_START)
        record_timeline(h, 0, 120)
        h.record_notice(60.0, "camera_moved", "Everything looks shifted.")
    s = report.day_summary(default_path(), DAY)
    assert (s["prompts"]["count"], s["prompts"]["camera_moved"]) == (1, 1)
    assert "prompts: 1 (0 posture, 0 break, 1 camera moved)" in report.format_text(s)
    report.write_chart(s, tmp_path / "day.png")
    assert cv2.imread(str(tmp_path / "day.png")) is not None


def test_durations_are_rounded_not_truncated() -> None:
    assert [report.duration(s) for s in (44.6, 59.6, 119.0, 3599.0, 3660.0)] == [
        "45 s", "1 min", "2 min", "1 h 00 min", "1 h 01 min"]
