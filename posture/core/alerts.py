"""The alert policy: when to speak up about posture, and when to remind the user to take a break.

Pure: every decision comes from the frame timestamps and per-frame verdicts given to
`AlertPolicy.update`, never from a clock, so a run over a file replays to the same prompts and
the policy is tested on synthetic timelines. A state seen at one frame holds until the next, and
a prompt fires on the first frame at or after the moment it is due; cooldowns run from that
moment rather than from the frame, so 2 fps and 30 fps make the same decisions within a frame.

Posture: a prompt needs a bad spell (slouched frames, gaps shorter than `spell_gap_s` bridged)
at least `onset_s` long, a slouch score at or above `score_threshold`, and `cooldown_s` since the
last posture prompt. After a prompt the alert stays latched (hysteresis) until the score falls
below `rearm_fraction` of the threshold: prompts while latched are repeats of an ignored slouch
and get firmer, up to `max_escalation`; once re-armed the next prompt is gentle again.

Breaks: a reminder after `break_after_s` of presence, repeated every `break_repeat_s` while the
user stays. Nobody in view for `break_min_away_s` counts as a break; a shorter absence (a glance
away, a passer-by hiding the user) does not.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from posture.core.problems import SENTENCES as PROBLEM_TEXT
from posture.core.stretches import Library, Stretch, Suggestion, suggest

# (lead, action) per escalation level, the last one reused above its level: one sentence that
# names the problems ({Problems} capitalised, {problems} not) or the time at the desk, then the
# first stretch and why it helps ({reason}: the library's reason, a verb phrase); the action is
# left out, and the lead ends the sentence, when no stretch fits.
POSTURE_TEXT = (
    ("{Problems}", ": try {stretch}, which {reason}"),
    ("Reminder, {problems}", ": please sit up tall and try {stretch}, which {reason}"),
    ("Please stop for a moment, {problems}", ": sit up tall now and do {stretch}, which {reason}"),
)
BREAK_TEXT = (
    ("You've been at your desk for {minutes}", ": time to stand up, move, and try {stretch}, "
     "which {reason}"),
    ("You've been at your desk for {minutes} now", ": please take a break, move around, and "
     "try {stretch}, which {reason}"),
)
# Problems to pick stretches for when none was seen (a break after sitting well, or a "slouched"
# verdict that names nothing): the guide's stretches are for the upper back.
GENERIC = ("slouch",)


@dataclass(frozen=True)
class AlertSettings:
    """Every constant of the alert policy. Defaults assume SlouchScore's constants (rise 1 +
    5 x severity points/s while slouched, fall 4 points/s while good)."""

    #: Slouch score (0..100) at or above which posture is bad enough to mention. A clear slouch
    #: (severity >= 0.4, 3+ points/s) passes it within 17 s, a barely detected one within 50 s.
    score_threshold: float = 50.0
    #: Seconds the current bad spell must have lasted: leaning in to read or reaching for a cup
    #: is not slouching. With the defaults a clear, sustained slouch is prompted at 30 s.
    onset_s: float = 30.0
    #: Good posture, nobody or no verdict for less than this does not end a bad spell (a glance,
    #: a noisy frame); a longer gap and the onset starts over.
    spell_gap_s: float = 3.0
    #: Hysteresis: a prompt latches the alert until the score falls below this share of the
    #: threshold (25 points: 6-19 s of good posture); only then is the next prompt gentle again.
    rearm_fraction: float = 0.5
    #: Minimum seconds between posture prompts; also how often an ignored slouch is repeated.
    cooldown_s: float = 120.0
    #: Prompts ignored at one level before the next repeat is firmer (1: every repeat is firmer).
    escalate_after: int = 1
    #: Highest escalation level: ignored prompts keep repeating at it (snooze silences them).
    max_escalation: int = 2
    #: A problem is named when seen at least this share of the time of the most seen one.
    problem_share: float = 0.5
    #: At most this many problems named in one prompt, so the sentence stays short.
    max_problems: int = 2
    #: Stretches suggested per prompt (the text names the first; the overlay can show all).
    stretch_count: int = 2
    #: Seconds a prompt's stretch card stays on screen (source time).
    card_s: float = 30.0
    #: Seconds the snooze key silences posture prompts.
    snooze_s: float = 30 * 60.0
    #: Seconds of presence before a break reminder (the stretch guide: a break about hourly).
    break_after_s: float = 50 * 60.0
    #: Nobody in view this long counts as a break and restarts the presence clock: long enough
    #: that a glance away or a passer-by does not, short enough for a coffee or a stretch.
    break_min_away_s: float = 120.0
    #: While the user stays after a reminder, repeat it this often.
    break_repeat_s: float = 10 * 60.0
    #: Minimum seconds between any two prompts, so a break reminder and a posture prompt are
    #: never spoken back to back.
    min_gap_s: float = 30.0


@dataclass(frozen=True)
class Prompt:
    """One thing to say and show: what kind, about which problems, which stretches, how firmly."""

    t: float
    kind: Literal["posture", "break"]
    problems: tuple[str, ...]  # ids, the most seen first
    stretches: tuple[str, ...]  # stretch ids, the one the text names first
    text: str  # the sentence to speak
    level: int  # 0 for a first prompt, higher when repeated while ignored
    reasons: tuple[str, ...] = ()  # why each stretch helps, in the order of `stretches`

    def to_json(self) -> dict[str, Any]:
        """The prompt as JSON-ready data (fields are only ever added)."""
        return {
            "kind": self.kind,
            "problems": list(self.problems),
            "stretches": list(self.stretches),
            "text": self.text,
            "level": self.level,
            "reasons": list(self.reasons),
        }


def _lower_first(text: str) -> str:
    """The text with its first letter in lower case, to go inside a sentence."""
    return text[:1].lower() + text[1:]


def describe(problems: Sequence[str]) -> str:
    """The problems as one clause: 'Your head has drifted forward and you are leaning to one
    side'."""
    parts = [PROBLEM_TEXT[p] for p in problems]
    return " and ".join(parts[:1] + [_lower_first(p) for p in parts[1:]])


def _called(stretch: Stretch) -> str:
    """The stretch's name as the object of a sentence: 'the chin tuck', 'the butterfly'."""
    name = _lower_first(stretch.name)
    return name if name.startswith("the ") else f"the {name}"


def _text(templates: tuple[tuple[str, str], ...], level: int, suggestions: Sequence[Suggestion],
          **fields: str) -> str:
    """One sentence for a level: the lead, then the first stretch and why it helps, if any."""
    lead, action = templates[min(level, len(templates) - 1)]
    text = lead.format(**fields)
    if suggestions:
        first = suggestions[0]
        text += action.format(stretch=_called(first.stretch),
                              reason=_lower_first(first.reason).rstrip("."))
    return text + "."


class Absence:
    """Follows absences from view; one at least `break_s` long is a break (pure: frame times)."""

    def __init__(self, break_s: float) -> None:
        self.break_s = break_s
        self.since: float | None = None  # first frame of the absence under way
        self.last_break: tuple[float, float] | None = None  # (start, end) if one ended just now

    def update(self, t: float, person: bool) -> tuple[float, float] | None:
        """Take one frame; the break that ended at it (start, end), if one did."""
        if not person:
            self.since = t if self.since is None else self.since
            self.last_break = None
        else:
            self.last_break = self.finish(t)
        return self.last_break

    def finish(self, t: float) -> tuple[float, float] | None:
        """End the absence under way at `t`: the break it was, if long enough."""
        since, self.since = self.since, None
        return (since, t) if since is not None and t - since >= self.break_s else None


class AlertPolicy:
    """Turns per-frame verdicts into the occasional prompt: posture prompts with hysteresis,
    cooldown, escalation and snooze, and break reminders after long presence."""

    def __init__(self, settings: AlertSettings, library: Library) -> None:
        self.settings = settings
        self.library = library
        self._recent: list[str] = []  # stretch ids suggested, least recent first, each once
        self._prev_t: float | None = None
        self._prev_problems: tuple[str, ...] = ()  # the previous frame's, when it was slouched
        self._quiet_until = -math.inf  # no prompt of any kind before this (min_gap_s)
        # Posture.
        self._spell_start: float | None = None  # first slouched frame of the current bad spell
        self._clear_since: float | None = None  # first frame of the current not-slouched run
        self._spell_seen: Counter[str] = Counter()  # seconds per problem since spell or prompt
        self._ignored = 0  # posture prompts since the alert was last re-armed
        self._posture_due = -math.inf  # end of the posture cooldown
        self._snooze_until = -math.inf
        # Presence and breaks.
        self._present_since: float | None = None  # start of the current sitting session
        self.absence = Absence(settings.break_min_away_s)
        self._session_seen: Counter[str] = Counter()  # seconds per problem in the session
        self._breaks = 0  # break reminders given in this session
        self._break_due = math.inf

    def snooze(self, seconds: float, now: float) -> float:
        """No posture prompts for `seconds` from frame time `now` (0 cancels); returns the end.

        Break reminders still come: they are about time at the desk, not about posture."""
        self._snooze_until = now + max(0.0, seconds)
        return self._snooze_until

    def update(self, t: float, person: bool, posture: str | None, problems: Sequence[str],
               score: float) -> Prompt | None:
        """Advance to frame time `t` with this frame's verdict; the prompt to give now, if any.

        `posture` is the assessment's "good" or "slouched" (None: no verdict), `problems` its
        problem ids (strongest first) and `score` the slouch score after this frame.
        """
        prev_t = t if self._prev_t is None else min(self._prev_t, t)
        held = t - prev_t
        if held > 0:
            for problem in self._prev_problems:
                self._spell_seen[problem] += held
                self._session_seen[problem] += held
        slouched = person and posture == "slouched"
        self._track_presence(t, person)
        self._track_spell(t, slouched)
        if score < self.settings.score_threshold * self.settings.rearm_fraction:
            self._ignored = 0
        prompt = None
        if person:
            prompt = self._break_prompt(t, prev_t)
        if prompt is None and slouched:
            prompt = self._posture_prompt(t, prev_t, problems, score)
        self._prev_t = t
        self._prev_problems = tuple(problems) if slouched else ()
        return prompt

    def _track_presence(self, t: float, person: bool) -> None:
        """Start a new sitting session on first sight or on return from a break."""
        took_break = self.absence.update(t, person) is not None
        if not person:
            return
        if self._present_since is None or took_break:
            self._present_since = t
            self._session_seen.clear()
            self._breaks = 0
            self._break_due = t + self.settings.break_after_s
            self._ignored = 0  # back from a break: the next posture prompt is a fresh one

    def _track_spell(self, t: float, slouched: bool) -> None:
        """Start a new bad spell at a slouched frame after a long enough not-slouched run."""
        if not slouched:
            if self._clear_since is None:
                self._clear_since = t
            return
        if self._spell_start is None or (
            self._clear_since is not None and t - self._clear_since >= self.settings.spell_gap_s
        ):
            self._spell_start = t
            self._spell_seen.clear()
        self._clear_since = None

    def _main_problems(self, seen: Counter[str]) -> tuple[str, ...]:
        """The problems seen longest, longest first, down to problem_share of the top one."""
        ranked = seen.most_common()
        if not ranked:
            return ()
        floor = self.settings.problem_share * ranked[0][1]
        return tuple(p for p, secs in ranked if secs >= floor)[: self.settings.max_problems]

    def _posture_prompt(self, t: float, prev_t: float, problems: Sequence[str],
                        score: float) -> Prompt | None:
        """A posture prompt when the spell, score, cooldown, snooze and gap all allow one."""
        s = self.settings
        assert self._spell_start is not None  # a slouched frame always belongs to a spell
        due = max(self._spell_start + s.onset_s, self._posture_due, self._snooze_until,
                  self._quiet_until)
        if t < due or score < s.score_threshold:
            return None
        # The spell so far names the problems; with nothing timed yet (onset 0), this frame does.
        named = (self._main_problems(self._spell_seen) or tuple(problems)[: s.max_problems]
                 or GENERIC)
        level = min(s.max_escalation, self._ignored // s.escalate_after)
        found = suggest(named, self.library, at_desk=True, recent=self._recent,
                        limit=s.stretch_count)
        clause = describe(named)
        text = _text(POSTURE_TEXT, level, found, Problems=clause, problems=_lower_first(clause))
        self._ignored += 1
        self._spell_seen.clear()
        anchor = max(prev_t, due)  # when it became due, known to within a frame
        self._posture_due = anchor + s.cooldown_s
        return self._give(t, anchor, "posture", named, found, text, level)

    def _break_prompt(self, t: float, prev_t: float) -> Prompt | None:
        """A break reminder once the session has lasted long enough, then at each repeat."""
        s = self.settings
        due = max(self._break_due, self._quiet_until)
        if self._present_since is None or t < due:
            return None
        named = self._main_problems(self._session_seen)
        found = suggest(named or GENERIC, self.library, at_desk=False,
                        recent=self._recent, limit=s.stretch_count)
        minutes = int((t - self._present_since) // 60)
        level = min(s.max_escalation, self._breaks)
        text = _text(BREAK_TEXT, level, found,
                     minutes=f"{minutes} minute{'' if minutes == 1 else 's'}")
        self._breaks += 1
        anchor = max(prev_t, due)
        self._break_due = anchor + s.break_repeat_s
        return self._give(t, anchor, "break", named, found, text, level)

    def _give(self, t: float, anchor: float, kind: Literal["posture", "break"],
              problems: tuple[str, ...], found: Sequence[Suggestion], text: str,
              level: int) -> Prompt:
        """Record a prompt (the stretch it names as the most recent, so the next prompt names
        another where one fits; the others were only shown) and build it."""
        ids = tuple(x.stretch.id for x in found)
        if ids:
            self._recent = [sid for sid in self._recent if sid != ids[0]] + [ids[0]]
        self._quiet_until = anchor + self.settings.min_gap_s
        return Prompt(t, kind, problems, ids, text, level, tuple(x.reason for x in found))
