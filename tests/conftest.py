"""Shared fixtures: the real footage folder, a scratch POSTURE_HOME, one pose estimator per run."""

from __future__ import annotations

import os
import select
import shutil
import struct
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from posture.io.estimator import PoseEstimator
from posture.io.protocol import load_protocol

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FIXTURES = REPO / "fixtures"
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
def still_estimator():
    """An IMAGE-mode estimator shared by the tests that look at single pictures."""
    with PoseEstimator(video=False) as estimator:
        yield estimator


def read_xwd(path: Path) -> np.ndarray:
    """BGR image of an XWD file (X Window Dump: a big-endian header, then ZPixmap pixels)."""
    data = path.read_bytes()
    header = struct.unpack(">25I", data[:100])
    header_size, width, height, byte_order = header[0], header[4], header[5], header[7]
    bits, line, (red, green, blue), colours = header[11], header[12], header[14:17], header[19]
    assert bits == 32, f"expected a 32-bit screen, got {bits} bits per pixel"
    pixels = np.frombuffer(data, "<u4" if byte_order == 0 else ">u4", count=line // 4 * height,
                           offset=header_size + 12 * colours).reshape(height, line // 4)[:, :width]
    return np.stack([(pixels & m) >> ((m & -m).bit_length() - 1) for m in (blue, green, red)],
                    axis=2).astype(np.uint8)


@pytest.fixture
def xvfb(tmp_path: Path):
    """A virtual X display: (DISPLAY value, path of its live framebuffer as an XWD file)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb): no display to open a window on")
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    log = tmp_path / "xvfb.log"
    with log.open("wb") as err:  # -displayfd 1: the display number on stdout once it is up
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x720x24",
             "-fbdir", str(fbdir), "-nolisten", "tcp"],
            stdout=subprocess.PIPE, stderr=err)
    assert proc.stdout is not None
    readable, _, _ = select.select([proc.stdout], [], [], 15)
    number = os.read(proc.stdout.fileno(), 32).decode().strip() if readable else ""
    try:
        if not number:
            pytest.fail(f"Xvfb did not start: {log.read_text(errors='replace')[-2000:]}")
        yield f":{number}", fbdir / "Xvfb_screen0"
    finally:
        proc.stdout.close()
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# OpenCV's Qt window under Xvfb (no window manager) sometimes stays black: mapped but never
# painted (about 1 start in 5 here, whatever the window flags). A start that shows nothing
# within PAINT_WAIT_S is retried with a new process; a real desktop has a window manager.
PAINT_WAIT_S = 8.0
PAINT_ATTEMPTS = 4


def screen_when(framebuffer: Path, start: Callable[[], subprocess.Popen],
                painted: Callable[[np.ndarray], bool]) -> tuple[np.ndarray, subprocess.Popen]:
    """Start a window process until the screen satisfies `painted`; return the screen and the
    (still running or finished) process of the attempt that painted it."""
    for _ in range(PAINT_ATTEMPTS):
        child = start()
        deadline = time.monotonic() + PAINT_WAIT_S
        while time.monotonic() < deadline:
            screen = read_xwd(framebuffer)
            if painted(screen):
                return screen, child
            if child.poll() is not None:
                return screen, child
            time.sleep(0.1)
        child.kill()
        child.wait()
    return screen, child


# A message bus for tests: no service activation (nothing is started on demand), anyone may own
# any name and send anything, on an abstract socket (no path length limit).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Buses:
    """A private session bus and a second one standing in for the system bus, with the
    environment pointing at them; `send` emits a signal on one with dbus-send."""

    def __init__(self, folder: Path) -> None:
        config = folder / "bus.conf"
        config.write_text(BUS_CONFIG)
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
    if shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None:
        pytest.skip("dbus-daemon or dbus-send is not installed (Debian packages dbus-daemon, "
                    "dbus-bin): no private bus to test on")
    found = Buses(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", found.addresses["session"])
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", found.addresses["system"])
    try:
        yield found
    finally:
        for bus in list(found.daemons):
            found.stop(bus)
