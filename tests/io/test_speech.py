"""Speech with real espeak-ng through pyttsx3, checked by the WAV files it writes.

Needs Debian's libespeak-ng1 (pyttsx3's espeak driver); without it these tests fail with
SpeechUnavailable naming that package. Only a failing engine factory is faked."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from posture.core.errors import UserError
from posture.io.speech import SpeechEngine, SpeechUnavailable, synthesize, wav_stats
from posture.io.voice import Voice

SENTENCE = "Sit up straight and let your shoulders drop away from your ears."


LONG_TEXT = (
    "Time for a short break. Stand up, roll your shoulders back five times, then tuck your "
    "chin gently and hold it for five seconds. Repeat three times before you sit down again."
)


# Measured here at the default rate (200 words a minute): 0.048 to 0.054 s per character for
# sentences of 40 to 435 characters; short words and digits take longer (up to 0.5 s per char).
SECONDS_PER_CHAR = (0.035, 0.12)


SPEECH_RMS = 0.02  # espeak-ng speech measures about 0.085 of full scale; silence is 0


def no_engine() -> None:
    """An engine factory failing the way pyttsx3.init() does without libespeak-ng1."""
    raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")


def assert_speech(path: Path, text: str) -> None:
    """`path` is a WAV of real speech with a duration plausible for `text`."""
    duration, rms, rate = wav_stats(path)
    low, high = SECONDS_PER_CHAR
    assert rate >= 8000
    assert low * len(text) <= duration <= high * len(text), (duration, len(text))
    assert rms > SPEECH_RMS, rms


def test_synthesize_gives_plausible_speech_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = synthesize(SENTENCE, tmp_path / "s.wav")
    assert out == tmp_path / "s.wav"
    assert_speech(out, SENTENCE)
    # pyttsx3's espeak driver prints "Audio saved to ..." after every file; it must not leak.
    assert capsys.readouterr().out == ""


def test_longer_text_gives_longer_wav(tmp_path: Path) -> None:
    short = wav_stats(synthesize("Sit up.", tmp_path / "short.wav"))[0]
    long = wav_stats(synthesize(LONG_TEXT, tmp_path / "long.wav"))[0]
    assert_speech(tmp_path / "long.wav", LONG_TEXT)
    assert long > 5 * short


def test_rate_changes_apply_every_time(tmp_path: Path) -> None:
    # pyttsx3 drives espeak-ng asynchronously: without waiting for it to go idle, most of these
    # alternating rate changes were silently lost.
    durations: dict[int, list[float]] = {120: [], 300: []}
    for i in range(6):
        for rate, found in durations.items():
            path = synthesize(SENTENCE, tmp_path / f"{rate}-{i}.wav", rate=rate)
            found.append(wav_stats(path)[0])
    for found in durations.values():
        assert max(found) - min(found) < 0.02 * min(found), found
    assert min(durations[120]) > 2 * max(durations[300])


def test_synthesize_refuses_empty_text_and_unwritable_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing to say"):
        synthesize("  ", tmp_path / "empty.wav")
    # pyttsx3 itself would hang forever in runAndWait() on a path it cannot write.
    with pytest.raises(FileNotFoundError):
        synthesize(SENTENCE, tmp_path / "missing" / "x.wav")


def test_no_engine_raises_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(SpeechUnavailable) as raised:
        SpeechEngine(no_engine).synthesize(SENTENCE, tmp_path / "x.wav")
    message = str(raised.value)
    assert "\n" not in message
    assert "libespeak-ng1" in message
    assert isinstance(raised.value, UserError)  # the CLI maps it to exit code 2
    assert not (tmp_path / "x.wav").exists()
    with pytest.raises(SpeechUnavailable, match="libespeak-ng1"):
        Voice(speak_to=tmp_path / "out", engine_factory=no_engine)


@pytest.mark.parametrize("width", [1, 2, 4])
def test_wav_stats_of_a_known_tone(tmp_path: Path, width: int) -> None:
    rate, seconds, amplitude = 16000, 0.5, 0.5
    tone = amplitude * np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate)
    if width == 1:
        data = (tone * 127 + 128).astype(np.uint8).tobytes()
    else:
        dtype = np.int16 if width == 2 else np.int32
        data = (tone * np.iinfo(dtype).max).astype(f"<{np.dtype(dtype).str[1:]}").tobytes()
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)
    duration, rms, found_rate = wav_stats(path)
    assert found_rate == rate
    assert duration == pytest.approx(seconds)
    assert rms == pytest.approx(amplitude / np.sqrt(2), rel=0.02)
