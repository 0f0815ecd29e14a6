"""Shared fixtures: the real footage folder, a scratch POSTURE_HOME, one pose estimator per run,
and a desktop (X displays with and without a tray, session buses, a notification server)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from posture.core.stretches import Library
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.protocol import load_protocol
from tests import desktop

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FIXTURES = REPO / "fixtures"
SAMPLE = FIXTURES / "sample_desk.mp4"  # 30 s at 5 fps: upright, slouched from 10 to 22 s
FEEDBACK = load_protocol().feedback  # what calibration tells the user, as the program does

needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"real footage folder {DATA} is absent (see shared/data/PROVENANCE.md)",
)


@pytest.fixture(autouse=True)
def posture_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own user data and config folders."""
    home = tmp_path / "home"
    monkeypatch.setenv("POSTURE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def library() -> Library:
    """The packaged stretch library, loaded once."""
    return load_library()


@pytest.fixture(scope="session")
def still_estimator():
    """An IMAGE-mode estimator shared by the tests that look at single pictures."""
    with PoseEstimator(video=False) as estimator:
        yield estimator


@pytest.fixture
def xvfb():
    """A virtual X display of one test's own: (DISPLAY value, a function that reads its screen
    as BGR)."""
    reason = desktop.missing("Xvfb")
    if reason:
        pytest.skip(f"{reason}: no display to open a window on")
    display, proc = desktop.start_xvfb("1280x720x24")
    yield display, lambda: np.ascontiguousarray(desktop.screenshot(display)[..., ::-1])
    desktop.stop(proc)


# OpenCV's Qt window under Xvfb (no window manager) sometimes stays black: mapped but never
# painted (about 1 start in 5 here, whatever the window flags). A start that shows nothing
# within PAINT_WAIT_S is retried with a new process; a real desktop has a window manager.
PAINT_WAIT_S = 8.0
PAINT_ATTEMPTS = 4


def screen_when(grab: Callable[[], np.ndarray], start: Callable[[], subprocess.Popen],
                painted: Callable[[np.ndarray], bool]) -> tuple[np.ndarray, subprocess.Popen]:
    """Start a window process until the screen satisfies `painted`; return the screen and the
    (still running or finished) process of the attempt that painted it."""
    for _ in range(PAINT_ATTEMPTS):
        child = start()
        deadline = time.monotonic() + PAINT_WAIT_S
        while time.monotonic() < deadline:
            screen = grab()
            if painted(screen):
                return screen, child
            if child.poll() is not None:
                return screen, child
            time.sleep(0.1)
        child.kill()
        child.wait()
    return screen, child


class Buses:
    """A private session bus and a second one standing in for the system bus, with the
    environment pointing at them; `send` emits a signal on one with dbus-send."""

    def __init__(self, folder: Path) -> None:
        config = folder / "bus.conf"
        config.write_text(desktop.BUS_CONFIG)
        self.daemons: dict[str, subprocess.Popen] = {}
        self.addresses: dict[str, str] = {}
        for bus in ("session", "system"):
            daemon = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                                       "--print-address=1"], stdout=subprocess.PIPE, text=True)
            self.daemons[bus] = daemon
            assert daemon.stdout is not None
            self.addresses[bus] = daemon.stdout.readline().strip()  # once it listens

    def send(self, bus: str, path: str, signal: str, *args: str) -> None:
        """Emit `signal` (interface.member) from `path`, e.g. args "boolean:true"."""
        subprocess.run(["dbus-send", f"--{bus}", "--type=signal", path, signal, *args],
                       check=True, timeout=10)

    def stop(self, bus: str) -> None:
        """End one bus daemon (as a desktop session that ends does)."""
        daemon = self.daemons.pop(bus)
        daemon.terminate()
        daemon.wait(10)
        assert daemon.stdout is not None
        daemon.stdout.close()


@pytest.fixture
def buses(tmp_path, monkeypatch):
    """Private session and system buses (DBUS_SESSION_BUS_ADDRESS, DBUS_SYSTEM_BUS_ADDRESS)."""
    reason = desktop.missing("dbus-daemon", "dbus-send")
    if reason:
        pytest.skip(f"{reason}: no private bus to test on")
    found = Buses(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", found.addresses["session"])
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", found.addresses["system"])
    try:
        yield found
    finally:
        for bus in list(found.daemons):
            found.stop(bus)


@pytest.fixture
def screensaver(buses):
    """A stand-in screensaver owning org.freedesktop.ScreenSaver on the private session bus, not
    active: a desktop whose screen locks are announced."""
    proc = desktop.start_screensaver(buses.addresses["session"])
    yield proc
    desktop.stop(proc)


# ---- a desktop: X server, tray host, session bus, notification server ----------------------

@pytest.fixture(scope="session")
def tray_display():
    """An X display (1280x800) with a tray host (trayer) on it, for the whole session."""
    reason = desktop.missing("Xvfb", "trayer", "xwininfo")
    if reason:
        pytest.skip(reason)
    display, xvfb = desktop.start_xvfb()
    try:
        trayer = desktop.start_trayer(display)
    except RuntimeError:
        desktop.stop(xvfb)
        raise
    yield display
    desktop.stop(trayer)
    desktop.stop(xvfb)


@pytest.fixture(scope="session")
def bare_display():
    """An X display (1280x800) with no tray host, for the whole session."""
    reason = desktop.missing("Xvfb", "xwininfo")
    if reason:
        pytest.skip(reason)
    display, xvfb = desktop.start_xvfb()
    yield display
    desktop.stop(xvfb)


@pytest.fixture(scope="session")
def qt_app(tray_display):
    """This process's QApplication, on the display with the tray (one per process)."""
    from posture.io.qt_app import start_application

    saved = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = tray_display
    try:
        app, problem = start_application()
    finally:  # in-process runs of posture run stay headless
        if saved is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = saved
    assert problem is None, problem
    yield app


@pytest.fixture
def session_bus(tmp_path):
    """A private session bus with nothing on it: (its address, a folder of its own)."""
    reason = desktop.missing("dbus-daemon")
    if reason:
        pytest.skip(f"{reason}: no private bus to test on")
    folder = tmp_path / "bus"
    folder.mkdir()
    found = Buses(folder)
    yield found.addresses["session"], folder
    for bus in list(found.daemons):
        found.stop(bus)


@pytest.fixture
def dunst(session_bus, bare_display):
    """dunst serving notifications on a private bus: (bus address, env for its tools, the
    file naming the action line to pick from its context menu)."""
    reason = desktop.missing("dunst", "dunstctl")
    if reason:
        pytest.skip(reason)
    address, folder = session_bus
    proc, choice = desktop.start_dunst(bare_display, address, folder)
    env = {**os.environ, "DISPLAY": bare_display, "DBUS_SESSION_BUS_ADDRESS": address}
    yield address, env, choice
    desktop.stop(proc)
