"""Wake when a file is opened or closed by any process: Linux inotify on one path.

The camera-in-use scan of /proc costs tens of milliseconds on a desktop with hundreds of
processes; polling it every two seconds would cost more than watching posture does. A video
call opens the camera's device node, and inotify reports that open at once, so the scan runs
only when something happened. inotify is reached through ctypes (the standard library has no
binding); where the C library has no inotify (not Linux), `OpenCloseEvents.create` gives None
and the caller polls instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import struct
from pathlib import Path

IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE = 0x20, 0x08, 0x10
IN_IGNORED = 0x8000  # the watch is gone: the file was deleted (a camera unplugged)
EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


class OpenCloseEvents:
    """An inotify watch for opens and closes of one path, with a wake-up for close()."""

    def __init__(self, libc: ctypes.CDLL, fd: int, path: Path) -> None:
        self._libc = libc
        self._fd = fd
        self.path = path
        self._wake_r, self._wake_w = os.pipe()
        self.watching = False
        self.rearm()

    @staticmethod
    def create(path: Path) -> OpenCloseEvents | None:
        """Events for `path`, or None where the system has no inotify."""
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            return None
        return OpenCloseEvents(libc, fd, path) if fd >= 0 else None

    def rearm(self) -> bool:
        """Watch the path again (after it was deleted and made anew); True when watching."""
        mask = IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(self.path), mask)
        self.watching = wd >= 0
        return self.watching

    def wait(self, timeout: float | None) -> bool:
        """Block up to `timeout` seconds (None: no limit); True when the file was opened or
        closed meanwhile (every event waiting is consumed), False on time-out or wake()."""
        readable, _, _ = select.select([self._fd, self._wake_r], [], [], timeout)
        if self._wake_r in readable:
            os.read(self._wake_r, 64)
        if self._fd not in readable:
            return False
        happened = False
        with contextlib.suppress(BlockingIOError):
            while True:
                data = os.read(self._fd, 4096)
                for offset in _offsets(data):
                    _, mask, _, _ = EVENT.unpack_from(data, offset)
                    if mask & IN_IGNORED:
                        self.watching = False
                    else:
                        happened = True
        return happened

    def wake(self) -> None:
        """Make a wait() in another thread return now."""
        os.write(self._wake_w, b"x")

    def close(self) -> None:
        """Release the inotify descriptor and the wake-up pipe."""
        for fd in (self._fd, self._wake_r, self._wake_w):
            os.close(fd)


def _offsets(data: bytes) -> list[int]:
    """Where each event starts in a read from inotify (events carry a variable-length name)."""
    offsets, offset = [], 0
    while offset + EVENT.size <= len(data):
        offsets.append(offset)
        offset += EVENT.size + EVENT.unpack_from(data, offset)[3]
    return offsets
