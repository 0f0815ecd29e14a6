"""One monitor at a time, steerable from other programs: the per-user runtime folder, the
single-instance lock, and the control socket (one JSON line in, one JSON line out).

The folder is $XDG_RUNTIME_DIR/posture (or platformdirs' fallback), private to the user
(0700, checked). Under POSTURE_HOME it is POSTURE_HOME/run, or a short folder in the temporary
folder named after POSTURE_HOME when that path is too long for a socket or cannot be made (a
read-only home). The lock is an
flock held for the monitor's life: the kernel drops it when the process ends, however it ends,
so it is never stale, and of two monitors started at once exactly one wins. The socket is a
Unix socket (0600 in the 0700 folder) served by a thread; the client is the standard library
alone, so `posture status` starts in a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from posture.core.errors import UserError
from posture.io.folders import create_noted

SOCKET_NAME = "control.sock"
LOCK_NAME = "instance.lock"
MAX_SOCKET_PATH = 107  # bytes an AF_UNIX path may hold on Linux (108 with the final NUL)
REQUEST_TIMEOUT_S = 5.0  # a client waits this long for the monitor's answer
LINE_LIMIT = 64 * 1024  # a request longer than this is refused
NOT_RUNNING = "no posture monitor is running: start one with posture run"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def runtime_dir(create: bool = True) -> Path:
    """The user's private runtime folder for posture; UserError when it is not private."""
    home = os.environ.get("POSTURE_HOME")
    if home:
        folder = Path(home).resolve() / "run"
        if len(os.fsencode(folder / SOCKET_NAME)) > MAX_SOCKET_PATH or not _made(folder, create):
            # Too long a path for a socket, or a read-only home: a short folder of its own.
            digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:16]
            folder = Path(tempfile.gettempdir()) / f"posture-{_user()}-{digest}"
    elif os.environ.get("XDG_RUNTIME_DIR"):
        folder = Path(os.environ["XDG_RUNTIME_DIR"]) / "posture"
    else:
        import platformdirs

        with warnings.catch_warnings():  # it warns when it falls back to the temporary folder
            warnings.simplefilter("ignore")
            folder = Path(platformdirs.user_runtime_dir("posture"))
    if create:
        try:
            create_noted(folder, 0o700)
        except OSError as exc:
            raise UserError(f"cannot create the runtime folder {folder} ({exc.strerror}): check "
                            "that path, or set XDG_RUNTIME_DIR to a folder of yours") from None
    _check_private(folder)
    return folder


def _made(folder: Path, create: bool) -> bool:
    """True when `folder` exists, or (with `create`) could be made now."""
    if folder.is_dir() or not create:
        return folder.is_dir()
    try:
        create_noted(folder, 0o700)
    except OSError:
        return False
    return True


def _check_private(folder: Path) -> None:
    """UserError unless `folder` is missing or a real folder only this user can enter."""
    try:
        st = folder.lstat()
    except FileNotFoundError:
        return
    if not hasattr(os, "getuid"):  # Windows: a folder in the user's profile is theirs by ACL
        return
    if folder.is_symlink() or not folder.is_dir() or st.st_uid != os.getuid() or (
            st.st_mode & 0o077):
        raise UserError(f"{folder} is not a private folder of this user (owner, mode 0700): "
                        "remove it, and posture makes a new one")


def _user() -> str:
    """This user, for a folder name in the shared temporary folder."""
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def socket_path(create: bool = True) -> Path:
    """Where the running monitor listens."""
    return runtime_dir(create) / SOCKET_NAME


class InstanceLock:
    """The single-instance lock: held for the monitor's life once `acquire` returns True."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None
        self._created = False  # this instance made the lock file (it did not exist before)

    def acquire(self) -> bool:
        """Take the lock; False when another monitor holds it."""
        import fcntl  # Unix only, as the rest of this module

        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                created = True
            except FileExistsError:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                created = False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                    return False
                raise
            if _same_file(fd, self.path):
                break
            os.close(fd)  # a failed run removed the file meanwhile: lock the one there now
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd, self._created = fd, created
        return True

    def holder(self) -> str:
        """The process id written by the monitor holding the lock ("" when unknown)."""
        with contextlib.suppress(OSError):
            return self.path.read_text().strip()
        return ""

    def wait_free(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the monitor holding the lock to end; True once
        no monitor holds it (so a `posture run` started next is not refused)."""
        import fcntl

        end = time.monotonic() + timeout
        while True:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                return True
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return True
            except OSError:
                if time.monotonic() >= end:
                    return False
            finally:
                os.close(fd)
            time.sleep(0.05)

    def release(self, failed: bool = False) -> None:
        """Let the lock go (the process ending does the same). After a `failed` run, the lock
        file goes too when this instance made it and it is still the file at its path (the
        inode checked): another instance's lock is never removed."""
        if self._fd is None:
            return
        if failed and self._created and _same_file(self._fd, self.path):
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    """True when `path` is the file open on `fd` (same device and inode)."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


class ControlServer:
    """Serves the control socket on a daemon thread: each connection sends one JSON object on
    one line and gets `handle(request)`'s answer back the same way."""

    def __init__(self, path: Path, handle: Handler) -> None:
        """Listen at `path`; the caller holds the instance lock, so a file there is stale."""
        self.path = path
        self.handle = handle
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(path))
        os.chmod(path, 0o600)
        self._sock.listen(8)
        self._thread = threading.Thread(target=self._serve, name="posture-control", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        """Answer connections until closed."""
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed
                return
            with conn:
                conn.settimeout(REQUEST_TIMEOUT_S)
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(self._answer(conn)).encode() + b"\n")

    def _answer(self, conn: socket.socket) -> dict[str, Any]:
        """The answer to the one request read from `conn`."""
        try:
            with conn.makefile("rb") as stream:
                line = stream.readline(LINE_LIMIT)
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            return {"ok": False, "error": f"bad request ({exc})"}
        try:
            return self.handle(request)
        except Exception as exc:  # noqa: BLE001 - a bug must not end the server thread
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    def close(self) -> None:
        """Stop listening and remove the socket file."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=2.0)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def request(message: dict[str, Any], timeout: float = REQUEST_TIMEOUT_S) -> dict[str, Any]:
    """Send one request to the running monitor and return its answer; UserError (one line)
    when no monitor runs or it cannot be reached."""
    if not hasattr(socket, "AF_UNIX"):  # Windows: a named pipe would be needed
        raise UserError("posture status, pause, resume, show and quit are not available on "
                        "this system yet: use the tray menu")
    path = socket_path(create=False)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    with sock:
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):  # none, or a stale socket file
            raise UserError(NOT_RUNNING) from None
        except PermissionError:
            raise UserError(f"{path} cannot be opened by this user: it belongs to another "
                            "user's monitor") from None
        try:
            sock.sendall(json.dumps(message).encode() + b"\n")
            with sock.makefile("rb") as stream:
                line = stream.readline(LINE_LIMIT)
        except OSError as exc:
            raise UserError(f"the posture monitor did not answer ({exc}): it may be stuck; "
                            "stop it and start it again") from None
    if not line:
        raise UserError("the posture monitor closed the connection without answering: it may "
                        "be stopping")
    return json.loads(line)
