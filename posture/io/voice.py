"""Spoken prompts for the capture loop: `Voice.say()` never blocks, stale prompts are dropped
rather than queued, and when there is no engine or no player the text goes to a fallback (the
console by default; the live monitor's status console).

Each prompt is rendered to a WAV by the speech engine (`posture.io.speech`) and played by a
player process, on one worker thread of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from posture.io.console import say as console_say
from posture.io.paths import make_folder
from posture.io.settings import VoiceSettings
from posture.io.speech import (
    IDLE_TIMEOUT_S,
    PLAYER_FIX,
    SpeechEngine,
    SpeechFailed,
    SpeechUnavailable,
    default_engine,
    find_player,
    played,
    start_player,
    wav_stats,
)

FLUSH_TIMEOUT_S = 10.0

Outcome = Literal["spoken", "written", "shown", "stale"]


def _slug(text: str) -> str:
    """A short file-name-safe form of a prompt, e.g. 'sit-up-straight'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-")
    return slug or "prompt"


@dataclass(frozen=True)
class Utterance:
    """A text to speak, with an optional short id (e.g. a problem id) and when it was said."""

    text: str
    key: str | None
    said_at: float  # time.monotonic()


@dataclass(frozen=True)
class Delivery:
    """What became of an utterance the worker took up; given to Voice's `on_delivery` callback.

    outcome: "spoken" (played), "written" (kept in speak_to), "shown" (given to the fallback:
    muted, no engine, no player or the player failed), "stale" (older than max_age, dropped).
    """

    utterance: Utterance
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
        max_age: float = VoiceSettings.max_age_s,
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
        self._pending: deque[Utterance] = deque()
        self._closing = False
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._tmpdir: Path | None = None  # private folder of the WAV being played
        self._written = 0
        self._warned = False
        if self._speak_to is not None:
            self._engine.check()
            make_folder(self._speak_to)
            numbers = [int(p.name[:4]) for p in self._speak_to.glob("[0-9][0-9][0-9][0-9]-*.wav")]
            self._written = max(numbers, default=0)  # never overwrite an earlier run's files
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posture-voice")
        # The worker runs its tasks in order: once the last one submitted is done, all are.
        self._last: Future[None] = self._worker.submit(self._prepare)

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

    def say(self, text: str, key: str | None = None) -> None:
        """Queue `text` and return at once; `key` (e.g. a problem id) names its file in speak_to."""
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        with self._lock:
            if self._closing:
                raise RuntimeError("say() on a closed Voice")
            if self._speak_to is None and not (self._warned or self._muted):
                self._pending.clear()  # the newest prompt wins (shown text is never dropped)
            self._pending.append(Utterance(text, key, time.monotonic()))
            self._last = self._worker.submit(self._next)

    def cancel(self) -> None:
        """Drop the prompts not yet taken up; the one being spoken finishes."""
        with self._lock:
            self._pending.clear()

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until every queued prompt is handled; False if `timeout` seconds passed first."""
        return not wait_for([self._last], timeout).not_done

    def close(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Handle what is queued (up to `timeout` s), then stop playback and the worker thread.

        Returns True if everything queued was handled; a no-op returning True once closed.
        """
        if self._closing:
            return True
        done = self.flush(timeout)
        with self._lock:
            self._closing = True
            self._pending.clear()
        self._stop_player()
        wait_for([self._last], IDLE_TIMEOUT_S)
        self._worker.shutdown(wait=False, cancel_futures=True)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
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

    def _prepare(self) -> None:
        """Worker: find the engine and the player (and a private folder for the WAVs)."""
        if self._speak_to is not None:
            return
        try:
            self._engine.check()
        except (SpeechUnavailable, SpeechFailed) as exc:
            self._warn(str(exc))
            return
        if self._player is None:
            self._player = find_player()
        if self._player is None or not shutil.which(self._player[0]):
            self._warn(f"no audio player found: {PLAYER_FIX}")
            self._player = None
        else:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="posture-voice-"))  # private, 0700

    def _next(self) -> None:
        """Worker: handle the oldest utterance waiting, if any is left."""
        with self._lock:
            if self._closing or not self._pending:
                return
            utterance = self._pending.popleft()
        try:
            delivery = self._deliver(utterance)
            if self._on_delivery is not None:
                self._on_delivery(delivery)
        except Exception as exc:  # a bug in a callback must not silence every later prompt
            console_say(f"voice prompt failed: {exc!r}")

    def _deliver(self, utterance: Utterance) -> Delivery:
        """Speak, write, show or drop one utterance (worker thread)."""
        if self._speak_to is None and time.monotonic() - utterance.said_at > self._max_age:
            return Delivery(utterance, "stale")
        if self._muted:
            return self._show(utterance)
        try:
            if self._speak_to is not None:
                self._written += 1
                name = f"{self._written:04d}-{_slug(utterance.key or utterance.text)}.wav"
                path = self._engine.synthesize(utterance.text, self._speak_to / name, self._rate)
                return Delivery(utterance, "written", path)
            if self._tmpdir is None or self._player is None:
                return self._show(utterance)
            wav = self._tmpdir / "prompt.wav"
            try:
                self._engine.synthesize(utterance.text, wav, self._rate)
                problem = self._play(wav)
            finally:
                wav.unlink(missing_ok=True)
        except (SpeechUnavailable, SpeechFailed) as exc:
            problem = str(exc)
        if problem is None:
            return Delivery(utterance, "spoken")
        if not (self._muted or self._closing):  # a player stopped on purpose is no problem
            self._warn(problem)
        return self._show(utterance)

    def _show(self, utterance: Utterance) -> Delivery:
        """Hand the utterance's text to the fallback."""
        self._fallback(utterance.text)
        return Delivery(utterance, "shown")

    def _play(self, wav: Path) -> str | None:
        """Play `wav` with the player; return None if it played, else what went wrong."""
        assert self._player is not None
        with self._lock:
            if self._closing or self._muted:
                return "interrupted"
            process = start_player(self._player, wav)
            self._process = process
        try:
            return played(process, self._player, wav_stats(wav)[0])
        finally:
            with self._lock:
                self._process = None

    def _stop_player(self) -> None:
        """Stop the prompt being played, if any (muting, closing)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()


def open_voice(settings: VoiceSettings, fallback: Callable[[str], None], *,
               speak_to: Path | None = None, muted: bool = False) -> Voice | None:
    """The Voice the settings describe; None (no engine started) when speech is disabled,
    unless `speak_to` asks for WAV files, which are written regardless."""
    if speak_to is None and not settings.enabled:
        return None
    return Voice(speak_to=speak_to, rate=settings.rate, max_age=settings.max_age_s, muted=muted,
                 fallback=fallback)
