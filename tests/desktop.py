"""Real desktop pieces for the tests: an X server (Xvfb), a tray host (Debian's trayer), a
private D-Bus session bus, a notification server (dunst), a stand-in screensaver, window lookup
and screenshots.

Nothing is mocked: each helper starts a real server or reads a real one. The fixtures in
conftest.py start them (the X servers once per test session, buses per test) and skip, naming
the Debian package, when a program is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCREEN = "1280x800x24"
PACKAGES = {"Xvfb": "xvfb", "trayer": "trayer", "xwininfo": "x11-utils",
            "dbus-daemon": "dbus-daemon", "dbus-send": "dbus-bin", "dunst": "dunst",
            "dunstctl": "dunst", "desktop-file-validate": "desktop-file-utils"}


def missing(*programs: str) -> str | None:
    """Why a test cannot run here (the programs and Debian packages missing), or None."""
    absent = [p for p in programs if shutil.which(p) is None]
    if not absent:
        return None
    packages = sorted({PACKAGES.get(p, p) for p in absent})
    return f"{', '.join(absent)} not installed (Debian: {' '.join(packages)})"


def start_xvfb(size: str = SCREEN) -> tuple[str, subprocess.Popen]:
    """An X server on a free display number: (':N', its process)."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", size,
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as stream:
        number = stream.readline().strip()  # written once the server accepts connections
    if not number:
        stop(proc)
        raise RuntimeError("Xvfb did not start")
    return f":{number}", proc


def start_trayer(display: str, timeout: float = 15.0) -> subprocess.Popen:
    """Debian's trayer (an XEmbed system tray) at the top right, once its panel is up."""
    proc = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
         "--height", "32", "--transparent", "false", "--tint", "0x000000"],
        env={**os.environ, "DISPLAY": display},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if find_windows(display, "panel"):
            return proc
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError("trayer did not show its panel")


# A message bus for tests: no service activation (nothing is started on demand, so "no
# notification server" stays testable and no stray daemon is left), anyone may own any name
# and send anything.
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


def start_dunst(display: str, bus: str, folder: Path) -> tuple[subprocess.Popen, Path]:
    """dunst as the notification server, its context menu piped to a script that picks the
    line named in the returned file (dunst then emits ActionInvoked itself)."""
    picker, choice = folder / "pick.sh", folder / "choice"
    picker.write_text(f'#!/bin/sh\ngrep -m1 -F "$(cat {choice})"\n')
    picker.chmod(0o755)
    choice.write_text("")
    (folder / "dunstrc").write_text(f"[global]\n    dmenu = {picker}\n    browser = /bin/true\n")
    env = {**os.environ, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": bus}
    proc = subprocess.Popen(["dunst", "-config", str(folder / "dunstrc")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if dunstctl(env, "count").returncode == 0:
            return proc, choice
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError("dunst did not take the notification service")


# A stand-in screensaver: owns a name on the session bus and answers every method call
# (GetActive) with a boolean, as a desktop's screensaver does.
SCREENSAVER = """
import sys
from jeepney import MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
conn = open_dbus_connection("SESSION")
conn.send_and_get_reply(message_bus.RequestName(sys.argv[1]))
print("ready", flush=True)
while True:
    msg = conn.receive()
    if msg.header.message_type == MessageType.method_call:
        conn.send(new_method_return(msg, "b", (sys.argv[2] == "true",)))
"""


def start_screensaver(bus: str, name: str = "org.freedesktop.ScreenSaver",
                      active: bool = False) -> subprocess.Popen:
    """A process owning the screensaver's `name` on the session bus at `bus`, saying `active`
    when asked, once it owns the name (so a lock watcher started next finds it)."""
    proc = subprocess.Popen([sys.executable, "-c", SCREENSAVER, name, str(active).lower()],
                            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus},
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    with proc.stdout:  # it says nothing more
        ready = proc.stdout.readline() == "ready\n"
    if not ready:
        stop(proc)
        raise RuntimeError(f"the stand-in screensaver did not take {name}")
    return proc


def dunstctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Ask the running dunst something (or make it do something)."""
    return subprocess.run(["dunstctl", *args], env=env, capture_output=True, text=True,
                          timeout=30)


def stop(proc: subprocess.Popen | None) -> None:
    """End a helper started here."""
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class XWindow:
    """One window of `xwininfo -root -tree`, at its absolute position."""

    wid: int
    name: str
    width: int
    height: int
    x: int
    y: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.x + self.width, self.y + self.height


_LINE = re.compile(r'^\s*(0x[0-9a-f]+) (?:"([^"]*)"|\(has no name\)).*?'
                   r"\s(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$")


def find_windows(display: str, name: str | None = None) -> list[XWindow]:
    """Every window on the display (only those called `name` when given)."""
    out = subprocess.run(["xwininfo", "-root", "-tree", "-display", display],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = _LINE.match(line)
        if m:
            w = XWindow(int(m[1], 16), m[2] or "", int(m[3]), int(m[4]), int(m[5]), int(m[6]))
            if name is None or w.name == name:
                found.append(w)
    return found


def mapped(display: str, window: XWindow) -> bool:
    """True when the window is on screen (mapped and viewable)."""
    out = subprocess.run(["xwininfo", "-id", hex(window.wid), "-display", display],
                         capture_output=True, text=True).stdout
    return "IsViewable" in out


def screenshot(display: str) -> np.ndarray:
    """The whole screen as RGB, read from the X server by another client (what a person
    sees, not what the program believes it drew)."""
    from PIL import ImageGrab

    return np.asarray(ImageGrab.grab(xdisplay=display).convert("RGB"))


def wait_for(check, timeout: float = 20.0, step: float = 0.05):
    """Poll `check()` until it returns something true; that value (None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None
