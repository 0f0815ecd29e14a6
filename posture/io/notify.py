"""Desktop notifications, for prompts while no window is shown."""

from __future__ import annotations

import shutil
import subprocess


def notify(text: str) -> None:
    """A desktop notification where one is available (Linux notify-send), never blocking."""
    tool = shutil.which("notify-send")
    if tool:
        subprocess.Popen([tool, "posture", text], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
