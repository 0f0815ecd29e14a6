"""The history of the day: sessions, per-minute aggregates, prompts, stretches done and breaks,
kept in an SQLite database in the user data folder (`data_dir()/history.sqlite3`).

Time. The monitor speaks in source time `t` (seconds from the session's first frame, taken from
frame timestamps), so the pipeline stays clock-free. History reads the wall clock once, when a
session starts, and stores wall time = session start + t. A file analysed now is therefore
placed at "now" (from the moment the analysis started), not at the time it was recorded.

Durability. The database runs in WAL mode with synchronous=NORMAL: a committed transaction
survives the process being killed (kill -9); only a power cut can lose the last commits. Each
finished minute is committed in its own transaction as soon as the first frame of a later
minute arrives, so a kill loses at most the minute in progress. Prompts, stretches and breaks
are committed as they happen.

Failures never stop the monitor. A locked or read-only database (or a full disk) gives one
warning on stderr; the writes that failed are kept (up to MAX_PENDING) and retried with a later
write, at most every RETRY_S seconds, and once more at the end of the session, so a lock that
clears loses nothing and a lock that stays stalls the monitor only briefly now and then. A
damaged file, or one written by a newer version, gives a warning and switches history off for
the run: the file is never replaced or deleted, the user decides what to do with it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from posture.core.alerts import Prompt
from posture.core.minutes import Minute, MinuteAggregator
from posture.io.console import say
from posture.io.paths import data_dir, refuse_folder

DB_NAME = "history.sqlite3"
HISTORY = "the history database"  # what a folder in its place is called
SCHEMA_VERSION = 1  # PRAGMA user_version of the schema below; 0 means an empty, new file
BUSY_TIMEOUT_S = 0.1  # wait this long for a lock: short, so a held lock barely stalls the monitor
RETRY_S = 30.0  # after a failed write, the queue is retried this often (real time), not per write
MAX_PENDING = 24 * 60  # failed writes kept for retry (a day of minutes); later ones are dropped

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,  -- ISO 8601 wall time, UTC
        ended TEXT,             -- NULL while running, or when the process was killed
        source TEXT NOT NULL,
        profile TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS minutes (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        minute_start INTEGER NOT NULL,  -- epoch seconds (UTC wall clock), a multiple of 60
        monitored_s REAL NOT NULL,      -- seconds with frames
        present_s REAL NOT NULL,        -- of which somebody was in view
        good_s REAL NOT NULL,           -- of which posture was judged good
        slouched_s REAL NOT NULL,       -- of which posture was judged slouched
        mean_score REAL NOT NULL,       -- slouch score, time-weighted over monitored_s
        max_score REAL NOT NULL,
        problems TEXT NOT NULL,         -- JSON {problem id: seconds seen}
        PRIMARY KEY (session_id, minute_start))""",
    "CREATE INDEX IF NOT EXISTS minutes_by_time ON minutes(minute_start)",
    """CREATE TABLE IF NOT EXISTS prompts (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        at REAL NOT NULL,  -- epoch seconds
        kind TEXT NOT NULL,  -- "posture", "break" or "camera_moved"
        problems TEXT NOT NULL,  -- JSON list of problem ids
        stretches TEXT NOT NULL,  -- JSON list of stretch ids
        text TEXT NOT NULL,
        level INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS prompts_by_time ON prompts(at)",
    """CREATE TABLE IF NOT EXISTS stretches_done (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        at REAL NOT NULL,  -- epoch seconds
        stretch_id TEXT NOT NULL,
        reps INTEGER NOT NULL,
        seconds_in_position REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS stretches_by_time ON stretches_done(at)",
    """CREATE TABLE IF NOT EXISTS breaks (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        started REAL NOT NULL,  -- epoch seconds
        ended REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS breaks_by_time ON breaks(started)",
)


def default_path() -> Path:
    """The history database in the user data folder (honours POSTURE_HOME)."""
    return data_dir() / DB_NAME


def iso_utc(epoch: float) -> str:
    """Epoch seconds as an ISO 8601 UTC timestamp, to the second."""
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


class Unusable(Exception):
    """The database file cannot be used at all this run (written by a newer version)."""


@dataclass
class _Session:
    """The session being recorded: wall time at t = 0, its minutes, its row id (once written)."""

    wall_start: float
    minutes: MinuteAggregator
    id: int | None = None


Write = Callable[[sqlite3.Connection], None]


def placed_start(duration: float | None, speed: float = math.inf) -> float:
    """Wall time of t = 0 for a source of `duration` seconds played `speed` times faster than
    real time (inf: read as fast as it can; None duration: a camera, now), so that it ends, at
    the latest, when its playback does: history never holds times in the future."""
    return time.time() - (duration or 0.0) * max(0.0, 1.0 - 1.0 / speed)


class History:
    """Records a monitoring session into the history database; never raises on I/O trouble.

    Call `start_session`, then `record_frame` for every frame, `record_prompt` /
    `record_stretch` / `record_break` as those happen, and `end_session` at the end (leaving
    the context manager ends an open session at its last frame).
    """

    def __init__(self, path: Path | str | None = None, record: bool = True) -> None:
        """`record=False`: a run kept out of the history (a file without --record): sessions
        are followed as usual, and nothing is opened or written."""
        self.path = Path(path) if path is not None else default_path()
        if record:  # a folder in its place is the user's mistake to fix, not a write to retry
            refuse_folder(self.path, HISTORY)
        self.recording = record
        self.problem: str | None = None  # why the history could not be written, with the fix
        self._conn: sqlite3.Connection | None = None
        self._pending: list[Write] = []
        self._retry_at = -math.inf  # monotonic time before which no queued write is retried
        self._warned = False
        self._off = not record  # not recording, or a damaged or newer file: nothing is written
        self._session: _Session | None = None
        self._last_t = 0.0
        self._flush()  # open now, so a damaged or unwritable file is reported at start

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session is not None:
            self.end_session()
        self.close()

    @property
    def saved(self) -> bool:
        """True when recording and everything recorded so far is in the file."""
        return not self._off and not self._pending

    @property
    def lost(self) -> bool:
        """True when recording but not everything recorded could be written."""
        return self.recording and not self.saved

    def outcome(self) -> str:
        """What became of the session, in words (the last line of a run)."""
        if self.lost:
            return f"the session was not saved: {self.problem}"
        return "session saved" if self.recording else "nothing recorded"

    def start_session(self, source: str, profile: str, *, stall_s: float,
                      wall_start: float | None = None) -> None:
        """Begin a session: the wall clock is read here, once (or `wall_start`, epoch seconds,
        is the wall time of t = 0). A gap between frames counts as monitored time up to
        `stall_s` seconds (the sampling policy's `Sampling.stall_s`). An open session is ended
        first."""
        if self._session is not None:
            self.end_session()
        wall = time.time() if wall_start is None else wall_start
        session = _Session(wall, MinuteAggregator(stall_s, wall))
        self._session = session
        self._last_t = 0.0

        def insert(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "INSERT INTO sessions (started, source, profile) VALUES (?, ?, ?)",
                (iso_utc(session.wall_start), source, profile))
            session.id = cur.lastrowid

        self._write(insert)

    def record_frame(self, t: float, person: bool, posture: str | None, problems: Sequence[str],
                     score: float) -> list[Minute]:
        """Feed one frame (same values as AlertPolicy.update); writes each minute it finishes
        and returns those minutes."""
        session = self._require_session()
        self._last_t = max(self._last_t, t)
        done = session.minutes.add(t, person, posture, problems, score)
        self._write_minutes(done)
        return done

    def record_stop(self, t: float) -> None:
        """Frames stopped at frame time `t` (a pause, a lost camera): the time until the next
        frame is not monitored time."""
        self._require_session().minutes.stop(t)

    def record_prompt(self, prompt: Prompt) -> None:
        """Save a prompt the monitor gave (at its frame time)."""
        self._insert_prompt(prompt.t, prompt.kind, prompt.problems, prompt.stretches,
                            prompt.text, prompt.level)

    def record_notice(self, t: float, kind: str, text: str) -> None:
        """Save something else the monitor told the user at frame time `t`, as a prompt of
        its own `kind` (e.g. "camera_moved")."""
        self._insert_prompt(t, kind, (), (), text, 0)

    def _insert_prompt(self, t: float, kind: str, problems: Sequence[str],
                       stretches: Sequence[str], text: str, level: int) -> None:
        """Write one row of the prompts table."""
        session = self._require_session()
        row = (session.wall_start + t, kind, json.dumps(list(problems)),
               json.dumps(list(stretches)), text, level)
        self._write(lambda conn: conn.execute(
            "INSERT INTO prompts (session_id, at, kind, problems, stretches, text, level) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (session.id, *row)))

    def record_stretch(self, t: float, stretch_id: str, reps: int,
                       seconds_in_position: float) -> None:
        """Save a stretch the user did, finished at frame time `t`."""
        session = self._require_session()
        row = (session.wall_start + t, stretch_id, reps, seconds_in_position)
        self._write(lambda conn: conn.execute(
            "INSERT INTO stretches_done (session_id, at, stretch_id, reps, seconds_in_position) "
            "VALUES (?, ?, ?, ?, ?)", (session.id, *row)))

    def record_break(self, start_t: float, end_t: float) -> None:
        """Save a break (nobody in view long enough to count) from `start_t` to `end_t`."""
        session = self._require_session()
        row = (session.wall_start + start_t, session.wall_start + end_t)
        self._write(lambda conn: conn.execute(
            "INSERT INTO breaks (session_id, started, ended) VALUES (?, ?, ?)",
            (session.id, *row)))

    def end_session(self, t: float | None = None) -> None:
        """End the session at frame time `t` (default: the last frame's): writes the partial
        minute and the end time."""
        session = self._require_session()
        end = self._last_t if t is None else max(t, self._last_t)
        self._write_minutes(session.minutes.finish(end))
        ended = iso_utc(session.wall_start + end)
        self._write(lambda conn: conn.execute(
            "UPDATE sessions SET ended = ? WHERE id = ?", (ended, session.id)))
        self._session = None
        if self._pending:
            self._flush()  # a last try now, whenever the previous one was

    def close(self) -> None:
        """Close the database (writes still failing by now are given up)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _require_session(self) -> _Session:
        """The open session; recording without one is a bug in the caller."""
        if self._session is None:
            raise RuntimeError("History: call start_session before recording")
        return self._session

    def _write_minutes(self, minutes: Sequence[Minute]) -> None:
        """Write each finished minute in its own transaction."""
        session = self._require_session()
        for m in minutes:
            row = (m.start, m.monitored_s, m.present_s, m.good_s, m.slouched_s, m.mean_score,
                   m.max_score, json.dumps({k: round(v, 3) for k, v in sorted(m.problems.items())}))
            self._write(lambda conn, row=row: conn.execute(
                "INSERT INTO minutes (session_id, minute_start, monitored_s, present_s, good_s, "
                "slouched_s, mean_score, max_score, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session.id, *row)))

    def _write(self, write: Write) -> None:
        """Queue one transaction and try to commit everything queued, in order (after a
        failure, only once RETRY_S has passed, so a held lock does not stall every frame)."""
        if self._off:
            return
        if len(self._pending) < MAX_PENDING:
            self._pending.append(write)
        if time.monotonic() >= self._retry_at:
            self._flush()

    def _flush(self) -> None:
        """Commit queued transactions in order; stop at the first failure and keep the rest."""
        if self._off:
            return
        self._retry_at = time.monotonic() + RETRY_S  # unless it all goes in, below
        try:
            conn = self._connect()
            while self._pending:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    self._pending[0](conn)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.rollback()
                    raise
                self._pending.pop(0)
            self._retry_at = -math.inf
        except (sqlite3.OperationalError, OSError) as exc:  # locked, read-only, disk full...
            self.problem = (f"cannot write {self.path} ({exc}): check that its folder is "
                            "writable and the disk not full, or set POSTURE_HOME to a writable "
                            "folder")
            self._warn(f"{self.problem}; carrying on, and trying again every {RETRY_S:g} s and "
                       "at the end of the session")
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:  # IntegrityError & co: a bug here
                raise
            self._switch_off(f"{self.path} is damaged ({exc}); the file was left as it is: "
                             "move it aside to start a new history")
        except Unusable as exc:
            self._switch_off(f"{exc}: update posture")

    def _connect(self) -> sqlite3.Connection:
        """The open connection, opening it (WAL, synchronous=NORMAL, schema) when needed."""
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                version = schema_version(conn, self.path)  # before anything writes to it
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                if version < SCHEMA_VERSION:
                    _create_schema(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _switch_off(self, problem: str) -> None:
        """Stop writing for the rest of the run, saying why."""
        self._off = True
        self.problem = problem
        self._pending.clear()
        self.close()
        self._warned = False
        self._warn(f"not saved this run: {problem}")

    def _warn(self, message: str) -> None:
        """One warning line on stderr, only the first time something goes wrong."""
        if not self._warned:
            self._warned = True
            say(f"history: {message}")


def schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version (0: new); a file from a newer version is refused."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise Unusable(f"{path} was written by a newer version of posture (schema {version})")
    return version


def _create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables (in one transaction, safe if another process does it too)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise
