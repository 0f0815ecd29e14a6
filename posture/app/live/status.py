"""What the running monitor shows the world: its state, score, pause and switches, kept on one
board that the monitor's thread writes and the tray, the window and the control socket read
from their own threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from posture.core.pauses import Pause


@dataclass(frozen=True)
class MonitorStatus:
    """One moment of the monitor, as `posture status --json` reports it."""

    state: str = "starting"  # a posture.core.states state
    score: float | None = None  # the slouch score, while monitoring
    problems: tuple[str, ...] = ()
    pauses: tuple[Pause, ...] = ()  # every pause in force, in posture.core.pauses.REASONS order
    capturing: bool = False  # frames are taken from the source now (a paused camera is closed)
    muted: bool = False
    snoozed_until: float | None = None  # epoch seconds, while prompts are snoozed
    good_share_today: float | None = None  # from the history, None before any verdict today
    tray: bool = False  # the tray icon is shown
    window: bool = False  # the camera window is shown
    pid: int = 0

    @property
    def paused(self) -> Pause | None:
        """The first pause in force (the one `paused` in the JSON reports), or None."""
        return self.pauses[0] if self.pauses else None

    def to_json(self) -> dict[str, Any]:
        """The JSON of `posture status --json` (fields are only ever added): `paused` is the
        first pause, `pauses` names each one in force."""
        out = asdict(self)
        out["score"] = None if self.score is None else round(self.score, 1)
        out["problems"] = list(self.problems)
        out["paused"] = self.paused.to_json() if self.paused else False
        out["pauses"] = [p.to_json() for p in self.pauses]
        return out


class StatusBoard:
    """The latest MonitorStatus, replaced field by field from any thread; listeners are told
    of each change on the thread that made it."""

    def __init__(self, status: MonitorStatus | None = None) -> None:
        self._lock = threading.Lock()
        self._status = status or MonitorStatus()
        self.listeners: list[Callable[[MonitorStatus], None]] = []

    def get(self) -> MonitorStatus:
        """The status now."""
        with self._lock:
            return self._status

    def set(self, **fields: Any) -> MonitorStatus:
        """Change some fields; listeners hear of it when anything changed."""
        with self._lock:
            before = self._status
            self._status = replace(before, **fields)
            now = self._status
        if now != before:
            for listener in list(self.listeners):
                listener(now)
        return now
