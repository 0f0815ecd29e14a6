"""Screen lock: tell the monitor when the session's screen locks and unlocks, so it pauses and
releases the camera while nobody can be at the desk.

`lock_watcher()` is the one place the platform is picked:
- Linux and other desktops with D-Bus: posture.io.screen_lock_dbus (the screensaver's and
  logind's signals, through jeepney).
- macOS (the `com.apple.screenIsLocked` / `screenIsUnlocked` distributed notifications) and
  Windows (WTS session-change notifications) are not supported yet: their watcher starts
  nothing and says so, and the monitor keeps watching a locked screen until paused by hand.

Every watcher has the same shape: `start()`, `close()`, `problems()` (what is missing; empty
when every source is heard, said by `unheard_words` for `posture run` and `posture doctor`),
`listening()` (what it is subscribed to), `noticed()` (whether a lock would be heard now: a
subscription alone is not enough while nothing on the machine announces locks), and a callback
`on_change(locked)` called from a background thread when the state changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol

UNSUPPORTED = {"darwin": "macOS", "win32": "Windows", "cygwin": "Windows"}


class LockWatcher(Protocol):
    """What the monitor needs of a screen-lock watcher."""

    def start(self) -> LockWatcher: ...

    def close(self) -> None: ...

    def problems(self) -> list[str]: ...

    def listening(self) -> list[str]: ...

    def noticed(self) -> bool: ...


class UnsupportedLockWatcher:
    """The watcher of a platform whose lock signal is not read yet: hears nothing, says why."""

    def __init__(self, system: str) -> None:
        self.system = system

    def start(self) -> UnsupportedLockWatcher:
        return self

    def close(self) -> None:
        """Nothing was started."""

    def problems(self) -> list[str]:
        return [f"screen lock detection is not supported on {self.system} yet: pause posture "
                "by hand before you leave the desk"]

    def listening(self) -> list[str]:
        return []

    def noticed(self) -> bool:
        return False


def unheard_words(watcher: LockWatcher) -> str:
    """Every reason the started `watcher` misses screen locks, in the words `posture run` and
    `posture doctor` both say (never only the first): '' when every source is heard."""
    why = "; ".join(watcher.problems())
    if watcher.noticed():
        return f"not heard: {why}" if why else ""
    return f"screen locks are not noticed here ({why or 'no lock signal can be read'})"


def lock_watcher(on_change: Callable[[bool], None],
                 platform: str = sys.platform) -> LockWatcher:
    """The screen-lock watcher for `platform` (not yet started)."""
    if platform in UNSUPPORTED:
        return UnsupportedLockWatcher(UNSUPPORTED[platform])
    from posture.io.screen_lock_dbus import DBusLockWatcher  # loads jeepney only where used

    return DBusLockWatcher(on_change)
