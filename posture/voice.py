"""Spoken prompts: pyttsx3 renders each prompt to a WAV file, a player process plays it.

pyttsx3's own playback (`say()` + `runAndWait()`) is unreliable on Linux (it returns early and
drops utterances), while `save_to_file()` + `runAndWait()` is reliable, so speech is always
rendered to a file first. pyttsx3 engines dislike being created repeatedly or driven from several
threads, so each engine lives in a `SpeechEngine`: one engine, one thread that owns it.

`Voice` is what the capture loop talks to: `say()` never blocks, stale prompts are dropped rather
than queued, and when there is no engine or no player the text goes to a fallback (the console
by default; the live monitor's status console).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from posture.console import say as console_say
from posture.errors import UserError

SPEECH_FIX = "install libespeak-ng1 (Debian/Ubuntu: sudo apt-get install libespeak-ng1)"
PLAYER_FIX = "install pulseaudio-utils or alsa-utils (Debian/Ubuntu)"
DEFAULT_RATE = 200  # words per minute; pyttsx3's own default
DEFAULT_MAX_AGE_S = 10.0  # a posture prompt this old no longer describes what the user is doing
SYNTH_TIMEOUT_S = 30.0  # rendering takes ~20 ms here; this only guards against a hung engine
IDLE_TIMEOUT_S = 2.0
FLUSH_TIMEOUT_S = 10.0
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

Outcome = Literal["spoken", "written", "shown", "stale"]


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
        self._rate: int | None = None  # the rate last applied to the engine
        self._wait_idle: Callable[[], None] | None = None
        self._jobs: deque[tuple[Callable[[], Any], Future[Any]]] = deque()
        self._has_job = threading.Condition()
        threading.Thread(target=self._serve, name="posture-tts", daemon=True).start()

    def _serve(self) -> None:
        """Run submitted jobs one at a time, forever (daemon thread)."""
        while True:
            with self._has_job:
                self._has_job.wait_for(lambda: self._jobs)
                job, future = self._jobs.popleft()
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to the caller waiting on the future
                future.set_exception(exc)

    def _call(self, job: Callable[[], Any]) -> Any:
        """Run `job` on the engine thread and return its result, or raise what it raised."""
        if self._hung:
            raise SpeechFailed("the speech engine stopped responding earlier; restart posture")
        future: Future[Any] = Future()
        with self._has_job:
            self._jobs.append((job, future))
            self._has_job.notify()
        try:
            return future.result(SYNTH_TIMEOUT_S)
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
        if rate != self._rate:
            engine.setProperty("rate", rate)
            if self._wait_idle:
                self._wait_idle()
            self._rate = rate
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


def _slug(text: str) -> str:
    """A short file-name-safe form of a prompt, e.g. 'sit-up-straight'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-")
    return slug or "prompt"


@dataclass(frozen=True)
class Prompt:
    """A text to speak, with an optional short id (e.g. a problem id) and when it was said."""

    text: str
    key: str | None
    said_at: float  # time.monotonic()


@dataclass(frozen=True)
class Delivery:
    """What became of a prompt the worker took up; given to Voice's `on_delivery` callback.

    outcome: "spoken" (played), "written" (kept in speak_to), "shown" (given to the fallback:
    muted, no engine, no player or the player failed), "stale" (older than max_age, dropped).
    """

    prompt: Prompt
    outcome: Outcome
    path: Path | None = None  # the kept WAV file, in speak_to mode


class Voice:
    """Speaks prompts from one worker thread so that `say()` never blocks the capture loop.

    Playing: a newer prompt replaces one not yet spoken, and a prompt older than `max_age`
    seconds when its turn comes is dropped, so the user never hears a backlog. The temporary WAV
    of each prompt is deleted once played, and the private folder holding it on close().

    speak_to=DIR: nothing is played; each prompt is written to DIR as NNNN-<slug>.wav and kept.
    Nothing is dropped there (a batch run must not depend on how fast the machine is), and the
    engine is checked at once, so a missing engine raises SpeechUnavailable here.

    Without an engine or a player each text goes to `fallback` instead, after a single warning
    on stderr; while muted it goes there silently. `fallback` and `on_delivery` are called from
    the worker thread.
    """

    def __init__(
        self,
        *,
        speak_to: Path | None = None,
        rate: int | None = None,
        max_age: float = DEFAULT_MAX_AGE_S,
        muted: bool = False,
        fallback: Callable[[str], None] = console_say,
        on_delivery: Callable[[Delivery], None] | None = None,
        player: Sequence[str] | None = None,
        engine_factory: Callable[[], Any] | None = None,
    ) -> None:
        """`player` overrides the detected player command; `engine_factory` replaces pyttsx3.init
        (tests inject a failing one) and gives this Voice an engine of its own."""
        self._speak_to = Path(speak_to) if speak_to is not None else None
        self._rate = rate
        self._max_age = max_age
        self._muted = muted
        self._fallback = fallback
        self._on_delivery = on_delivery
        self._player = list(player) if player is not None else None
        self._engine = SpeechEngine(engine_factory) if engine_factory else default_engine()
        self._pending: deque[Prompt] = deque()
        self._busy = False
        self._closing = False
        self._process: subprocess.Popen[bytes] | None = None
        self._cond = threading.Condition()
        self._written = 0
        self._warned = False
        if self._speak_to is not None:
            self._engine.check()
            try:
                self._speak_to.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create the folder {self._speak_to} ({exc.strerror}): "
                                "give --speak-to a new or existing folder path") from exc
            numbers = [int(p.name[:4]) for p in self._speak_to.glob("[0-9][0-9][0-9][0-9]-*.wav")]
            self._written = max(numbers, default=0)  # never overwrite an earlier run's files
        self._thread = threading.Thread(target=self._run, name="posture-voice", daemon=True)
        self._thread.start()

    @property
    def muted(self) -> bool:
        """While muted nothing is spoken or written; texts still go to the fallback."""
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        if value:
            self._stop_player()

    @property
    def keeps_all(self) -> bool:
        """True when writing to files (speak_to): every prompt is kept, none is dropped."""
        return self._speak_to is not None

    @property
    def busy(self) -> bool:
        """True while the worker is handling a prompt (rendering, playing or in a callback)."""
        with self._cond:
            return self._busy

    def say(self, text: str, key: str | None = None) -> None:
        """Queue `text` and return at once; `key` (e.g. a problem id) names its file in speak_to."""
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        with self._cond:
            if self._closing:
                raise RuntimeError("say() on a closed Voice")
            if self._speak_to is None and not (self._warned or self._muted):
                self._pending.clear()  # the newest prompt wins (shown text is never dropped)
            self._pending.append(Prompt(text, key, time.monotonic()))
            self._cond.notify_all()

    def cancel(self) -> None:
        """Drop the prompts not yet taken up; the one being spoken finishes."""
        with self._cond:
            self._pending.clear()
            self._cond.notify_all()

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until every queued prompt is handled; False if `timeout` seconds passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Handle what is queued (up to `timeout` s), then stop playback and the worker thread.

        Returns True if everything queued was handled; a no-op returning True once closed.
        """
        if not self._thread.is_alive():
            return True
        done = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._pending.clear()
            self._cond.notify_all()
        self._stop_player()
        self._thread.join(IDLE_TIMEOUT_S)
        return done

    def __enter__(self) -> Voice:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _warn(self, message: str) -> None:
        """Write one warning line to stderr, only the first time something goes wrong."""
        if not self._warned:
            self._warned = True
            console_say(f"{message}; showing prompts as text")

    def _run(self) -> None:
        """Worker: find the engine and player, then handle prompts until closed."""
        tmpdir: Path | None = None
        if self._speak_to is None:
            try:
                self._engine.check()
            except (SpeechUnavailable, SpeechFailed) as exc:
                self._warn(str(exc))
            else:
                if self._player is None:
                    self._player = find_player()
                if self._player is None or not shutil.which(self._player[0]):
                    self._warn(f"no audio player found: {PLAYER_FIX}")
                    self._player = None
                else:
                    tmpdir = Path(tempfile.mkdtemp(prefix="posture-voice-"))  # private, 0700
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._pending or self._closing)
                    if self._closing:
                        return
                    prompt = self._pending.popleft()
                    self._busy = True
                try:
                    delivery = self._deliver(prompt, tmpdir)
                    if self._on_delivery is not None:
                        self._on_delivery(delivery)
                except Exception as exc:  # a bug in a callback must not silence every later prompt
                    console_say(f"voice prompt failed: {exc!r}")
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        finally:
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)

    def _deliver(self, prompt: Prompt, tmpdir: Path | None) -> Delivery:
        """Speak, write, show or drop one prompt (worker thread)."""
        if self._speak_to is None and time.monotonic() - prompt.said_at > self._max_age:
            return Delivery(prompt, "stale")
        if self._muted:
            return self._show(prompt)
        try:
            if self._speak_to is not None:
                self._written += 1
                name = f"{self._written:04d}-{_slug(prompt.key or prompt.text)}.wav"
                path = self._engine.synthesize(prompt.text, self._speak_to / name, self._rate)
                return Delivery(prompt, "written", path)
            if tmpdir is None or self._player is None:
                return self._show(prompt)
            wav = tmpdir / "prompt.wav"
            try:
                self._engine.synthesize(prompt.text, wav, self._rate)
                problem = self._play(wav)
            finally:
                wav.unlink(missing_ok=True)
        except (SpeechUnavailable, SpeechFailed) as exc:
            problem = str(exc)
        if problem is None:
            return Delivery(prompt, "spoken")
        if not (self._muted or self._closing):  # a player stopped on purpose is no problem
            self._warn(problem)
        return self._show(prompt)

    def _show(self, prompt: Prompt) -> Delivery:
        """Hand the prompt's text to the fallback."""
        self._fallback(prompt.text)
        return Delivery(prompt, "shown")

    def _play(self, wav: Path) -> str | None:
        """Play `wav` with the player; return None if it played, else what went wrong."""
        assert self._player is not None
        duration = wav_stats(wav)[0]
        with self._cond:
            if self._closing or self._muted:
                return "interrupted"
            process = subprocess.Popen(
                [*self._player, str(wav)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            self._process = process
        try:
            _, err = process.communicate(timeout=duration + 30.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return f"audio player {self._player[0]} hung"
        finally:
            with self._cond:
                self._process = None
        if process.returncode == 0:
            return None
        lines = err.decode(errors="replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {process.returncode}"
        return f"audio player {self._player[0]} failed ({detail})"

    def _stop_player(self) -> None:
        """Stop the prompt being played, if any (muting, closing)."""
        with self._cond:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
