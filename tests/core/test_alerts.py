"""The alert policy on synthetic timelines: when it prompts, how firmly, what it suggests, and
that the decisions do not depend on the frame rate. Where a score is needed the real SlouchScore
runs over synthetic assessments; where the point is the policy alone, scores are fed directly."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator, Sequence

import pytest

from posture.core.alerts import PROBLEM_TEXT, AlertPolicy, AlertSettings, Prompt, describe
from posture.core.problems import PROBLEMS
from posture.core.sampling import Sampling
from posture.core.score import RISE_BASE, Assessment, SlouchScore
from posture.io.library import load_library

LIBRARY = load_library()
DEFAULTS = AlertSettings()
MIN = 60.0

Seen = Assessment | None  # what the camera shows for a stretch of time; None: nobody in view
Timeline = Sequence[tuple[float, Seen]]  # (seconds, what is seen), one after the other


def slouched(*problems: str, severity: float = 0.6) -> Assessment:
    """A slouched verdict with these problems (strongest first)."""
    return Assessment("front", {}, {}, problems, "slouched", severity)


GOOD = Assessment("front", {}, {}, (), "good", 0.0)
AWAY: Seen = None


def frames(timeline: Timeline, fps: float, jitter: float = 0.0, seed: int = 0,
           ) -> Iterator[tuple[float, Seen]]:
    """(t, seen) at `fps`, each interval 1 +- `jitter` times the nominal one, at random.

    Each segment starts with a frame at its first instant, as if the camera saw each change the
    moment it happened: what remains between frame rates is then the policy's own doing.
    """
    rng = random.Random(seed)
    start = 0.0
    for duration, seen in timeline:
        t = start
        while t < start + duration - 1e-9:
            yield t, seen
            t = round(t + (1.0 + rng.uniform(-jitter, jitter)) / fps, 9)  # no float drift
        start += duration


def run(timeline: Timeline, fps: float, settings: AlertSettings | None = None,
        policy: AlertPolicy | None = None, jitter: float = 0.0, seed: int = 0) -> list[Prompt]:
    """Drive the real SlouchScore and the policy over a timeline; the prompts given."""
    policy = policy or AlertPolicy(settings or DEFAULTS, LIBRARY)
    score = SlouchScore(Sampling().stall_s)
    prompts = []
    for t, seen in frames(timeline, fps, jitter, seed):
        value = score.update(t, seen)
        prompt = policy.update(t, seen is not None, seen.posture if seen else None,
                               seen.problems if seen else (), value)
        if prompt:
            prompts.append(prompt)
    return prompts


def feed(policy: AlertPolicy, samples: Sequence[tuple[float, str | None, float]],
         problems: tuple[str, ...] = ("forward_head",)) -> list[Prompt]:
    """Feed (t, posture, score) directly, skipping the score: a person is in view throughout."""
    prompts = []
    for t, posture, value in samples:
        prompt = policy.update(t, True, posture, problems if posture == "slouched" else (), value)
        if prompt:
            prompts.append(prompt)
    return prompts


def of_kind(prompts: list[Prompt], kind: str) -> list[Prompt]:
    return [p for p in prompts if p.kind == kind]


@pytest.mark.parametrize("severity", [0.4, 1.0])
def test_sustained_slouch_prompted_once_within_a_minute_at_5_and_30_fps(severity: float) -> None:
    timeline = [(10.0, GOOD), (60.0, slouched("forward_head", severity=severity))]
    at5, at30 = run(timeline, 5), run(timeline, 30)
    assert len(at5) == len(at30) == 1
    for prompt in at5 + at30:
        assert prompt.kind == "posture" and prompt.level == 0
        assert 10.0 < prompt.t <= 10.0 + 60.0
        assert prompt.problems == ("forward_head",)
        assert all(LIBRARY.get(sid).at_desk for sid in prompt.stretches)
        first = LIBRARY.get(prompt.stretches[0]).name.lower()
        assert prompt.text.startswith("Your head has drifted forward: try the ")
        assert first in prompt.text.lower()
    assert abs(at5[0].t - at30[0].t) <= 1 / 5
    assert at30[0].t == pytest.approx(10.0 + DEFAULTS.onset_s, abs=1 / 30)


def test_2_5_and_30_fps_with_irregular_intervals_make_the_same_decisions() -> None:
    settings = AlertSettings(break_after_s=10 * MIN, break_repeat_s=5 * MIN)
    timeline = [
        (60.0, GOOD),
        (240.0, slouched("forward_head")),  # prompt, then an ignored repeat
        (40.0, GOOD),  # re-arms
        (80.0, slouched("rounded_shoulders", "slouch", severity=0.5)),  # a fresh prompt
        (10.0, AWAY),  # a glance away: the session goes on
        (220.0, GOOD),  # the break reminder at 10 min
        (150.0, AWAY),  # a real break
        (700.0, slouched("lateral_lean", severity=0.8)),  # escalation, then a break reminder
    ]
    reference = run(timeline, 30, settings, jitter=0.5)
    assert [(p.kind, p.level) for p in reference] == [
        ("posture", 0), ("posture", 1), ("posture", 0), ("break", 0),
        ("posture", 0), ("posture", 1), ("posture", 2), ("posture", 2), ("posture", 2),
        ("break", 0), ("posture", 2),
    ]
    for fps, seed in [(2, 1), (5, 2), (30, 3)]:
        prompts = run(timeline, fps, settings, jitter=0.5, seed=seed)
        longest = 1.5 / fps  # the longest interval the jitter allows
        assert [(p.kind, p.level, p.problems, p.stretches, p.text) for p in prompts] == [
            (p.kind, p.level, p.problems, p.stretches, p.text) for p in reference
        ]
        assert all(abs(p.t - r.t) <= longest for p, r in zip(prompts, reference, strict=True))


def test_sitting_well_for_an_hour_gets_no_posture_prompt() -> None:
    # Good posture, with a brief lean (2 s slouched) every half minute.
    timeline = [(28.0, GOOD), (2.0, slouched("forward_head", severity=1.0))] * 120
    assert of_kind(run(timeline, 5), "posture") == []


def test_brief_slouches_never_build_up_to_a_prompt() -> None:
    # 20 s slouched, 10 s good: the score climbs to 100, but no spell lasts the onset delay.
    timeline = [(20.0, slouched("slouch", severity=1.0)), (10.0, GOOD)] * 40
    assert run(timeline, 5) == []


def test_nobody_in_view_gives_no_prompts() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    # A score held high (the user slouched, then left) and nobody in view for an hour.
    assert all(policy.update(i * 0.5, False, None, (), 100.0) is None for i in range(7200))
    # Slouching up to just before the onset, then gone: nothing either.
    assert run([(25.0, slouched("forward_head", severity=1.0)), (60 * MIN, AWAY)], 5) == []


def test_flapping_around_the_threshold_prompts_once_per_cooldown_and_only_escalates() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    # Slouched throughout, the score swinging across the threshold (40..60) every 4 s.
    samples = [(i / 5, "slouched", 40.0 + 20.0 * ((i // 20) % 2)) for i in range(5 * 600)]
    prompts = feed(policy, samples)
    times = [p.t for p in prompts]
    assert times[0] < 60.0
    assert all(b - a >= DEFAULTS.cooldown_s for a, b in zip(times, times[1:], strict=False))
    # Never re-armed (the score stays above 25): no fresh prompt, only firmer repeats.
    assert [p.level for p in prompts] == [0, 1, 2, 2, 2]


def test_flapping_posture_around_the_threshold_prompts_once() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    start = feed(policy, [(i / 5, "slouched", min(100.0, 3.0 * i / 5)) for i in range(5 * 35)])
    assert [p.level for p in start] == [0]
    # Then, for ten minutes, 5 s slouched and 5 s good while the score hovers around 50.
    samples = [(35.0 + i / 5, "slouched" if (i // 25) % 2 == 0 else "good",
                45.0 + 10.0 * ((i // 25) % 2 == 0)) for i in range(5 * 600)]
    assert feed(policy, samples) == []


def test_an_ignored_slouch_escalates_after_the_cooldown_up_to_the_cap() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    prompts = run([(620.0, slouched("forward_head"))], 5, policy=policy)
    assert [round(p.t) for p in prompts] == [30, 150, 270, 390, 510]
    assert [p.level for p in prompts] == [0, 1, 2, 2, 2]
    gentle, firmer, firmest = (p.text for p in prompts[:3])
    assert gentle.startswith("Your head has drifted forward: try ")
    assert firmer.startswith("Reminder, your head has drifted forward: please sit up tall")
    assert firmest.startswith("Please stop for a moment, your head has drifted forward: sit up")
    assert len({gentle, firmer, firmest}) == 3


def test_sitting_up_rearms_so_the_next_prompt_is_gentle_again() -> None:
    timeline = [(200.0, slouched("forward_head")), (30.0, GOOD), (100.0, slouched("slouch"))]
    prompts = run(timeline, 5)
    # Sitting up re-armed the alert; the third prompt waits for the cooldown (150 + 120).
    assert [(round(p.t), p.level) for p in prompts] == [(30, 0), (150, 1), (270, 0)]
    assert prompts[-1].problems == ("slouch",)


def test_snooze_suppresses_posture_prompts_then_expires() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    assert policy.snooze(5 * MIN, now=0.0) == 5 * MIN
    prompts = run([(400.0, slouched("forward_head"))], 5, policy=policy)
    assert [(p.t, p.level) for p in prompts] == [(pytest.approx(5 * MIN, abs=0.2), 0)]


def test_snooze_zero_cancels() -> None:
    policy = AlertPolicy(DEFAULTS, LIBRARY)
    policy.snooze(30 * MIN, now=0.0)
    policy.snooze(0, now=0.0)
    assert len(run([(60.0, slouched("forward_head"))], 5, policy=policy)) == 1


def test_break_reminder_after_50_minutes_of_presence_then_repeated() -> None:
    prompts = run([(65 * MIN, GOOD)], 2)
    assert [round(p.t) for p in prompts] == [50 * 60, 60 * 60]
    assert all(p.kind == "break" for p in prompts)
    first, repeat = prompts
    assert first.text == ("You've been at your desk for 50 minutes: time to stand up, move, and "
                          "try the kneeling stretch, which gives the whole upper back a long, "
                          "easy stretch on a break.")
    assert first.stretches[0] == "kneeling_stretch" and first.problems == () and first.level == 0
    assert "60 minutes now" in repeat.text and repeat.level == 1
    assert repeat.stretches[0] != first.stretches[0]


def test_three_minutes_away_counts_as_a_break() -> None:
    timeline = [(30 * MIN, GOOD), (3 * MIN, AWAY), (55 * MIN, GOOD)]
    prompts = run(timeline, 2)
    # The presence clock restarted on return at minute 33.
    assert [round(p.t) for p in prompts] == [(33 + 50) * 60]


def test_looking_away_for_ten_seconds_does_not_count_as_a_break() -> None:
    timeline = [(30 * MIN, GOOD), (10.0, AWAY), (25 * MIN, GOOD)]
    assert [round(p.t) for p in run(timeline, 2)] == [50 * 60]


def test_break_reminder_suggests_stretches_for_the_sessions_problems_away_from_the_desk() -> None:
    timeline = [(20.0, GOOD), (15.0, slouched("rounded_shoulders"))] * 100
    breaks = of_kind(run(timeline, 2), "break")
    assert breaks[0].problems == ("rounded_shoulders",)
    assert not LIBRARY.get(breaks[0].stretches[0]).at_desk  # the doorway or floor first


def test_suggested_stretches_rotate_between_prompts() -> None:
    prompts = run([(400.0, slouched("forward_head"))], 5)
    firsts = [p.stretches[0] for p in prompts]
    assert len(firsts) == 4 and len(set(firsts[:3])) == 3  # three desk stretches, in turn
    assert all(a.stretches != b.stretches for a, b in zip(prompts, prompts[1:], strict=False))
    assert all(LIBRARY.get(sid).name.lower() in p.text.lower()
               for p, sid in zip(prompts, firsts, strict=True))


def test_prompt_names_the_problems_seen_most_not_the_last_frames() -> None:
    timeline = [
        (18.0, slouched("forward_head", "rounded_shoulders")),
        (12.0, slouched("rounded_shoulders")),
        (5.0, slouched("lateral_lean")),  # the last frames show only this
    ]
    settings = AlertSettings(onset_s=34.0)
    (prompt,) = run(timeline, 5, settings)
    assert prompt.problems == ("rounded_shoulders", "forward_head")
    assert prompt.text.startswith(
        "Your shoulders have rounded forward and your head has drifted forward: try ")


def test_a_break_and_a_posture_prompt_are_not_spoken_back_to_back() -> None:
    settings = AlertSettings(break_after_s=40.0)  # due 10 s after the posture prompt
    prompts = run([(120.0, slouched("forward_head"))], 5, settings)
    assert [(p.kind, round(p.t)) for p in prompts][:2] == [("posture", 30), ("break", 60)]
    # The gap runs from the moment each prompt was due: frame times meet it within a frame.
    assert all(b.t - a.t >= settings.min_gap_s - 0.2
               for a, b in zip(prompts, prompts[1:], strict=False))


def test_every_problem_has_plain_words() -> None:
    # Every problem id has words, and nothing else does.
    assert set(PROBLEM_TEXT) == set(PROBLEMS)
    assert describe(["forward_head", "lateral_lean"]) == (
        "Your head has drifted forward and you are leaning to one side")


def test_prompt_to_json() -> None:
    (prompt,) = run([(60.0, slouched("head_drop"))], 5)
    assert prompt.to_json() == {
        "kind": "posture",
        "problems": ["head_drop"],
        "stretches": list(prompt.stretches),
        "text": prompt.text,
        "level": 0,
        "reasons": list(prompt.reasons),
    }


def test_the_prompt_names_the_problem_the_stretch_and_why_in_one_sentence() -> None:
    (prompt,) = run([(60.0, slouched("rounded_shoulders"))], 5)
    reason = prompt.reasons[0]
    assert prompt.text == ("Your shoulders have rounded forward: try the shoulder blade squeeze, "
                           f"which {reason[0].lower()}{reason[1:]}")
    assert prompt.text.count(".") == 1 and prompt.text.endswith(".")


def test_repeated_prompts_rotate_the_stretch_they_name() -> None:
    """The stretch spoken must take turns among those that fit at the desk, not be the first
    every time because the second was shown with it."""
    policy = AlertPolicy(AlertSettings(cooldown_s=60.0), load_library())
    named = [p.stretches[0] for p in run([(8 * MIN, slouched("rounded_shoulders"))], 5,
                                         policy=policy)]
    assert len(named) >= 4
    assert all(a != b for a, b in zip(named, named[1:], strict=False))
    assert set(named) == {"shoulder_blade_squeeze", "butterfly", "chest_opener"}


def test_settings_are_frozen_and_honoured() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.onset_s = 1.0  # type: ignore[misc]
    quick = AlertSettings(onset_s=10.0, score_threshold=20.0)
    (prompt,) = run([(60.0, slouched("forward_head", severity=1.0))], 5, quick)
    assert prompt.t == pytest.approx(10.0, abs=0.2)


def test_short_good_moments_inside_a_bad_spell_are_bridged() -> None:
    """A slouch broken by 1 s of sitting up every 10 s is one bad spell (gaps shorter than
    spell_gap_s are bridged) and is prompted at the onset; gaps longer than that start the
    spell over each time, and no spell lasts the onset."""
    bad = slouched("forward_head", severity=1.0)
    short = [(10.0, GOOD)] + [(9.0, bad), (DEFAULTS.spell_gap_s - 2.0, GOOD)] * 8
    prompts = of_kind(run(short, 5), "posture")
    assert prompts and prompts[0].t == pytest.approx(10.0 + DEFAULTS.onset_s, abs=0.5)
    long = [(10.0, GOOD)] + [(9.0, bad), (DEFAULTS.spell_gap_s + 1.0, GOOD)] * 8
    assert of_kind(run(long, 5), "posture") == []


def test_a_barely_detected_slouch_is_prompted_later_than_a_clear_one() -> None:
    """The score gate: a clear slouch passes the threshold within the onset and is prompted at
    the onset; a barely detected one (severity 0: the score rises 1 point a second) only once
    the score reaches the threshold, 50 s in."""
    clear = of_kind(run([(10.0, GOOD), (90.0, slouched("slouch", severity=1.0))], 5), "posture")
    barely = of_kind(run([(10.0, GOOD), (90.0, slouched("slouch", severity=0.0))], 5), "posture")
    assert clear[0].t == pytest.approx(10.0 + DEFAULTS.onset_s, abs=0.3)
    assert barely[0].t == pytest.approx(10.0 + DEFAULTS.score_threshold / RISE_BASE, abs=0.3)
