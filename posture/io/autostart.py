"""Starting `posture run` at login: the entry each platform reads, and where it goes.

Linux: an XDG autostart entry ($XDG_CONFIG_HOME/autostart/posture.desktop) that passes
desktop-file-validate. macOS: a LaunchAgent property list. Windows: a script in the Startup
folder that starts posture without a console window. Each runs this installation's own
`posture` by its absolute path (a login session's PATH often lacks a venv or ~/.local/bin),
and the content is made for any platform, so each can be checked anywhere.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from pathlib import Path

from posture.core.errors import UserError

PLATFORMS = ("linux", "darwin", "win32")
LAUNCH_AGENT = "io.github.posture.monitor"
DESKTOP_DELAY_S = 5  # GNOME starts it this late: the panel with the tray is up by then
_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')  # characters an Exec argument must be quoted for


def current_platform() -> str:
    """This system as one of PLATFORMS; UserError elsewhere."""
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform in ("darwin", "win32"):
        return sys.platform
    raise UserError(f"autostart is not supported on {sys.platform}: start posture run from "
                    "your desktop's own startup settings")


def installed_command(script: str = "posture") -> list[str]:
    """The argv that starts this installation: the console script that is running, else the
    one beside this Python (a venv's bin/), else the one on PATH, else `python -m posture`."""
    argv0 = Path(sys.argv[0])
    if argv0.stem == script and argv0.is_file():
        return [str(argv0.resolve())]
    suffix = ".exe" if sys.platform == "win32" else ""
    beside = Path(sys.executable).with_name(script + suffix)
    if beside.is_file():
        return [str(beside)]
    found = shutil.which(script)
    return [found] if found else [sys.executable, "-m", script]


def entry_path(platform: str, home: Path, environ: dict[str, str]) -> Path:
    """Where the platform's login entry for posture lives."""
    if platform == "linux":
        config = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        return Path(config) / "autostart" / "posture.desktop"
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"
    appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
    return (Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
            / "posture.vbs")


def entry_content(platform: str, argv: list[str]) -> bytes:
    """The login entry that runs `argv` on `platform`."""
    if platform == "linux":
        return desktop_entry(argv).encode()
    if platform == "darwin":
        return plistlib.dumps({"Label": LAUNCH_AGENT, "ProgramArguments": argv,
                               "RunAtLoad": True, "ProcessType": "Interactive"})
    command = " ".join('""' + a.replace('"', '""""') + '""' for a in argv)
    return ('Rem Starts posture at login without a console window (posture autostart).\r\n'
            f'CreateObject("WScript.Shell").Run "{command}", 0, False\r\n').encode("utf-16")


def desktop_entry(argv: list[str]) -> str:
    """An XDG autostart entry (Desktop Entry Specification 1.5) running `argv`."""
    lines = ["[Desktop Entry]", "Type=Application", "Name=Posture monitor",
             "Comment=Watches your posture through the webcam and suggests stretches",
             "Exec=" + " ".join(exec_argument(a) for a in argv)]
    if not any(c in argv[0] for c in " \\"):
        lines.append(f"TryExec={argv[0]}")
    lines += ["Icon=camera-web", "Terminal=false", "Categories=Utility;",
              "X-GNOME-Autostart-enabled=true", f"X-GNOME-Autostart-Delay={DESKTOP_DELAY_S}"]
    return "\n".join(lines) + "\n"


def exec_argument(arg: str) -> str:
    """One argument of an Exec key, quoted as the specification asks when needed."""
    if arg and not (_RESERVED & set(arg)) and "%" not in arg and "=" not in arg:
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return ('"' + inner + '"').replace("\\", "\\\\")  # the string type escapes backslashes


def switched_off(platform: str, content: bytes) -> bool:
    """True when an entry is there but the desktop was told not to run it: Hidden=true or
    X-GNOME-Autostart-enabled=false (Linux), Disabled (macOS)."""
    if platform == "linux":
        keys = {line.partition("=")[0].strip(): line.partition("=")[2].strip().lower()
                for line in content.decode("utf-8", "replace").splitlines()}
        return keys.get("Hidden") == "true" or keys.get("X-GNOME-Autostart-enabled") == "false"
    if platform == "darwin":
        try:
            return bool(plistlib.loads(content).get("Disabled", False))
        except Exception:  # noqa: BLE001 - an unreadable list: not ours to judge
            return False
    return False


def home_dir() -> Path:
    """The user's home folder."""
    return Path(os.path.expanduser("~"))
