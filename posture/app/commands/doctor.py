"""`posture doctor`: check camera, model, speech, display, notifications and data folders; say
how to fix each."""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import matplotlib

from posture.core.errors import UserError
from posture.io.camera_use import CameraUseDetector, watched_device
from posture.io.estimator import REBUILD_HINT, PoseEstimator, model_path
from posture.io.history import HISTORY, default_path
from posture.io.notifications import NotificationError, Notifier
from posture.io.paths import config_dir, data_dir, refuse_folder
from posture.io.qt_app import no_display
from posture.io.quiet import quiet_stderr
from posture.io.screen_lock import lock_watcher, unheard_words
from posture.io.settings import load_settings, settings_path
from posture.io.sources import read_image
from posture.io.speech import (
    SOUND_FIX,
    find_player,
    played,
    start_player,
    synthesize,
    wav_stats,
    write_tone,
)

CAMERAS = range(4)  # camera indexes tried
PROBE_TIMEOUT_S = 20.0  # a display that takes longer than this to open Qt is unusable
TRAY_WORDS = ("tray", "no tray")
# Prints why Qt cannot show a window here, or whether a tray is there.
QT_PROBE = ("from posture.io.qt_app import start_application\n"
            "from PySide6.QtWidgets import QSystemTrayIcon\n"
            "app, problem = start_application()\n"
            "print(problem or ('tray' if QSystemTrayIcon.isSystemTrayAvailable() else 'no tray'))")


def check_model() -> str:
    """The bundled model loads and finds a person in matplotlib's sample portrait."""
    model_path()
    portrait = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    with PoseEstimator(video=False) as estimator:
        if estimator.estimate(read_image(portrait)) is None:
            raise UserError(f"the model found nobody in a test portrait: {REBUILD_HINT}")
    return "pose model loads and finds a person"


def check_cameras() -> str:
    """At least one camera opens and delivers a frame."""
    found = []
    for index in CAMERAS:
        with quiet_stderr():
            cap = cv2.VideoCapture(index)
            ok = cap.isOpened() and cap.read()[0]
            cap.release()
        if ok:
            found.append(str(index))
    if not found:
        raise UserError("no camera delivers frames: connect one, close programs using it, or "
                        "watch a file with posture run --source FILE")
    return f"camera(s) {', '.join(found)} deliver frames"


def check_speech() -> str:
    """Speech synthesises into a real WAV, and the audio player really plays a short, quiet
    test tone (a player that exists is not yet one that works: no sound card, no server)."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = synthesize("Posture check.", Path(tmp) / "check.wav")
        duration, rms, _ = wav_stats(wav)
        if duration <= 0.2 or rms <= 0.01:
            raise UserError("speech came out silent: reinstall libespeak-ng1")
        player = find_player()
        if player is None:
            raise UserError("speech works but no audio player was found: install "
                            "pulseaudio-utils or alsa-utils (prompts are shown as text meanwhile)")
        tone = write_tone(Path(tmp) / "tone.wav")
        problem = played(start_player(player, tone), player, wav_stats(tone)[0])
    if problem is not None:
        raise UserError(f"speech works but the {problem} playing a test tone: {SOUND_FIX} "
                        "(prompts are shown as text meanwhile)")
    return (f"speech works ({duration:.1f} s test phrase) and {player[0]} played a quiet test "
            "tone")


def check_display() -> str:
    """Qt really opens on the display, and a tray is there or not (otherwise posture runs
    headless)."""
    problem = no_display()
    answer = ""
    if problem is None:
        problem, answer = _probe_qt()
    if problem is not None:
        raise UserError(f"{problem}: posture run works headless (console, voice, "
                        "notifications); run it inside your desktop session for the tray")
    if answer == "tray":
        return "a window opens, and a tray is there: posture run starts as a tray icon"
    return "a window opens, but no tray was found: posture run opens the camera window"


def _probe_qt() -> tuple[str | None, str]:
    """Start Qt in a child process (a missing system library aborts it): why it cannot show
    a window, or None and whether a tray is there ("tray" or "no tray")."""
    try:
        probe = subprocess.run([sys.executable, "-c", QT_PROBE], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"the display did not answer within {PROBE_TIMEOUT_S:g} s", ""
    if probe.returncode != 0:
        return (f"Qt could not start (exit {probe.returncode}): install Qt's xcb libraries "
                "(Debian: libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0); "
                "QT_DEBUG_PLUGINS=1 names the missing one"), ""
    answer = (probe.stdout.strip().splitlines() or [""])[-1]
    return (None, answer) if answer in TRAY_WORDS else (answer or "Qt said nothing", "")


def check_notifications() -> str:
    """A real test notification reaches the desktop (prompts go there while no window shows)."""
    notifier = Notifier()
    try:
        server, actions = notifier.server()
        notifier.send("posture doctor", "Test notification: posture can reach you here.")
    except NotificationError as exc:
        raise UserError(f"desktop notification failed: {exc}; prompts still come by voice "
                        "(where speech works, see above) and on the console") from None
    finally:
        notifier.close()
    buttons = "with" if actions else "without"
    return f"a test notification was shown by {server}, {buttons} action buttons"


def check_folders() -> str:
    """Data and config folders are writable, the settings valid, the history readable."""
    for folder in (data_dir(), config_dir()):
        existing = next(p for p in (folder, *folder.parents) if p.exists())  # made on first use
        if not (existing.is_dir() and os.access(existing, os.W_OK)):
            raise UserError(f"{folder} is not writable: fix its permissions, or set POSTURE_HOME "
                            "to a writable folder")
    load_settings()
    db = refuse_folder(default_path(), HISTORY)
    if db.exists():
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                state = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            state = str(exc)
        if state != "ok":
            raise UserError(f"history {db} is damaged ({state}): move it aside to start a new "
                            "one (nothing else is lost)")
    return f"data in {data_dir()}, settings {settings_path()}"


def check_screen_lock() -> str:
    """The screen lock is heard: the screensavers' and logind's signals can be subscribed to,
    and a screensaver or logind is there to announce a lock."""
    watcher = lock_watcher(lambda locked: None).start()
    try:
        unheard, heard, noticed = unheard_words(watcher), watcher.listening(), watcher.noticed()
    finally:
        watcher.close()
    if not noticed:
        raise UserError(f"{unheard}: posture keeps watching while the screen is locked; start "
                        "it from your desktop session, with a screensaver or locker that speaks "
                        "D-Bus (the desktop's own does), or pause it (p) when you leave")
    return f"screen locks can be heard: listening to {', '.join(heard)}" + (
        f"; {unheard}" if unheard else "")


def check_camera_use() -> str:
    """Programs opening the camera (a video call) can be noticed: /proc is readable."""
    m = load_settings().monitor
    device = watched_device(m.camera_device, m.camera)
    if device is None:
        raise UserError(f"monitor.camera is a file ({m.camera}): no camera is watched for other "
                        "programs; set monitor.camera_device to watch one")
    if not device.exists():
        raise UserError(f"the camera's device {device} is not there (no webcam plugged in?): "
                        "nothing to watch for other programs until it is")
    problem = CameraUseDetector(device).problem()
    if problem is not None:
        raise UserError(f"{problem}: posture keeps the camera during video calls; pause it (p) "
                        "before a call")
    return f"programs that open the camera ({device}) can be noticed in /proc"


DOCTOR_CHECKS: dict[str, Callable[[], str]] = {
    "model": check_model, "camera": check_cameras, "speech": check_speech,
    "display": check_display, "notifications": check_notifications, "folders": check_folders,
    "screen-lock": check_screen_lock, "camera-in-use": check_camera_use,
}


# posture runs without them: a note, not a failure
OPTIONAL = {"display", "notifications", "screen-lock", "camera-in-use"}


def run(args: argparse.Namespace) -> int:
    """Run every check, print one line each; exit 2 when a needed part fails."""
    failed = 0
    for name, check in DOCTOR_CHECKS.items():
        try:
            print(f"ok       {name}: {check()}")
        except UserError as exc:
            note = name in OPTIONAL
            failed += not note
            print(f"{'note' if note else 'PROBLEM':8s} {name}: {exc}")
    return 2 if failed else 0
