"""The guided stretch's session: holds and reps counted over synthetic timelines, what it
says, and when it times the holds because the camera cannot judge."""

from __future__ import annotations

import json
import re

import pytest

from posture.core.calibration import build_profile, record
from posture.core.checks.reference import MAX_RELAXED_ROLL, REFERENCE_S, Reference
from posture.core.guide.counting import phases
from posture.core.guide.session import AWAY, AWAY_S, UNJUDGED_S, Session
from posture.core.pose import LM
from posture.core.profile import Baseline, Profile
from tests.conftest import FEEDBACK
from tests.poses import (
    BUTTERFLY,
    ELBOWS,
    ELBOWS_OPEN,
    FAR,
    FPS,
    GOAL_POST,
    HANDS_ON_HEAD,
    LEAN_LEFT,
    LEAN_RIGHT,
    LIBRARY,
    NEAR,
    NOD,
    ONE_ARM,
    REACH,
    SHRUG,
    SQUEEZE,
    TILT_LEFT,
    TILT_RIGHT,
    TRICEPS,
    TWIST_LEFT,
    TWIST_RIGHT,
    run,
    swap,
    timeline,
)
from tests.synthetic import Arm, Camera, Noise, Posture


def test_overhead_reach_counts_three_verified_holds_then_ends():
    rest, reach = (2.0, Posture()), (21.0, REACH)
    frames = run("overhead_reach", timeline(rest, reach, rest, reach, rest, reach, rest, reach,
                                            camera=FAR, noise=1.5))
    last = frames[-1]
    assert last.reps_done == 3 == last.reps_target
    assert last.t < 2 + 21 + 2 + 21 + 2 + 21  # it stops after the third rep
    assert [f.say for f in frames if f.reps_done == 1][0] == ("one, release",)
    held = [f for f in frames if 3.0 <= f.t < 22.0]
    assert all(f.in_position for f in held)  # noise does not break the hold
    assert max(f.hold_s for f in frames if f.reps_done == 0) >= 19.7
    assert frames[0].say[0] == LIBRARY.get("overhead_reach").script
    said = [s for f in frames if f.reps_done == 0 for s in f.say]
    assert said.count("hold") == 1 and "hold, 10 seconds left" in said
    assert said.index("hold, 10 seconds left") < said.index("hold, 5 seconds left")
    assert "That's all 3. Well done." in last.say


@pytest.mark.parametrize("posture", [TRICEPS, HANDS_ON_HEAD, ONE_ARM, GOAL_POST])
def test_holding_a_wrong_position_counts_nothing(posture):
    frames = run("overhead_reach", timeline((2.0, Posture()), (25.0, posture), camera=FAR))
    assert frames[-1].reps_done == 0
    assert not any(f.in_position for f in frames)
    assert all(f.hold_s == 0 for f in frames)


def test_a_short_break_pauses_the_hold_and_a_long_one_starts_it_over():
    reach = (12.0, REACH)
    paused = run("overhead_reach", timeline(reach, (2.0, Posture()), reach, camera=FAR))
    assert paused[-1].reps_done == 1
    during = [f.hold_s for f in paused if 12.6 <= f.t < 14.0]
    assert during and max(during) == min(during) > 10  # frozen, not reset
    assert any("back into position" in f.say for f in paused)
    restarted = run("overhead_reach", timeline(reach, (5.0, Posture()), reach, camera=FAR))
    assert restarted[-1].reps_done == 0


def test_single_frames_without_a_person_do_not_break_a_hold():
    poses = timeline((25.0, REACH), camera=FAR)
    poses = [(t, None if i % 7 == 3 else p) for i, (t, p) in enumerate(poses)]
    frames = run("overhead_reach", poses)
    assert any(f.in_position is None for f in frames)  # reported as nobody in view...
    assert next(f.t for f in frames if f.reps_done == 1) < 20.6  # ...yet the hold went on


def test_shrugs_are_counted_against_the_relaxed_start_then_the_rolls():
    shrugs = [(4.0, SHRUG), (2.0, Posture())] * 10
    rolls = [(1.0, SHRUG), (1.0, Posture())] * 20
    frames = run("shrugs_and_rolls", timeline((2.0, Posture()), *shrugs, *rolls))
    assert [f.in_position for f in frames[:20]] == [False] * 20  # judged from the first frame
    assert frames[-1].reps_done == frames[-1].reps_target == 30
    first_roll = next(f for f in frames if f.reps_done == 11)
    assert first_roll.step == 3 and first_roll.say == ("one",)  # a roll needs no hold
    assert next(f for f in frames if f.reps_done == 21).step == 4
    assert [p.hold_s for p in phases(LIBRARY.get("shrugs_and_rolls"))] == [3.0, None, None]


def test_nodding_is_not_shrugging():
    nods = [(4.0, NOD), (2.0, Posture())] * 4
    frames = run("shrugs_and_rolls", timeline((2.0, Posture()), *nods))
    assert frames[-1].reps_done == 0 and not any(f.in_position for f in frames)


def test_a_recording_that_starts_mid_shrug_recovers_its_relaxed_level():
    """Started with the shoulders up: the first relaxed moment sets the level, and every shrug
    after it counts (the one it started in cannot be told from relaxed)."""
    frames = run("shrugs_and_rolls", timeline((3.0, SHRUG), *[(2.0, Posture()), (4.0, SHRUG)] * 3,
                                              noise=Noise()))
    assert frames[-1].reps_done == 3
    moving = run("shrugs_and_rolls", timeline(*[(0.4, SHRUG), (0.4, Posture())] * 3,
                                              *[(2.0, Posture()), (4.0, SHRUG)] * 2))
    assert moving[-1].reps_done == 2  # the first seconds' quick shrugs are too short to hold


def test_a_neck_side_bend_started_in_position_counts_from_the_first_hold():
    """No first-seconds reference: a user already tilted when the camera starts is in position,
    and the sides alternate from there."""
    frames = run("upper_trapezius_stretch", timeline(
        (21.0, TILT_LEFT), (1.0, Posture()), (21.0, TILT_RIGHT), noise=Noise()))
    assert frames[0].in_position is False and frames[5].in_position is True
    assert frames[-1].reps_done == 2


def test_profile_gives_the_relaxed_head_roll_within_limits():
    """A calibrated head that rests a little tilted makes both sides' bends equal; a profile
    holding a large tilt is not trusted beyond MAX_RELAXED_ROLL."""
    tilted = Profile(view="front", baseline={"head_roll": Baseline(4.0, 1.0)})
    assert Reference.from_profile(tilted).head_roll == 4.0
    far = Profile(view="front", baseline={"head_roll": Baseline(-12.0, 1.0)})
    assert Reference.from_profile(far).head_roll == -MAX_RELAXED_ROLL
    assert Reference.from_profile(None).head_roll == 0.0
    assert Reference.from_profile(Profile.defaults()).head_roll == 0.0  # not calibrated
    half = Posture(head_roll=11.0)  # 11 degrees: past 12 only against a head resting at -4
    assert run("upper_trapezius_stretch", timeline((3.0, half)))[-1].hold_s == 0.0
    rests_left = Profile(view="front", baseline={"head_roll": Baseline(-4.0, 1.0)})
    assert run("upper_trapezius_stretch", timeline((3.0, half)), rests_left)[-1].hold_s > 2.0


def test_a_calibrated_camera_off_to_one_side_sees_both_sides_bend():
    """A camera 20 degrees to one side turns every face looking at the screen: the profile's
    relaxed face turn is the reference, so a bend toward either side is a bend, and a head turn
    still is not."""
    aside = Camera(yaw=20)
    profile = build_profile(record(timeline((5.0, Posture()), camera=aside, noise=Noise())),
                            feedback=FEEDBACK)
    assert Reference.from_profile(profile).face_turn == pytest.approx(-0.32, abs=0.05)
    bends = timeline((1.0, Posture()), (21.0, TILT_LEFT), (1.0, Posture()), (21.0, TILT_RIGHT),
                     camera=aside, noise=Noise())
    assert run("upper_trapezius_stretch", bends, profile)[-1].reps_done == 2
    turns = timeline((1.0, Posture()), (21.0, Posture(head_yaw=40)), camera=aside)
    assert run("upper_trapezius_stretch", turns, profile)[-1].reps_done == 0


def test_trunk_rotation_counts_each_turn_and_wants_the_sides_to_alternate():
    turn = [(1.5, TWIST_RIGHT), (1.0, Posture()), (1.5, TWIST_LEFT), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 10))
    assert frames[-1].reps_done == frames[-1].reps_target == 20
    said = [s for f in frames for s in f.say]
    assert said.index("right, one") < said.index("left, one") < said.index("right, two")
    same = run("trunk_rotation", timeline((2.0, Posture()), *[(1.5, TWIST_RIGHT),
                                                              (1.0, Posture())] * 4))
    assert same[-1].reps_done == 1
    assert any("now the other side" in f.say for f in same)


def test_trunk_rotation_far_enough_to_swap_labels_still_alternates():
    turn = [(1.5, Posture(trunk_rotation=-60)), (1.0, Posture()),
            (1.5, Posture(trunk_rotation=60)), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 3, edit=swap))
    said = [s for f in frames for s in f.say]
    assert frames[-1].reps_done == 6
    assert said.index("right, one") < said.index("left, one") < said.index("right, two")


def test_neck_side_bend_holds_each_side_in_turn():
    hold = 21.0
    frames = run("upper_trapezius_stretch", timeline(
        (1.0, Posture()), (hold, TILT_LEFT), (1.0, Posture()), (hold, TILT_LEFT),
        (1.0, Posture()), (hold, TILT_RIGHT)))
    said = [s for f in frames for s in f.say]
    assert frames[-1].reps_done == 2  # the second left hold is not a rep
    assert "left, one, release" in said and "right, one, release" in said
    assert "now the other side" in said


def test_butterfly_reps_need_the_elbows_together():
    reps = [(2.5, BUTTERFLY), (1.5, ELBOWS_OPEN)] * 10
    frames = run("butterfly", timeline((1.0, ELBOWS_OPEN), *reps, noise=1.0))
    assert frames[-1].reps_done == 10
    apart = Posture(left_arm=Arm.hands_on_shoulders(), right_arm=Arm.hands_on_shoulders())
    assert run("butterfly", timeline(*[(2.5, apart), (1.5, ELBOWS_OPEN)] * 5))[-1].reps_done == 0


def test_side_bend_and_squeeze_count_their_holds():
    bend = run("side_bend", timeline((1.0, Posture()), (16.0, LEAN_LEFT), (1.0, Posture()),
                                     (16.0, LEAN_RIGHT)))
    assert bend[-1].reps_done == 2
    squeeze = run("shoulder_blade_squeeze", timeline(
        (2.0, Posture()), *[(5.5, SQUEEZE), (1.5, Posture())] * 3, camera=ELBOWS))
    assert squeeze[-1].reps_done == 3


def test_a_stretch_the_camera_cannot_check_is_timed():
    frames = run("chin_tuck", timeline((30.0, Posture())))
    assert all(f.in_position is None for f in frames)
    counted = [f.t for f in frames if f.say and f.say[-1].endswith("release")]
    assert counted[:2] == pytest.approx([10.0, 20.0], abs=0.15)  # ready 5 s, hold 5, rest 5
    assert frames[-1].reps_done == 2


def test_a_checked_per_side_rep_does_not_add_other_side_to_its_count():
    turn = [(1.5, TWIST_RIGHT), (1.0, Posture()), (1.5, TWIST_LEFT), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 2))
    counted = [f.say for f in frames if f.say and f.say[0].startswith(("right,", "left,"))]
    assert counted and all(say == say[:1] for say in counted)


def test_timed_stretches_wait_while_nobody_is_in_view():
    frames = run("chin_tuck", timeline((12.0, Posture())) + [
        (12.0 + k / FPS, None) for k in range(200)])
    assert frames[-1].reps_done == 1  # the second hold waits for the user to come back
    said = [s for f in frames for s in f.say]
    assert said.count(AWAY) == 1
    assert next(f.t for f in frames if AWAY in f.say) == pytest.approx(12.0 + AWAY_S, abs=0.15)


def test_a_checkable_stretch_says_when_nobody_is_in_view():
    frames = run("overhead_reach", timeline((3.0, Posture()), camera=FAR) + [
        (3.0 + k / FPS, None) for k in range(60)])
    said = [s for f in frames for s in f.say]
    assert said.count(AWAY) == 1
    assert all(f.verified for f in frames)  # nobody in view: the count waits, it is not timed


def test_squeeze_with_the_elbows_out_of_the_frame_is_timed_and_says_why():
    """Laptop framing hides the elbows: the check cannot judge, so after a few seconds the
    guide asks the user to move back, once, and times the holds, reported as unverified."""
    frames = run("shoulder_blade_squeeze", timeline((2.0, Posture()), *[
        (5.5, SQUEEZE), (1.5, Posture())] * 8, camera=NEAR))
    said = [s for f in frames for s in f.say]
    hints = [s for s in said if "so I can see your elbows" in s]
    assert len(hints) == 1
    hinted = next(f for f in frames if hints[0] in f.say)
    assert hinted.t == pytest.approx(REFERENCE_S + UNJUDGED_S, abs=0.2)
    assert not any(f.in_position for f in frames)
    assert not frames[-1].verified and frames[-1].to_json()["verified"] is False
    assert frames[-1].reps_done >= 3  # timed holds: ready 5 s, hold 5 s, rest 5 s
    session = Session(LIBRARY.get("shoulder_blade_squeeze"))
    for t, pose in timeline((30.0, Posture()), camera=NEAR):
        session.step(t, pose)
    assert "timed (unverified" in session.summary()


def test_the_count_is_verified_again_once_the_camera_sees_the_arms():
    """Reaching up too close to the camera puts the elbows above the frame: timed holds, until
    the user moves back into view."""
    close = Camera(distance=0.45, height=0.0)
    near = timeline((2.0, Posture()), (8.0, REACH), camera=close)
    back = [(10.0 + t, p) for t, p in timeline((25.0, REACH), camera=FAR)]
    frames = run("overhead_reach", near + back)
    assert not frames[len(near) - 1].verified
    assert any("Move back so I can see your arms" in s for f in frames for s in f.say)
    assert frames[-1].verified
    assert any("counting from your position again" in s for f in frames for s in f.say)
    assert frames[-1].reps_done >= 1


def test_a_reach_with_an_arm_the_model_cannot_see_is_timed_not_refused():
    """An elbow the model is unsure of cannot be judged: the guide says so and times the
    holds, rather than telling the user the reach is wrong."""
    def hide_elbow(pose):
        pose.visibility[LM.LEFT_ELBOW] = 0.3
        return pose

    frames = run("overhead_reach", timeline((2.0, Posture()), (28.0, REACH), camera=FAR,
                                            edit=hide_elbow))
    assert all(f.in_position is None for f in frames if f.t >= 2.5)
    assert any("Move back so I can see your arms" in s for f in frames for s in f.say)
    assert not frames[-1].verified


def test_a_mirrored_camera_swaps_the_sides_it_names():
    poses = timeline((2.0, Posture()), (1.5, TWIST_LEFT))
    plain, mirrored = Session(LIBRARY.get("trunk_rotation")), Session(
        LIBRARY.get("trunk_rotation"), mirrored=True)
    sides = {(plain.step(t, p).side, mirrored.step(t, p).side) for t, p in poses}
    assert ("left", "right") in sides


def test_records_have_the_contract_fields_and_a_summary():
    session = Session(LIBRARY.get("overhead_reach"))
    records = [session.step(t, p).to_json() for t, p in timeline((2.0, Posture()), (21.0, REACH),
                                                                 camera=FAR)]
    for key in ("t", "frame", "stretch", "step", "in_position", "hold_s", "reps_done"):
        assert key in records[-1]
    assert json.loads(json.dumps(records[-1]))["stretch"] == "overhead_reach"
    assert records[-1]["reps_done"] == 1
    summary = session.summary()
    assert "1 of 3 reps counted from verified holds" in summary
    held = float(re.search(r"in position ([0-9.]+) s", summary).group(1))
    assert 20.0 <= held <= 21.0
