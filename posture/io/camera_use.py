"""Which other programs hold the camera open, so the monitor can step aside for a video call.

Linux: a scan of /proc/*/fd for links to the camera's device node (/dev/videoN for camera N),
leaving out this process and programs that always keep cameras open (PipeWire's daemons). A
program of another user cannot be seen without root (its fd folder is not readable): a call is
made by the user at the desk, so their own programs are the ones that matter. A program that
reaches the camera through PipeWire (sandboxed apps, the camera portal) holds no file on it and
is not seen. Where there is no /proc (macOS, Windows) detection is off and `problem()` says so;
the monitor then relies on being paused by hand.

`CameraUseWatcher` runs the scan on a thread when the device is opened or closed (inotify,
posture.io.file_events), or polls it, and reports changes: in use as soon as a scan sees
another holder, free once no scan has seen one for `free_after_s` (a call that closes and
reopens the camera while it starts does not make the monitor grab it in between).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from posture.core.errors import UserError
from posture.io.file_events import OpenCloseEvents
from posture.io.paths import is_camera

ALWAYS_OPEN = frozenset({"pipewire", "wireplumber"})  # hold every camera while they run
POLL_S = 2.0  # scans this often where it must poll (no inotify): a call is noticed within 3 s
FREE_AFTER_S = 4.0  # free for this long before the camera counts as free (resume within 10 s)
PROC = Path("/proc")
AUTO_DEVICE = "auto"  # monitor.camera_device's default: the device of the camera index


def camera_device(index: int) -> Path:
    """The device node of camera `index` as OpenCV's V4L2 backend opens it."""
    return Path(f"/dev/video{index}")


def watched_device(camera_setting: str, source: str) -> Path | None:
    """The device node whose other users pause the monitor: the settings' monitor.camera_device
    when it names one (a camera reached through another node; or, for a file run, a device to
    watch all the same), else ("auto") camera N's /dev/videoN, and none for a file run.
    UserError when the setting names no device node."""
    if camera_setting != AUTO_DEVICE:
        device = Path(camera_setting).expanduser()
        if not device.exists() or device.is_dir():
            what = "is a folder" if device.is_dir() else "does not exist"
            raise UserError(f"monitor.camera_device {camera_setting} {what}: set it to your "
                            "camera's device node (see ls /dev/v4l/by-id) or to auto")
        return device
    return camera_device(int(source)) if is_camera(source) else None


@dataclass(frozen=True)
class CameraUser:
    """A process holding the camera open: its id and its command name (/proc/PID/comm)."""

    pid: int
    name: str


class CameraUseDetector:
    """Scans /proc for processes other than this one that hold `device` open."""

    def __init__(self, device: Path, ignore: Iterable[str] = ALWAYS_OPEN, proc: Path = PROC,
                 own_pid: int | None = None) -> None:
        self.device = device
        self.ignore = frozenset(ignore)
        self.proc = proc
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self._target = os.path.realpath(device)  # what /proc/PID/fd/N links read

    def problem(self) -> str | None:
        """Why programs using the camera cannot be detected here, or None when they can."""
        try:
            next(os.scandir(self.proc / str(self.own_pid) / "fd"), None)
        except OSError as exc:
            return (f"cannot read {self.proc} ({exc.strerror or exc.__class__.__name__}), so "
                    "programs using the camera cannot be detected")
        return None

    def users(self) -> list[CameraUser]:
        """The other processes holding the device open, by pid (empty when none, or when
        detection is not possible here)."""
        try:
            entries = [e.name for e in os.scandir(self.proc) if e.name.isdigit()]
        except OSError:
            return []
        found = []
        for pid in sorted(map(int, entries)):
            if pid != self.own_pid and self._holds(pid):
                name = self._name(pid)
                if name not in self.ignore:
                    found.append(CameraUser(pid, name))
        return found

    def _holds(self, pid: int) -> bool:
        """True when process `pid` has a file descriptor on the device (False if unreadable
        or gone)."""
        try:
            with os.scandir(self.proc / str(pid) / "fd") as fds:
                for fd in fds:
                    try:
                        if os.readlink(fd.path) == self._target:
                            return True
                    except OSError:  # closed while we looked
                        continue
        except OSError:  # another user's process, or it ended
            return False
        return False

    def _name(self, pid: int) -> str:
        """The command name of `pid` ("" when it ended meanwhile)."""
        try:
            return (self.proc / str(pid) / "comm").read_text().strip()
        except OSError:
            return ""


class CameraUseWatcher:
    """Watches for other holders of the camera on a daemon thread; `on_change(users)` gets them
    when the camera is taken (and again when they change), and [] once it has been free for
    `free_after_s`. The callback runs on the watcher's thread: hand the news to the monitor's
    loop from there.

    Where inotify works, a scan runs at start, whenever the device is opened or closed (a
    process that ends closes its files too), and once more `free_after_s` after the camera was
    last seen held; elsewhere (or while the device node is gone) it scans every `poll_s`.
    """

    def __init__(self, detector: CameraUseDetector,
                 on_change: Callable[[list[CameraUser]], None], poll_s: float = POLL_S,
                 free_after_s: float = FREE_AFTER_S) -> None:
        self.detector = detector
        self.on_change = on_change
        self.poll_s = poll_s
        self.free_after_s = free_after_s
        self._events: OpenCloseEvents | None = None
        self._holders: list[CameraUser] = []
        self._last_seen = 0.0
        self._pending_free = False  # held until the last scan, free since: confirm it later
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera-use", daemon=True)

    def start(self) -> CameraUseWatcher:
        """Start watching (nothing to watch when detection is not possible here)."""
        if self.detector.problem() is None:
            self._events = OpenCloseEvents.create(self.detector.device)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop watching and wait for the thread to end."""
        self._stop.set()
        if self._events is not None:
            self._events.wake()
        if self._thread.is_alive():
            self._thread.join()
        if self._events is not None:
            self._events.close()
            self._events = None

    def _run(self) -> None:
        events = self._events
        while not self._stop.is_set():
            self._scan()
            if events is not None and (events.watching or events.rearm()):
                events.wait(self._free_check_s())  # an open or close, or close()
            else:
                wait = self._free_check_s()
                self._stop.wait(self.poll_s if wait is None else min(self.poll_s, wait))

    def _free_check_s(self) -> float | None:
        """Seconds until the camera may count as free (None when that is not pending)."""
        if not self._pending_free:
            return None
        return max(self._last_seen + self.free_after_s - time.monotonic(), 0.0)

    def _scan(self) -> None:
        """Scan once; report a new set of holders at once, and free once it has lasted."""
        users = self.detector.users()
        now = time.monotonic()
        if self._holders and not users and not self._pending_free:
            self._last_seen = now  # held until this scan at least: the quiet counts from here
        self._pending_free = bool(self._holders) and not users
        if users:
            self._last_seen = now
            if users != self._holders:
                self._holders = users
                self.on_change(users)
        elif self._holders and now - self._last_seen >= self.free_after_s:
            self._holders, self._pending_free = [], False
            self.on_change([])
