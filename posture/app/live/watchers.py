"""What makes the running monitor step aside on its own, wired into it: the screen lock
(posture.io.screen_lock) and other programs using the camera (posture.io.camera_use) become
pauses posted to the monitor from the watchers' threads; they end the same way. Work hours need
no watcher: the monitor checks them on its wall clock (posture.core.pauses.off_hours)."""

from __future__ import annotations

from posture.app.live.monitor import LiveMonitor
from posture.core.pauses import Pause
from posture.io.camera_use import CameraUseDetector, CameraUser, CameraUseWatcher, watched_device
from posture.io.screen_lock import LockWatcher, lock_watcher, unheard_words


class DesktopWatchers:
    """The lock and camera-in-use watchers of one monitor run: `start()`, then `close()`."""

    def __init__(self, monitor: LiveMonitor) -> None:
        self.monitor = monitor
        self.lock: LockWatcher | None = None
        self.camera: CameraUseWatcher | None = None

    def start(self) -> DesktopWatchers:
        """Start both; what cannot be heard here is said in one console line each at a camera
        (a file's run is a demo: it says nothing), and monitoring goes on (posture doctor
        tells more)."""
        tell = self.monitor.tell if self.monitor.feed.camera else (lambda text: None)
        self.lock = lock_watcher(self._locked).start()
        if not self.lock.noticed():
            tell(f"{unheard_words(self.lock)}: pause by hand when you leave")
        device = watched_device(self.monitor.settings.monitor.camera_device,
                                self.monitor.options.source)
        if device is not None:
            detector = CameraUseDetector(device)
            problem = detector.problem()
            if problem is not None:
                tell(f"{problem}: pause by hand for a video call")
            else:
                self.camera = CameraUseWatcher(detector, self._camera_users).start()
        return self

    def close(self) -> None:
        """Stop watching (before the monitor's end)."""
        if self.camera is not None:
            self.camera.close()
        if self.lock is not None:
            self.lock.close()

    def _locked(self, locked: bool) -> None:
        """The screen locked or unlocked (on the lock watcher's thread)."""
        if locked:
            self.monitor.post("pause", Pause("locked"))
        else:
            self.monitor.post("resume", "locked")

    def _camera_users(self, users: list[CameraUser]) -> None:
        """Other programs took the camera, or left it free (on the camera watcher's thread)."""
        if users:
            detail = ", ".join(f"{u.name or '?'} (pid {u.pid})" for u in users)
            self.monitor.post("pause", Pause("camera in use", detail=detail))
        else:
            self.monitor.post("resume", "camera in use")
