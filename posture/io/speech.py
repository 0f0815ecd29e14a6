"""Speech: pyttsx3 renders a text to a WAV file on one thread that owns the engine.

pyttsx3's own playback (`say()` + `runAndWait()`) is unreliable on Linux (it returns early and
drops utterances), while `save_to_file()` + `runAndWait()` is reliable, so speech is always
rendered to a file and played by a player process (`find_player`). pyttsx3 engines dislike
being created repeatedly or driven from several threads, so each engine lives in a
`SpeechEngine`: one engine, one worker thread that owns it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import numpy as np

from posture.core.errors import UserError

SPEECH_FIX = "install libespeak-ng1 (Debian/Ubuntu: sudo apt-get install libespeak-ng1)"
PLAYER_FIX = "install pulseaudio-utils or alsa-utils (Debian/Ubuntu)"
SOUND_FIX = ("check that a sound card or headset is connected and that a sound server "
             "(PulseAudio or PipeWire) runs in your desktop session")
PLAYER_GRACE_S = 30.0  # a player still running this long after its sound's end has hung
DEFAULT_RATE = 200  # words per minute; pyttsx3's own default
SYNTH_TIMEOUT_S = 30.0  # rendering takes ~20 ms here; this only guards against a hung engine
IDLE_TIMEOUT_S = 2.0
WAV_HEADER_BYTES = 44
RENDER_ATTEMPTS = 3  # renders of one text before giving up on an empty WAV
# Players tried in order: sound-server clients first, because they mix with other programs while
# raw ALSA (aplay) can find the card held by the server; afplay is macOS's.
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("paplay",),
    ("pw-play",),
    ("aplay", "-q"),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
    ("afplay",),
)


class SpeechUnavailable(UserError):
    """There is no speech engine on this machine; the message names the fix."""


class SpeechFailed(RuntimeError):
    """The engine exists but did not render a prompt."""


def _silence_pyttsx3() -> None:
    """Stop pyttsx3's espeak driver printing "Audio saved to ..." on stdout after every file.

    It prints from espeak's own thread, so redirecting sys.stdout around the call would also
    swallow other threads' output; shadowing `print` in that one module does not.
    """
    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        module.print = lambda *args, **kwargs: None


def _espeak_idle_waiter(engine: Any) -> Callable[[], None] | None:
    """Return a function that waits until espeak-ng's command queue is idle, for espeak engines.

    pyttsx3 drives espeak-ng asynchronously and its runAndWait() cancels whatever espeak is still
    processing; without this wait, rate changes are silently lost (measured: most of them when
    the rate alternates) and a render can come out empty.
    """
    if getattr(engine, "driver_name", None) != "espeak":
        return None
    from pyttsx3.drivers import _espeak

    def wait() -> None:
        deadline = time.monotonic() + IDLE_TIMEOUT_S
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.005)

    return wait


def _default_factory() -> Any:
    """Create the platform's pyttsx3 engine (espeak-ng on Linux)."""
    import pyttsx3

    return pyttsx3.init()


class SpeechEngine:
    """One pyttsx3 engine and the one thread that owns it: every engine call runs on that thread.

    The engine is created on first use; if that fails, every call raises SpeechUnavailable.
    """

    def __init__(self, factory: Callable[[], Any] = _default_factory) -> None:
        self._factory = factory
        self._engine: Any = None
        self._unavailable: str | None = None  # why there is no engine, once known
        self._hung = False
        self._wait_idle: Callable[[], None] | None = None
        # One worker thread, kept for the engine's life: the engine is created and used there.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posture-tts")

    def _call(self, job: Callable[[], Any]) -> Any:
        """Run `job` on the engine thread and return its result, or raise what it raised."""
        if self._hung:
            raise SpeechFailed("the speech engine stopped responding earlier; restart posture")
        try:
            return self._thread.submit(job).result(SYNTH_TIMEOUT_S)
        except FutureTimeout:
            self._hung = True
            raise SpeechFailed(
                f"the speech engine did not answer in {SYNTH_TIMEOUT_S:g} s"
            ) from None

    def _ensure(self) -> Any:
        """Return the engine, creating it on first use (engine thread only)."""
        if self._engine is None:
            if self._unavailable is None:
                try:
                    engine = self._factory()
                except Exception as exc:  # pyttsx3 raises RuntimeError, OSError, ImportError...
                    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    self._unavailable = f"speech is unavailable (pyttsx3: {reason}): {SPEECH_FIX}"
                else:
                    _silence_pyttsx3()
                    self._engine = engine
                    self._wait_idle = _espeak_idle_waiter(engine)
            if self._unavailable is not None:
                raise SpeechUnavailable(self._unavailable)
        return self._engine

    def check(self) -> None:
        """Create the engine now if needed; raise SpeechUnavailable if there is none."""
        self._call(self._ensure)

    def _render(self, text: str, path: Path, rate: int) -> None:
        """Render `text` into `path` (engine thread only)."""
        engine = self._ensure()
        # Set on every render, never cached: espeak now and then drops a rate set once, and a
        # cached rate then kept the engine's default for the rest of the process.
        engine.setProperty("rate", rate)
        if self._wait_idle:
            self._wait_idle()
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        if self._wait_idle:
            self._wait_idle()

    def synthesize(self, text: str, path: Path, rate: int | None = None) -> Path:
        """Speak `text` into the WAV file `path` (replaced if present) and return `path`."""
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        path = Path(path)
        # Create the file first: pyttsx3 hangs forever in runAndWait() if it cannot write it.
        path.open("wb").close()
        try:
            # espeak now and then writes a header and no audio when the machine is busy:
            # render again a few times before giving up.
            for _ in range(RENDER_ATTEMPTS):
                self._call(lambda: self._render(text, path, rate or DEFAULT_RATE))
                if path.stat().st_size > WAV_HEADER_BYTES:
                    break
            else:
                raise SpeechFailed(f"the speech engine wrote no audio for {text[:40]!r}")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path


_default_engine: SpeechEngine | None = None
_default_engine_lock = threading.Lock()


def default_engine() -> SpeechEngine:
    """The process-wide engine: pyttsx3 hands out one shared engine per driver anyway."""
    global _default_engine
    with _default_engine_lock:
        if _default_engine is None:
            _default_engine = SpeechEngine()
        return _default_engine


def synthesize(text: str, path: Path, rate: int | None = None) -> Path:
    """Speak `text` into the WAV file `path` with the process-wide engine; return `path`.

    Raises SpeechUnavailable (with the fix) when there is no engine, SpeechFailed if it fails.
    """
    return default_engine().synthesize(text, path, rate)


def wav_stats(path: Path) -> tuple[float, float, int]:
    """Return (duration in seconds, RMS as a fraction of full scale, sample rate) of a PCM WAV."""
    with wave.open(str(path), "rb") as wav:
        width = wav.getsampwidth()
        rate = wav.getframerate()
        frames = wav.getnframes()
        raw = wav.readframes(frames)
    if width == 1:  # 8-bit WAV is unsigned
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width in (2, 4):
        dtype = np.int16 if width == 2 else np.int32
        samples = np.frombuffer(raw, dtype=f"<{np.dtype(dtype).str[1:]}").astype(np.float64)
        samples /= float(np.iinfo(dtype).max) + 1.0
    else:
        raise ValueError(f"{path}: unsupported WAV sample width of {width} bytes")
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    return frames / rate, rms, rate


def find_player() -> list[str] | None:
    """Return the command (without the file) of the first audio player found, or None."""
    for command in PLAYERS:
        if shutil.which(command[0]):
            return list(command)
    return None


def start_player(player: Sequence[str], wav: Path) -> subprocess.Popen[bytes]:
    """Start playing `wav` with the `player` command (see `played` for the outcome)."""
    return subprocess.Popen([*player, str(wav)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def played(process: subprocess.Popen[bytes], player: Sequence[str], seconds: float) -> str | None:
    """Wait for a player started on a sound `seconds` long; None if it played, else what went
    wrong (its last line of errors), in words."""
    try:
        _, err = process.communicate(timeout=seconds + PLAYER_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return f"audio player {player[0]} hung"
    if process.returncode == 0:
        return None
    lines = err.decode(errors="replace").strip().splitlines()
    detail = lines[-1] if lines else f"exit status {process.returncode}"
    return f"audio player {player[0]} failed ({detail})"


def write_tone(path: Path, seconds: float = 0.2, level: float = 0.03, hz: float = 440.0,
               rate: int = 22050) -> Path:
    """Write a short, quiet sine tone (`level`: peak as a fraction of full scale) as a 16-bit
    mono WAV, faded in and out so it does not click: a sound to test a player with."""
    t = np.arange(round(seconds * rate)) / rate
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.02)
    samples = (level * 32767 * fade * np.sin(2 * np.pi * hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path
