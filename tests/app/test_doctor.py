"""`posture doctor` reports what works and how to fix what does not."""

from __future__ import annotations

import shutil
import sys

import pytest

from posture.app.cli import main
from posture.app.commands.doctor import check_display, check_notifications, check_speech
from posture.core.errors import UserError
from posture.io.history import default_path
from posture.io.settings import settings_path
from posture.io.speech import wav_stats
from tests.desktop import dunstctl


def lines(capsys) -> dict[str, str]:
    out = capsys.readouterr().out.splitlines()
    return {line.split()[1].rstrip(":"): line for line in out}


def test_doctor_checks_every_part(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code = main(["doctor"])
    found = lines(capsys)
    assert set(found) == {"model", "camera", "speech", "display", "notifications", "folders",
                          "screen-lock", "camera-in-use"}
    assert found["model"].startswith("ok") and found["folders"].startswith("ok")
    # This machine has no camera and no display: both are reported with their fix.
    assert found["camera"].startswith("PROBLEM") and "--source FILE" in found["camera"]
    assert found["display"].startswith("note") and "headless" in found["display"]
    # No sound card either: speech renders, but the player cannot play it.
    assert found["speech"].startswith("PROBLEM") and "sound card" in found["speech"]
    assert code == 2


def test_doctor_finds_a_damaged_history_and_keeps_it(capsys):
    db = default_path()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    main(["doctor"])
    assert "damaged" in lines(capsys)["folders"]
    assert db.read_bytes() == b"this is not a database" * 100


def test_doctor_tries_the_display_rather_than_trusting_display(capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":97")  # set, but no X server answers there
    main(["doctor"])
    display = lines(capsys)["display"]
    assert display.startswith("note") and "cannot open a window on display :97" in display


def test_doctor_sends_a_real_notification(dunst, monkeypatch):
    address, env, _ = dunst
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    said = check_notifications()
    assert "dunst" in said and "with action buttons" in said
    assert dunstctl(env, "count", "displayed").stdout.strip() == "1"  # on the screen now
    dunstctl(env, "close-all")  # closed, it goes to the history, where its text can be read
    assert "Test notification" in dunstctl(env, "history").stdout


def test_doctor_reports_a_missing_notification_server_with_the_fix(session_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus[0])  # a bus, but no server
    with pytest.raises(UserError, match="no notification server.*notification daemon"):
        check_notifications()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    with pytest.raises(UserError, match="no D-Bus session bus"):
        check_notifications()


def test_doctor_says_whether_a_tray_is_there(tray_display, bare_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", tray_display)
    assert "starts as a tray icon" in check_display()
    monkeypatch.setenv("DISPLAY", bare_display)
    assert "no tray was found" in check_display()


def test_doctor_plays_a_quiet_tone_through_the_player_and_reports_a_failing_one(
        tmp_path, monkeypatch):
    """Speech is checked by playing for real: a player that fails (here paplay, with no sound
    server and no sound card) is a problem named with its own error and the fix; a player that
    works is handed a short, quiet tone; no player at all says what to install."""
    if shutil.which("paplay") is None:
        pytest.skip("paplay is not installed (Debian package pulseaudio-utils)")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-server'}")  # nobody listens there
    with pytest.raises(UserError) as failed:
        check_speech()
    assert "audio player paplay failed" in str(failed.value)
    assert "sound card" in str(failed.value) and "sound server" in str(failed.value)
    tools, empty = tmp_path / "tools", tmp_path / "empty"
    tools.mkdir()
    empty.mkdir()
    heard = tmp_path / "heard.wav"
    player = tools / "paplay"
    player.write_text(f"#!{sys.executable}\nimport shutil, sys\n"
                      f"shutil.copy(sys.argv[1], {str(heard)!r})\n")
    player.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    assert "paplay played a quiet test tone" in check_speech()
    seconds, rms, _ = wav_stats(heard)
    assert 0.1 <= seconds <= 0.5 and 0.005 < rms < 0.05
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(UserError, match="no audio player was found: install pulseaudio-utils"):
        check_speech()


def test_doctor_hears_the_screen_lock_on_the_session_and_system_buses(screensaver, capsys):
    main(["doctor"])
    lock = lines(capsys)["screen-lock"]
    assert lock.startswith("ok") and "org.gnome.ScreenSaver" in lock and "logind" in lock
    assert "not heard" not in lock and "nothing announces" not in lock


def test_doctor_notes_that_nothing_announces_a_screen_lock(buses, capsys):
    """Both buses are there, but no screensaver owns its name and no logind answers (a bare
    window manager): subscribed is not heard."""
    main(["doctor"])
    lock = lines(capsys)["screen-lock"]
    assert lock.startswith("note     screen-lock: screen locks are not noticed here (nothing "
                           "announces a screen lock here now: no screensaver runs on the "
                           "session bus, and logind is not on the system bus): ")
    assert "screensaver or locker that speaks D-Bus" in lock and "pause it (p)" in lock


def test_doctor_says_what_is_missing_for_the_screen_lock(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    main(["doctor"])
    lock = lines(capsys)["screen-lock"]
    assert lock.startswith("note") and "no session bus" in lock
    assert "cannot reach the system bus" in lock and "desktop session" in lock


def test_doctor_checks_camera_in_use_detection(capsys, tmp_path):
    main(["doctor"])
    line = lines(capsys)["camera-in-use"]
    assert line.startswith("note") and "/dev/video0 is not there" in line  # no webcam here
    device = tmp_path / "video-stand-in"
    device.write_bytes(b"")
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(f'[monitor]\ncamera_device = "{device}"\n')
    main(["doctor"])
    line = lines(capsys)["camera-in-use"]
    assert line.startswith("ok") and str(device) in line and "/proc" in line
    settings_path().write_text('[monitor]\ncamera = "clip.mp4"\n')  # a file: nothing watched
    main(["doctor"])
    assert "no camera is watched" in lines(capsys)["camera-in-use"]


def test_doctor_names_the_bus_it_cannot_hear(screensaver, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    main(["doctor"])
    lock = lines(capsys)["screen-lock"]
    assert lock.startswith("ok") and "org.freedesktop.ScreenSaver" in lock
    assert "not heard: cannot reach the system bus" in lock
