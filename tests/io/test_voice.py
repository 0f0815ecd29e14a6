"""Voice prompts from one worker thread, checked by the WAV files it writes and plays.

There is no sound card here, so "playing" uses a small Python player that records each WAV it is
given and can be held until the test opens a gate: that keeps the worker busy for as long as a
test needs, without any wall-clock thresholds. Only a failing engine factory is faked.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from posture.io.voice import Delivery, Voice
from tests.io.test_speech import LONG_TEXT, SENTENCE, assert_speech, no_engine

PLAYER_SCRIPT = """\
import shutil, sys, time
from pathlib import Path

log, gate, wav = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
n = len(list(log.glob("*.wav")))
shutil.copy(wav, log / f"{n:03d}.wav")
record = log / f"{n:03d}.tmp"
record.write_text(str(wav))
record.rename(log / f"{n:03d}.path")  # atomic: the test never sees a half-written record
deadline = time.monotonic() + 60
while not gate.exists() and time.monotonic() < deadline:
    time.sleep(0.01)
"""


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` until it holds; fail the test if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the voice worker"
        time.sleep(0.01)


@dataclass
class GatedPlayer:
    """A player command that copies each WAV it plays to `log` and waits until `gate` exists."""

    command: list[str]
    log: Path
    gate: Path

    def played(self) -> list[Path]:
        """Copies of the WAVs played so far, in order (each recorded once fully copied)."""
        return [p.with_suffix(".wav") for p in sorted(self.log.glob("*.path"))]

    def played_paths(self) -> list[Path]:
        """The paths the Voice handed to the player."""
        return [Path(p.read_text()) for p in sorted(self.log.glob("*.path"))]


@pytest.fixture
def player(tmp_path: Path) -> GatedPlayer:
    script = tmp_path / "player.py"
    script.write_text(PLAYER_SCRIPT)
    log = tmp_path / "played"
    log.mkdir()
    gate = tmp_path / "gate"
    return GatedPlayer([sys.executable, str(script), str(log), str(gate)], log, gate)


def test_speak_to_writes_one_real_file_per_prompt_in_order(tmp_path: Path) -> None:
    out = tmp_path / "spoken"
    texts = ["Sit up straight.", "Roll your shoulders back and down.", LONG_TEXT]
    deliveries: list[Delivery] = []
    with Voice(speak_to=out, on_delivery=deliveries.append) as voice:
        voice.say(texts[0])
        voice.say(texts[1], key="rounded_shoulders")
        voice.say(texts[2])
        assert voice.flush()
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "0001-sit-up-straight.wav",
        "0002-rounded-shoulders.wav",
        "0003-time-for-a-short-break-stand-up-roll-you.wav",
    ]
    for path, text in zip(files, texts, strict=True):
        assert_speech(path, text)
    assert [(d.utterance.text, d.outcome, d.path) for d in deliveries] == [
        (text, "written", path) for text, path in zip(texts, files, strict=True)
    ]
    # A second run into the same folder continues the numbering instead of overwriting.
    with Voice(speak_to=out) as voice:
        voice.say("Again.")
    assert (out / "0004-again.wav").exists()


def test_say_returns_while_the_worker_is_busy(player: GatedPlayer) -> None:
    spoken: list[str] = []
    with Voice(player=player.command, on_delivery=lambda d: spoken.append(d.utterance.text)) as v:
        v.say(LONG_TEXT)
        wait_for(lambda: len(player.played()) == 1)  # the worker is now held in the player
        v.say("Sit up straight.")
        # say() came back while the long prompt was still playing, and queued the new one.
        assert not v.flush(0)
        assert spoken == []
        assert len(player.played()) == 1
        player.gate.touch()
        assert v.flush()
    assert spoken == [LONG_TEXT, "Sit up straight."]
    assert_speech(player.played()[0], LONG_TEXT)
    assert_speech(player.played()[1], "Sit up straight.")


def test_newest_prompt_replaces_unspoken_ones(player: GatedPlayer) -> None:
    deliveries: list[Delivery] = []
    with Voice(player=player.command, on_delivery=deliveries.append) as voice:
        voice.say("Prompt zero.")
        wait_for(lambda: len(player.played()) == 1)
        for i in range(1, 10):
            voice.say(f"Prompt {i}.")
        player.gate.touch()
        assert voice.flush()
    assert [(d.utterance.text, d.outcome) for d in deliveries] == [
        ("Prompt zero.", "spoken"),
        ("Prompt 9.", "spoken"),
    ]
    assert len(player.played()) == 2


def test_prompt_older_than_max_age_is_dropped(player: GatedPlayer) -> None:
    deliveries: list[Delivery] = []
    shown: list[str] = []
    voice = Voice(
        player=player.command, max_age=0.05, on_delivery=deliveries.append, fallback=shown.append
    )
    with voice:
        voice.say("Prompt zero.")
        wait_for(lambda: len(player.played()) == 1)
        voice.say("Too late.")
        time.sleep(0.1)  # longer than max_age, so "Too late." is stale whatever the machine
        player.gate.touch()
        assert voice.flush()
    assert [(d.utterance.text, d.outcome) for d in deliveries] == [
        ("Prompt zero.", "spoken"),
        ("Too late.", "stale"),
    ]
    assert shown == []
    assert len(player.played()) == 1


def test_played_wav_is_deleted_and_nothing_is_left_behind(player: GatedPlayer) -> None:
    player.gate.touch()
    with Voice(player=player.command) as voice:
        voice.say(SENTENCE)
        assert voice.flush()
        (played,) = player.played_paths()
        assert not played.exists()
        assert played.parent.exists()
    assert not played.parent.exists()


def test_mute_writes_nothing_but_calls_the_fallback(tmp_path: Path) -> None:
    out = tmp_path / "spoken"
    shown: list[str] = []
    with Voice(speak_to=out, muted=True, fallback=shown.append) as voice:
        voice.say("Sit up straight.")
        voice.say("Roll your shoulders back.")
        assert voice.flush()
        assert list(out.iterdir()) == []
        assert shown == ["Sit up straight.", "Roll your shoulders back."]
        voice.muted = False
        voice.say("Chin tuck.")
    assert [f.name for f in out.iterdir()] == ["0001-chin-tuck.wav"]
    assert shown == ["Sit up straight.", "Roll your shoulders back."]


def test_no_engine_warns_once_and_prints_each_prompt(
    player: GatedPlayer, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = ["Sit up straight.", "Roll your shoulders back.", "Chin tuck."]
    with Voice(player=player.command, engine_factory=no_engine) as voice:
        for text in texts:
            voice.say(text)
            assert voice.flush()
    warning, *shown = capsys.readouterr().err.splitlines()  # one warning, then the texts
    assert "libespeak-ng1" in warning
    assert shown == [f"posture: {text}" for text in texts]
    assert player.played() == []


def test_without_an_engine_a_burst_of_prompts_is_all_shown(
    player: GatedPlayer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text shown on the console costs no time: a newer prompt must not drop an earlier one."""
    shown: list[str] = []
    with Voice(player=player.command, engine_factory=no_engine, fallback=shown.append) as voice:
        voice.say("First.")
        assert voice.flush()  # the worker has found there is no engine
        for text in ("Second.", "Third.", "Fourth."):
            voice.say(text)
        assert voice.flush()
    assert shown == ["First.", "Second.", "Third.", "Fourth."]


def test_cancel_drops_what_waits_and_lets_the_current_prompt_finish(player: GatedPlayer) -> None:
    deliveries: list[Delivery] = []
    with Voice(player=player.command, on_delivery=deliveries.append) as voice:
        voice.say("Prompt zero.")
        wait_for(lambda: len(player.played()) == 1)
        voice.say("Prompt one.")
        voice.cancel()
        player.gate.touch()
        assert voice.flush()
    assert [(d.utterance.text, d.outcome) for d in deliveries] == [("Prompt zero.", "spoken")]


def test_failing_player_warns_once_and_falls_back(capsys: pytest.CaptureFixture[str]) -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit('aplay: main:831: no soundcards found')"]
    shown: list[str] = []
    with Voice(player=failing, fallback=shown.append) as voice:
        for text in ("One.", "Two."):
            voice.say(text)
            assert voice.flush()
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1, warnings
    assert "no soundcards found" in warnings[0]
    assert shown == ["One.", "Two."]


def test_missing_player_warns_and_falls_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown: list[str] = []
    with Voice(player=[str(tmp_path / "no-such-player")], fallback=shown.append) as voice:
        voice.say("One.")
        assert voice.flush()
    assert "no audio player found" in capsys.readouterr().err
    assert shown == ["One."]


def test_close_stops_playback_and_refuses_more_prompts(player: GatedPlayer) -> None:
    voice = Voice(player=player.command)
    voice.say(LONG_TEXT)
    wait_for(lambda: len(player.played()) == 1)  # held in the player until the gate opens
    results: list[bool] = []
    closer = threading.Thread(target=lambda: results.append(voice.close(timeout=0)))
    closer.start()
    closer.join(30)
    assert results == [False]  # close() returned without the gate: it stopped the player
    assert not player.played_paths()[0].parent.exists()
    with pytest.raises(RuntimeError, match="closed"):
        voice.say("More.")
