"""What the user can ask of the running monitor, in one table: the window's and the terminal's
keys, the tray menu and the control socket all turn into the same `Command`s, handed to the
monitor's thread through its `Inbox` (thread-safe, so the GUI thread, the socket's thread and a
notification's thread can all post)."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Any

# The commands the monitor acts on (LiveMonitor.ACTIONS maps each to its handler):
#   quit; pause (arg: a posture.core.pauses.Pause); resume (arg: the reason, default "user");
#   toggle_pause (the p key); mute (arg: True/False, None toggles); snooze; calibrate;
#   stretch (starts the suggested stretch, or stops the one under way); window (arg: shown?).
COMMANDS = ("quit", "pause", "resume", "toggle_pause", "mute", "snooze", "calibrate", "stretch",
            "window")


@dataclass(frozen=True)
class Command:
    """One thing asked of the monitor, with its argument."""

    name: str
    arg: Any = None

    def __post_init__(self) -> None:
        if self.name not in COMMANDS:
            raise ValueError(f"unknown command {self.name!r}: one of {', '.join(COMMANDS)}")


# Keys, in the window and in the terminal of a headless run (Esc quits too).
KEYS = {"q": "quit", "\x1b": "quit", "p": "toggle_pause", "s": "stretch", "c": "calibrate",
        "m": "mute", " ": "snooze"}
# The key line the window always shows.
KEY_LINE = "q quit | p pause | s stretch | c calibrate | m mute | space snooze"


def key_command(key: str) -> Command | None:
    """The command of a key press (a one-character string), if it has one."""
    name = KEYS.get(key.lower() if key.isalpha() else key)
    return Command(name) if name else None


@dataclass(frozen=True)
class MenuItem:
    """One entry of the tray menu: its stable id (the QAction's objectName), its words, the
    submenu it sits in ("" for the top level), and whether it is a check box."""

    id: str
    text: str
    submenu: str = ""
    checkable: bool = False


# The tray menu, top to bottom; the desktop front end maps each id to a command or a job.
MENU = (
    MenuItem("pause_15m", "15 minutes", "Pause"),
    MenuItem("pause_1h", "1 hour", "Pause"),
    MenuItem("pause_tomorrow", "Until tomorrow", "Pause"),
    # Where a call's camera use cannot be detected (macOS, Windows; on Linux a call through
    # PipeWire's camera portal): one click before it starts.
    MenuItem("pause_meeting", "Pause for a meeting (1 h)"),
    MenuItem("resume", "Resume"),
    MenuItem("stretch", "Stretch now"),
    MenuItem("show", "Show camera"),
    MenuItem("calibrate", "Calibrate"),
    MenuItem("report", "Today's report"),
    MenuItem("settings", "Open settings file"),
    MenuItem("mute", "Mute", checkable=True),
    MenuItem("quit", "Quit"),
)
# The pause durations of the menu, as `posture pause` takes them.
MENU_PAUSES = {"pause_15m": "15m", "pause_1h": "1h", "pause_tomorrow": "tomorrow",
               "pause_meeting": "1h"}
MENU_PAUSE_DETAILS = {"pause_meeting": "a meeting"}  # why, in the status and the tray


class Inbox:
    """Commands waiting for the monitor's thread, first in first out."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Command] = queue.SimpleQueue()

    def post(self, command: Command) -> None:
        """Hand a command over (from any thread)."""
        self._queue.put(command)

    def take(self, timeout: float) -> Command | None:
        """The next command, waiting at most `timeout` seconds (0: only one already there)."""
        try:
            if timeout <= 0:
                return self._queue.get_nowait()
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
