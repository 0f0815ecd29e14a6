"""What a guided stretch says and shows, shared by `posture stretch` and the live monitor's s
key: the announcer (its cues to the voice, in order and without a backlog) and the view."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

import numpy as np

from posture.core.guide.counting import Cue
from posture.core.guide.session import Session
from posture.core.pose import Pose
from posture.io.images import to_bgr
from posture.io.overlay import render_stretch
from posture.io.settings import VoiceSettings
from posture.io.voice import Voice


class Announcer:
    """Hands lines to a Voice one at a time, so a burst (script, steps, a count) is said in
    order, without a backlog: a count still waiting is dropped for a newer count, a line that
    waited longer than `max_age` seconds is dropped, and closing drops what waits (only the
    utterance under way finishes). Writing to files (speak_to), every line is kept: a batch run
    must not depend on the machine's speed. Without a Voice (--mute) each line is shown."""

    def __init__(self, voice: Voice | None, show: Callable[[str], None], *,
                 max_age: float = VoiceSettings.max_age_s,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._voice = voice
        self._show = show
        self._max_age = max_age
        self._clock = clock
        self._queue: deque[tuple[float, Cue]] = deque()

    def add(self, cues: Iterable[Cue]) -> None:
        """Queue cues (shown at once when there is no voice) and hand one on if idle."""
        now = self._clock()
        for cue in cues:
            if self._voice is None:
                self._show(cue.text)
            elif self._voice.keeps_all:  # files: hand everything over, the voice keeps order
                self._voice.say(cue.text)
            else:
                if cue.count:
                    self._queue = deque(q for q in self._queue if not q[1].count)
                self._queue.append((now, cue))
        self.pump()

    def pump(self) -> None:
        """Drop stale lines, then give the voice the next one if it is idle."""
        if self._voice is None:
            return
        now = self._clock()
        while self._queue and now - self._queue[0][0] > self._max_age:
            self._queue.popleft()
        if self._queue and self._voice.flush(0):
            self._voice.say(self._queue.popleft()[1].text)

    def close(self, timeout: float) -> None:
        """Stop: drop what waits and let only the current utterance finish (files: write all)."""
        if self._voice is None:
            return
        if not self._voice.keeps_all:
            self._queue.clear()
            self._voice.cancel()
        self._voice.close(timeout)


def draw(image: np.ndarray, pose: Pose | None, session: Session) -> np.ndarray:
    """The guided stretch's view of a camera frame: skeleton and card (shared with posture run)."""
    return render_stretch(to_bgr(image), pose, session.card())
