"""The runtime folder, the single-instance lock and the control socket, on real files and
sockets (the whole round trip through real processes is in tests/app/test_control.py)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from posture.core.errors import UserError
from posture.io.control_socket import (
    MAX_SOCKET_PATH,
    NOT_RUNNING,
    ControlServer,
    InstanceLock,
    request,
    runtime_dir,
    socket_path,
)
from tests.conftest import REPO


def test_the_runtime_folder_is_private_and_found_by_the_client(posture_home):
    with pytest.raises(UserError, match=NOT_RUNNING):
        request({"cmd": "status"})  # nothing made, nothing running
    folder = runtime_dir()
    assert folder == posture_home.resolve() / "run" == socket_path(create=False).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o755)
    with pytest.raises(UserError, match="not a private folder"):
        runtime_dir()


def test_a_long_home_gets_a_short_folder_the_client_finds_too(tmp_path, monkeypatch):
    deep = tmp_path / ("x" * (MAX_SOCKET_PATH - len(str(tmp_path))))
    monkeypatch.setenv("POSTURE_HOME", str(deep))
    folder = runtime_dir()
    assert len(os.fsencode(folder / "control.sock")) <= MAX_SOCKET_PATH
    assert runtime_dir(create=False) == folder
    folder.rmdir()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run as a user the home is read-only for")
def test_a_read_only_home_gets_a_short_folder_the_client_finds_too():
    home = Path(tempfile.mkdtemp(prefix="posture-ro-", dir="/tmp"))
    home.chmod(0o755)  # the root's: read-only for nobody
    show = ("from posture.io.control_socket import runtime_dir\n"
            "print(runtime_dir()); print(runtime_dir(create=False))")
    try:
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               sys.executable, "-c", show], cwd=REPO, capture_output=True,
                              text=True, env={**os.environ, "POSTURE_HOME": str(home)})
        assert done.returncode == 0, done.stderr
        made, found = done.stdout.split()
        assert made == found and Path(made).name.startswith("posture-65534-")
        assert not (home / "run").exists()
    finally:
        shutil.rmtree(home)
        if done.returncode == 0:
            shutil.rmtree(made, ignore_errors=True)


def test_one_lock_holder_at_a_time_and_never_stale(tmp_path):
    first, second = InstanceLock(tmp_path), InstanceLock(tmp_path)
    assert first.acquire() and not second.acquire()
    assert second.holder() == str(os.getpid())
    first.release()
    assert second.acquire()  # released (as by a process ending): free at once
    second.release()
    # A process that holds it and is killed leaves it free (the kernel drops the lock).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; "
        "from posture.io.control_socket import InstanceLock; "
        "assert InstanceLock(Path(sys.argv[1])).acquire(); print('held', flush=True); "
        "time.sleep(60)"), str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert not InstanceLock(tmp_path).acquire()
    assert not InstanceLock(tmp_path).wait_free(0.3)  # `posture quit` waits for the end
    holder.kill()
    assert InstanceLock(tmp_path).wait_free(10.0)
    holder.wait()
    assert InstanceLock(tmp_path).acquire()


def test_a_failed_run_removes_only_the_lock_file_it_made(tmp_path):
    lock = InstanceLock(tmp_path)
    assert lock.acquire()
    lock.release(failed=True)  # made by this run: removed
    assert not lock.path.exists()
    assert lock.acquire()
    lock.release()  # a run that ended well keeps it...
    assert lock.path.exists()
    again = InstanceLock(tmp_path)
    assert again.acquire()
    again.release(failed=True)  # ...and one there before the run is never removed
    assert lock.path.exists()
    lock.path.unlink()
    mine = InstanceLock(tmp_path)
    assert mine.acquire()
    # Another instance's lock file took the path meanwhile: its inode is not ours, kept.
    theirs = tmp_path / "theirs"
    theirs.write_text("4242\n")
    os.replace(theirs, mine.path)
    mine.release(failed=True)
    assert mine.path.read_text() == "4242\n"


def test_without_unix_sockets_the_commands_say_so_on_one_line(monkeypatch, posture_home):
    monkeypatch.delattr(socket, "AF_UNIX")  # as on Windows, which would need a named pipe
    with pytest.raises(UserError, match="not available on this system yet: use the tray menu"):
        request({"cmd": "status"})


def test_the_server_answers_each_request_and_refuses_nonsense(tmp_path, posture_home):
    asked = []
    server = ControlServer(socket_path(), lambda r: (asked.append(r), {"ok": True, "n": 1})[1])
    try:
        assert stat.S_IMODE(socket_path().stat().st_mode) == 0o600
        assert request({"cmd": "status"}) == {"ok": True, "n": 1}
        assert asked == [{"cmd": "status"}]
        for junk in (b"not json\n", b"[1, 2]\n"):
            with socket.socket(socket.AF_UNIX) as raw:
                raw.connect(str(socket_path()))
                raw.sendall(junk)
                answer = json.loads(raw.makefile().readline())
            assert answer["ok"] is False and "bad request" in answer["error"]
    finally:
        server.close()
    assert not socket_path().exists()
    with pytest.raises(UserError, match=NOT_RUNNING):
        request({"cmd": "status"})


def test_a_failing_handler_is_an_answer_and_the_server_goes_on(posture_home):
    calls = []

    def handle(r: dict) -> dict:
        calls.append(r)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return {"ok": True}

    server = ControlServer(socket_path(), handle)
    try:
        assert request({"cmd": "status"}) == {"ok": False, "error": "RuntimeError: a bug"}
        assert request({"cmd": "status"}) == {"ok": True}
    finally:
        server.close()
