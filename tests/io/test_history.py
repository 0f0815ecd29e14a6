"""The history database: sessions and minutes in WAL mode, durability under kill -9, and
locked, unwritable, damaged and newer databases, on real SQLite files in the test's own
POSTURE_HOME."""

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

import pytest

from posture.app.cli import main
from posture.core.alerts import Prompt
from posture.core.sampling import Sampling
from posture.io import history
from posture.io.history import History, default_path
from tests.conftest import REPO

DAY = date(2024, 5, 1)


DAY_START = datetime(2024, 5, 1, 9, 0, 0).timestamp()  # local 09:00 of DAY
STALL_S = Sampling().stall_s  # the default sampling policy's, as the monitor passes it




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
        h.start_session("clip.mp4", "desk", stall_s=STALL_S, wall_start=DAY_START)
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
    from posture.core.alerts import Prompt
    from posture.io.history import History
    path, minutes, self_kill = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
    h = History(path)
    h.start_session("0", "default", stall_s=6.0, wall_start=1_700_000_040.0)  # a whole minute
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
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
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
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
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
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
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
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
        record_timeline(h, 0, 200)
    assert capsys.readouterr().err.count("posture: history:") == 1
    assert path.read_bytes() == before


def test_unopenable_database_warns_once(capsys) -> None:
    """A history path that cannot be opened (its folder is a file here): one warning, the
    monitor goes on (a folder in the history's own place is refused at once, see
    tests/app/test_folders.py)."""
    default_path().parent.parent.mkdir(parents=True)
    default_path().parent.write_text("a file where the data folder belongs")
    with History() as h:
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
        record_timeline(h, 0, 200)
    err = capsys.readouterr().err
    assert err.count("posture: history:") == 1
    assert f"cannot write {default_path()} ([Errno 17] File exists" in err


def damage(path: Path, how: str) -> bytes:
    """Make `path` a damaged history: not a database at all, or a database with broken pages."""
    if how == "not_a_database":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"these are not the bytes of an SQLite database\n" * 200)
    else:
        with History(path) as h:
            h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
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
        h.start_session("0", "default", stall_s=STALL_S, wall_start=DAY_START)
        record_timeline(h, 0, 200)
        assert not h.saved
    err = capsys.readouterr().err
    assert err.count("posture: history:") == 1 and "is damaged" in err
    assert path.read_bytes() == before

    assert main(["report", "--day", DAY.isoformat()]) == 2
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
    assert main(["report"]) == 2
    assert "update posture" in capsys.readouterr().err
    assert path.read_bytes() == before
