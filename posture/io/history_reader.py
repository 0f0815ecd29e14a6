"""Reading the history database (see posture.io.history) for reports, never writing to it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posture.core.errors import UserError
from posture.io.history import BUSY_TIMEOUT_S, HISTORY, Unusable, schema_version
from posture.io.paths import refuse_folder


@dataclass(frozen=True)
class Rows:
    """Everything recorded in a span of wall time, as plain rows, oldest first."""

    minutes: list[dict[str, Any]]
    prompts: list[dict[str, Any]]
    stretches: list[dict[str, Any]]
    breaks: list[dict[str, Any]]

    def within(self, start: float, end: float) -> Rows:
        """The rows from `start` to `end` (epoch seconds), as `read_span` selects them."""
        return Rows(
            minutes=[r for r in self.minutes if start <= r["minute_start"] < end],
            prompts=[r for r in self.prompts if start <= r["at"] < end],
            stretches=[r for r in self.stretches if start <= r["at"] < end],
            breaks=[r for r in self.breaks if start <= r["started"] < end])


def read_span(path: Path, start: float, end: float) -> Rows:
    """Rows from `start` to `end` (epoch seconds), read without ever writing to the file.

    A missing file is an empty history. A damaged, unreadable or too new file raises UserError
    and is left untouched.
    """
    if not refuse_folder(path, HISTORY).exists():
        return Rows([], [], [], [])
    fix = "the file was left as it is: move it aside (a new history is started) or restore it"
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        raise UserError(f"cannot open history {path} ({exc}): check its permissions") from None
    conn.row_factory = sqlite3.Row
    try:
        try:
            version = schema_version(conn, path)
        except Unusable as exc:
            raise UserError(f"history {exc}: update posture") from None
        if version == 0:  # created but never written to: nothing recorded yet
            return Rows([], [], [], [])
        span = (start, end)
        return Rows(
            minutes=[dict(r, problems=json.loads(r["problems"])) for r in conn.execute(
                "SELECT * FROM minutes WHERE minute_start >= ? AND minute_start < ? "
                "ORDER BY minute_start, session_id", span)],
            prompts=[dict(r, problems=json.loads(r["problems"]),
                          stretches=json.loads(r["stretches"])) for r in conn.execute(
                "SELECT * FROM prompts WHERE at >= ? AND at < ? ORDER BY at", span)],
            stretches=[dict(r) for r in conn.execute(
                "SELECT * FROM stretches_done WHERE at >= ? AND at < ? ORDER BY at", span)],
            breaks=[dict(r) for r in conn.execute(
                "SELECT * FROM breaks WHERE started >= ? AND started < ? ORDER BY started",
                span)],
        )
    except sqlite3.OperationalError as exc:
        raise UserError(f"cannot read history {path} ({exc}): check its permissions, or that "
                        "it is a posture history file") from None
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        raise UserError(f"history {path} is damaged ({exc}): {fix}") from None
    finally:
        conn.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; where even that cannot work (a WAL file in a read-only folder,
    whose shared-memory file cannot be made) the file is read as immutable."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA user_version").fetchone()  # opening is lazy: try it now
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc):  # a writer at work: its latest rows are not in the main file
            raise
        return sqlite3.connect(f"{uri}?immutable=1", uri=True)
    except sqlite3.DatabaseError:  # damaged: the caller's queries report it
        pass
    return conn
