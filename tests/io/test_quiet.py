"""quiet_stderr silences native logging on fd 2 but not the program's own messages."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CHILD = """
import os, sys, threading
from posture.io.console import Console
from posture.io.quiet import quiet_stderr
console = Console()  # made before, used during a quiet block, as the live monitor does
with quiet_stderr():
    os.write(2, b"native noise\\n")
    worker = threading.Thread(target=lambda: print("posture: a warning", file=sys.stderr))
    worker.start()
    worker.join()
    voice = threading.Thread(target=console.say, args=("a prompt shown as text",))
    voice.start()
    voice.join()
print("posture: after", file=sys.stderr)
"""


def test_messages_from_another_thread_get_through_while_native_logging_is_silenced():
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stderr.splitlines() == ["posture: a warning", "posture: a prompt shown as text",
                                         "posture: after"]
