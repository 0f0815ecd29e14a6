"""Choosing stretches: suggestions fit the place and rotate; doses in words."""

from __future__ import annotations

import pytest

from posture.core.errors import UserError
from posture.core.problems import PROBLEMS
from posture.core.stretches import dose, suggest


def test_doses_say_what_the_guide_says(library):
    assert dose(library.get("shrugs_and_rolls")) == (
        "hold 3-5 s, 10 times; then 10 rolls forward, 10 rolls backward")
    assert dose(library.get("reaching_upper_back")) == "hold at least 20 s, 3 times"
    assert dose(library.get("trunk_rotation")) == "10 times each side"


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_problem_has_two_desk_suggestions(library, problem):
    picks = suggest([problem], library)
    assert len(picks) == 2
    assert len({p.stretch.id for p in picks}) == 2
    for pick in picks:
        assert pick.problem == problem and pick.reason and pick.stretch.at_desk


def test_never_floor_or_doorway_at_the_desk(library):
    picks = suggest(list(PROBLEMS), library, limit=len(library.stretches))
    places = {place for p in picks for place in p.stretch.places}
    assert places <= {"seat", "standing"}
    assert not {"kneeling_stretch", "towel_stretch", "pectoralis_stretch"} & {
        p.stretch.id for p in picks
    }


def test_rounded_shoulders_doorway_stretch_waits_for_a_break(library):
    """The doorway pectoralis stretch means leaving the desk: the shoulder blade squeeze and the
    butterfly (the issue's mapping) stand in for it at the desk, and it comes first on a break."""
    desk = [p.stretch.id for p in suggest(["rounded_shoulders"], library)]
    assert desk == ["shoulder_blade_squeeze", "butterfly"]
    on_break = [p.stretch.id for p in suggest(["rounded_shoulders"], library, at_desk=False)]
    assert on_break == ["pectoralis_stretch", "towel_stretch"]


def test_breaks_offer_floor_stretches_for_slouch(library):
    picks = suggest(["slouch"], library, at_desk=False)
    assert [p.stretch.id for p in picks] == ["kneeling_stretch", "towel_stretch"]


def test_ordered_by_problem_taking_turns(library):
    picks = suggest(["shoulder_elevation", "forward_head"], library, limit=3)
    assert [(p.problem, p.stretch.id) for p in picks] == [
        ("shoulder_elevation", "shrugs_and_rolls"),
        ("forward_head", "chin_tuck"),
        ("shoulder_elevation", "upper_trapezius_stretch"),
    ]


def test_a_stretch_serving_two_problems_is_suggested_once(library):
    picks = suggest(["head_drop", "forward_head"], library, limit=4)
    ids = [p.stretch.id for p in picks]
    assert len(ids) == len(set(ids))
    assert ids[:2] == ["chin_tuck", "upper_trapezius_stretch"]


def test_recent_stretch_is_not_repeated_back_to_back(library):
    first = suggest(["forward_head"], library, limit=1)[0].stretch.id
    second = suggest(["forward_head"], library, recent=[first], limit=1)[0].stretch.id
    third = suggest(["forward_head"], library, recent=[first, second], limit=1)[0].stretch.id
    assert len({first, second, third}) == 3
    # Everything recent: the least recently done comes round again.
    everything = [third, first, second]
    assert suggest(["forward_head"], library, recent=everything, limit=1)[0].stretch.id == third


def test_recent_is_repeated_only_when_nothing_else_fits(library):
    picks = suggest(["shoulder_elevation"], library, recent=["upper_trapezius_stretch"], limit=2)
    assert [p.stretch.id for p in picks] == ["shrugs_and_rolls", "upper_trapezius_stretch"]


def test_suggest_is_deterministic_and_rejects_unknown_problems(library):
    args = (["slouch", "lateral_lean"], library)
    assert suggest(*args, recent=["overhead_reach"]) == suggest(*args, recent=["overhead_reach"])
    assert suggest(["slouch"], library, limit=0) == []
    with pytest.raises(UserError, match="unknown problem 'neck'"):
        suggest(["neck"], library)


def test_unknown_id_lists_the_valid_ones(library):
    with pytest.raises(UserError, match=r"unknown stretch 'yoga'; valid ids: overhead_reach, "):
        library.get("yoga")
