"""One guided stretch over a sequence of poses: the relaxed reference, the position check,
debounce and counter, plus what to say when the camera cannot judge (nobody in view, elbows out
of the frame): tell the user once, and time the holds instead (reported as unverified) until
the camera can judge again. Pure: time comes from the frames' timestamps."""

from __future__ import annotations

from dataclasses import dataclass

from posture.core.cards import Card
from posture.core.checks.geometry import in_view
from posture.core.checks.positions import check
from posture.core.checks.reference import ReferenceTracker
from posture.core.checks.sides import side_of
from posture.core.guide.counting import Cue, Debounce, RepCounter
from posture.core.pose import Pose
from posture.core.profile import Profile
from posture.core.stretches import Stretch, dose_text

AWAY_S = 3.0  # nobody in view this long: say so (once per absence); the count waits meanwhile
UNJUDGED_S = 4.0  # someone in view but the check cannot judge for this long: time the holds
REJUDGED_S = 2.0  # ...until it has judged again for this long
# What to ask when someone is in view but the check cannot judge them.
HINTS = {
    "overhead_reach": "Move back so I can see your arms and hands.",
    "butterfly": "Move back so I can see your elbows.",
    "shoulder_blade_squeeze": "Move back so I can see your elbows.",
}
HINT = "Face the camera so I can see your head and shoulders."
AWAY = "I can't see you: sit facing the camera with your head and shoulders in view."


@dataclass(frozen=True)
class GuideFrame:
    """What the guide decided at one frame, and what it says there."""

    t: float
    frame: int
    stretch: str
    step: int
    in_position: bool | None
    hold_s: float
    reps_done: int
    reps_target: int
    side: str | None
    cues: tuple[Cue, ...]
    verified: bool = True  # the count comes from the camera's check (False: timed only)

    @property
    def say(self) -> tuple[str, ...]:
        """The texts said at this frame, in order."""
        return tuple(cue.text for cue in self.cues)

    def to_json(self) -> dict:
        """The JSON Lines record (fields are only ever added, never renamed)."""
        return {
            "t": round(self.t, 3),
            "frame": self.frame,
            "stretch": self.stretch,
            "step": self.step,
            "in_position": self.in_position,
            "hold_s": round(self.hold_s, 2),
            "reps_done": self.reps_done,
            "reps_target": self.reps_target,
            "side": self.side,
            "say": list(self.say),
            "verified": self.verified,
        }


def _mirror_side(side: str | None) -> str | None:
    """The person's side as seen in a mirrored (selfie-view) picture."""
    return {"left": "right", "right": "left"}.get(side or "", side)


class Session:
    """One guided stretch over a sequence of poses: reference, check, debounce, count.

    Pure: time comes from the frames' timestamps, so a file gives the same result at any speed.
    `mirrored`: the camera flips the picture (selfie view), so sides seen in it are swapped.
    """

    def __init__(self, stretch: Stretch, profile: Profile | None = None,
                 mirrored: bool = False) -> None:
        self.stretch = stretch
        self.checked = stretch.checkable  # the library has a check for every checkable one
        self.mirrored = mirrored
        self.reference = ReferenceTracker(stretch.id, profile)
        self.debounce = Debounce()
        self.counter = RepCounter(stretch, timed=not self.checked)
        self.seconds = 0.0  # time covered by the frames so far
        self.checked_s = 0.0  # of which the position could be judged
        self.in_position_s = 0.0  # of which the user was in position
        self.fallback = False  # checkable, but the camera cannot judge now: timing the holds
        self._last_t: float | None = None
        self._step: int | None = None
        self._frames = 0
        self._away_since: float | None = None
        self._told_away = False
        self._unjudged_since: float | None = None
        self._judged_since: float | None = None
        self._hinted = False

    @property
    def done(self) -> bool:
        """True once every rep of every phase is counted."""
        return self.counter.done

    @property
    def verified(self) -> bool:
        """True while the count comes from the camera's check of the position."""
        return self.checked and not self.fallback

    def step(self, t: float, pose: Pose | None, frame: int | None = None) -> GuideFrame:
        """Judge one frame (taken at `t` seconds) and advance the count."""
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        frame = self._frames if frame is None else frame
        self._frames += 1
        present = in_view(pose)
        reference = self.reference.update(t, pose)
        passed = (check(self.stretch.id, pose, reference, held=self.debounce.state)
                  if self.checked else None)
        state = self.debounce.update(t, passed)
        in_position = None if passed is None else state
        side = side_of(self.stretch.id, pose, reference) if in_position else None
        if self.mirrored:
            side = _mirror_side(side)
        cues = self._step_cues(t)
        cues += self._presence(t, present)
        if self.checked:
            cues += self._judging(t, present, passed)
        cues += self.counter.update(t, dt, state, side, present)
        self.seconds += dt
        self.checked_s += dt if in_position is not None else 0.0
        self.in_position_s += dt if in_position else 0.0
        return GuideFrame(t, frame, self.stretch.id, self._step or 0, in_position,
                          self.counter.hold, self.counter.reps_done, self.counter.target, side,
                          tuple(cues), self.verified)

    def _step_cues(self, t: float) -> list[Cue]:
        """The script at the start, then each step as it becomes current."""
        cues = [Cue(self.stretch.script)] if self._step is None else []
        step = self.counter.step_index(t)
        if self._step is None or step > self._step:
            start = self.counter.current.first_step if self._step is None else self._step + 1
            cues += [Cue(text) for text in self.stretch.steps[start:step + 1]]
            self._step = step
        return cues

    def _presence(self, t: float, present: bool) -> list[Cue]:
        """Say once per absence that nobody is in view (the count waits meanwhile)."""
        if present:
            self._away_since, self._told_away = None, False
            return []
        if self._away_since is None:
            self._away_since = t
        if not self._told_away and t - self._away_since >= AWAY_S:
            self._told_away = True
            return [Cue(AWAY)]
        return []

    def _judging(self, t: float, present: bool, passed: bool | None) -> list[Cue]:
        """Switch to timing the holds when someone is in view but the check has not judged them
        for UNJUDGED_S (telling the user, once, what would let it), back once it judges again."""
        if passed is not None:
            self._unjudged_since = None
            self._judged_since = t if self._judged_since is None else self._judged_since
            if self.fallback and t - self._judged_since >= REJUDGED_S:
                self.fallback = False
                self.counter.set_timed(False)
                return [Cue("I can see you now: counting from your position again.")]
            return []
        self._judged_since = None
        if not present or not self.reference.settled:
            self._unjudged_since = None
            return []
        self._unjudged_since = t if self._unjudged_since is None else self._unjudged_since
        if self.fallback or t - self._unjudged_since < UNJUDGED_S:
            return []
        self.fallback = True
        self.counter.set_timed(True)
        if self._hinted:
            return []
        self._hinted = True
        hint = HINTS.get(self.stretch.id, HINT)
        return [Cue(f"{hint} Until then I'll time your holds.")]

    def card(self) -> Card:
        """The overlay card now: steps (the current one marked), what is counted, a countdown
        while a hold runs, reps and whether the camera verifies them."""
        phase = self.counter.current
        countdown = None
        if self.counter.holding and phase.hold_s is not None:
            countdown = max(0.0, phase.hold_s - self.counter.hold)
        if not self.checked:
            state = "timed (the camera cannot check this stretch)"
        elif self.fallback:
            state = "timed (the camera cannot see you well enough)"
        else:
            state = "in position" if self.debounce.state else "get into position"
        counted = dose_text(None if phase.hold_s is None else f"{phase.hold_s:g}",
                            str(phase.reps), phase.per_side)
        return Card(title=self.stretch.name, steps=self.stretch.steps, dose=counted,
                    countdown_s=countdown, countdown_of=phase.hold_s,
                    current=self._step, footer=f"reps {self.counter.reps_done}/"
                    f"{self.counter.target} - {state}")

    def summary(self) -> str:
        """Reps counted (verified and timed) and time in position, in two lines."""
        c = self.counter
        line = f"{self.stretch.name}: {c.reps_done} of {c.target} reps counted"
        if not self.checked:
            return (f"{line} by the clock\nposition not checked: a front camera cannot see "
                    f"this stretch ({self.seconds:.1f} s timed)")
        timed = c.reps_done - c.verified_reps
        how = (" from verified holds" if not timed else
               f": {c.verified_reps} from verified holds, {timed} timed (unverified: the camera "
               "could not see you well enough)")
        return (f"{line}{how}\nin position {self.in_position_s:.1f} s of "
                f"{self.checked_s:.1f} s checked ({self.seconds:.1f} s in all)")
