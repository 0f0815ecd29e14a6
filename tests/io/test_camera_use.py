"""Programs using the camera, found with real processes holding a stand-in device open: who
holds it, what is left out (this process, PipeWire), and the watcher's timing rules."""

from __future__ import annotations

import queue
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from posture.core.errors import UserError
from posture.io.camera_use import (
    CameraUseDetector,
    CameraUser,
    CameraUseWatcher,
    camera_device,
    watched_device,
)

# A process that names itself (PR_SET_NAME, what /proc/PID/comm shows), opens a file, says
# so, and holds it until its stdin closes.
HOLDER = """
import ctypes, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
handle = open(sys.argv[2], "rb")
print("open", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def device(tmp_path) -> Path:
    """A stand-in for /dev/video0: any file can be held open the same way."""
    path = tmp_path / "video0"
    path.write_bytes(b"")
    return path


class Holders:
    """Starts named processes that hold a file open; ends them on exit."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def start(self, name: str, path: Path) -> subprocess.Popen:
        child = subprocess.Popen([sys.executable, "-c", HOLDER, name, str(path)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline() == "open\n"
        self.children.append(child)
        return child

    def end(self, child: subprocess.Popen) -> None:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)


@pytest.fixture
def holders() -> Iterator[Holders]:
    h = Holders()
    yield h
    for child in h.children:
        child.kill()
        child.wait()


def test_the_device_comes_from_the_camera_index():
    assert camera_device(0) == Path("/dev/video0")
    assert camera_device(2) == Path("/dev/video2")


def test_finds_the_programs_holding_the_device(device, holders, tmp_path):
    detector = CameraUseDetector(device)
    assert detector.problem() is None
    assert detector.users() == []
    other = tmp_path / "other"
    other.write_bytes(b"")
    holders.start("notes", other)  # holds another file: not a camera user
    call = holders.start("videocall", device)
    assert detector.users() == [CameraUser(call.pid, "videocall")]
    second = holders.start("recorder", device)
    assert detector.users() == sorted([CameraUser(call.pid, "videocall"),
                                       CameraUser(second.pid, "recorder")], key=lambda u: u.pid)
    holders.end(call)
    assert detector.users() == [CameraUser(second.pid, "recorder")]


def test_leaves_out_itself_and_the_always_open_holders(device, holders):
    with device.open("rb"):  # this process holds the camera while it monitors
        holders.start("pipewire", device)
        holders.start("wireplumber", device)
        assert CameraUseDetector(device).users() == []
        assert [u.name for u in CameraUseDetector(device, ignore=()).users()] == [
            "pipewire", "wireplumber"]
        mine = CameraUseDetector(device, ignore=(), own_pid=1).users()
        assert len(mine) == 3  # counted once another pid is "ours"


def test_a_symlinked_device_name_is_followed(device, holders, tmp_path):
    link = tmp_path / "by-id"
    link.symlink_to(device)
    call = holders.start("videocall", device)
    assert CameraUseDetector(link).users() == [CameraUser(call.pid, "videocall")]


def test_without_proc_it_says_so_and_finds_nobody(device, holders, tmp_path):
    holders.start("videocall", device)
    detector = CameraUseDetector(device, proc=tmp_path / "no-proc")
    problem = detector.problem()
    assert problem is not None and "no-proc" in problem and "cannot be detected" in problem
    assert detector.users() == []
    seen: list = []
    watcher = CameraUseWatcher(detector, seen.append, poll_s=0.05).start()
    time.sleep(0.2)
    watcher.close()
    assert seen == []


def watch(detector: CameraUseDetector, **timing: float) -> tuple[CameraUseWatcher, queue.Queue]:
    """A started watcher whose reports land in a queue as (monotonic time, users)."""
    events: queue.Queue = queue.Queue()
    watcher = CameraUseWatcher(detector, lambda users: events.put((time.monotonic(), users)),
                               **timing)
    return watcher.start(), events


def test_the_watcher_wakes_on_opens_and_says_free_after_the_quiet_time(device, holders):
    """With a poll of a minute, only the open and close events can make it report in time."""
    free_after = 0.6
    watcher, events = watch(CameraUseDetector(device), poll_s=60.0, free_after_s=free_after)
    try:
        time.sleep(0.3)
        assert events.empty()  # nobody has it: nothing to report
        call = holders.start("videocall", device)
        _, users = events.get(timeout=3)
        assert users == [CameraUser(call.pid, "videocall")]
        second = holders.start("recorder", device)
        _, users = events.get(timeout=3)  # a change of holders is reported too
        assert [u.name for u in users] == ["videocall", "recorder"]
        holders.end(second)
        ended = time.monotonic()
        holders.end(call)
        at, users = events.get(timeout=5)
        assert users == [CameraUser(call.pid, "videocall")] and at - ended < 1
        at, users = events.get(timeout=5)
        assert users == []
        assert at - ended >= free_after - 0.1  # not at the first scan that found it free
        time.sleep(0.3)
        assert events.empty()  # free is said once
    finally:
        watcher.close()


def test_a_camera_held_for_long_is_free_only_after_the_quiet_time_from_its_release(
        device, holders):
    """The quiet time counts from the release, not from when the holder was last seen (at its
    open): a call that closes and reopens the camera does not let the monitor grab it."""
    free_after = 0.6
    watcher, events = watch(CameraUseDetector(device), poll_s=60.0, free_after_s=free_after)
    try:
        call = holders.start("videocall", device)
        assert events.get(timeout=3)[1] == [CameraUser(call.pid, "videocall")]
        time.sleep(2 * free_after)  # held well past the quiet time, with no scan meanwhile
        ended = time.monotonic()
        holders.end(call)
        at, users = events.get(timeout=5)
        assert users == [] and at - ended >= free_after - 0.1
    finally:
        watcher.close()


def test_the_watcher_polls_for_a_camera_plugged_in_later(tmp_path, holders):
    device = tmp_path / "video1"  # not there yet: nothing to watch, so it polls
    watcher, events = watch(CameraUseDetector(device), poll_s=0.1, free_after_s=0.2)
    try:
        time.sleep(0.3)
        device.write_bytes(b"")
        call = holders.start("videocall", device)
        assert events.get(timeout=3)[1] == [CameraUser(call.pid, "videocall")]
        holders.end(call)
        assert events.get(timeout=3)[1] == []
        device.unlink()  # unplugged and plugged in again: a new device node
        time.sleep(0.3)
        device.write_bytes(b"")
        call = holders.start("videocall", device)
        assert events.get(timeout=3)[1] == [CameraUser(call.pid, "videocall")]
    finally:
        watcher.close()


def test_closing_the_watcher_is_prompt(device):
    watcher, _ = watch(CameraUseDetector(device), poll_s=60.0)
    time.sleep(0.2)
    began = time.monotonic()
    watcher.close()
    assert time.monotonic() - began < 1.0


def test_the_device_watched_is_the_cameras_unless_the_settings_name_one(tmp_path,
                                                                        monkeypatch):
    assert watched_device("auto", "2") == Path("/dev/video2")
    assert watched_device("auto", "clip.mp4") is None  # a file: no camera to step aside for
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "stand-in").write_bytes(b"")
    assert watched_device("~/stand-in", "0") == tmp_path / "stand-in"
    assert watched_device(str(tmp_path / "stand-in"), "clip.mp4") == tmp_path / "stand-in"
    # A device that is not there would never be seen in use: said, not silently watched.
    with pytest.raises(UserError, match="monitor.camera_device /dev/nope does not exist"):
        watched_device("/dev/nope", "0")
    with pytest.raises(UserError, match="is a folder"):
        watched_device(str(tmp_path), "0")
