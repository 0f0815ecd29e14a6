"""The stretch library file: the packaged data matches the guide, and validation names the
stretch, the field and what is wrong."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

import pytest

from posture.core.errors import UserError
from posture.io.library import load_library

# id -> (hold_s, reps, per_side) exactly as the guide gives them (hold None for movements).
GUIDE = {
    "overhead_reach": ((20, 30), (3, 3), False),
    "shoulder_blade_squeeze": ((5, 5), (10, 10), False),
    "butterfly": ((2, 3), (10, 15), False),
    "trunk_rotation": (None, (10, 10), True),
    "kneeling_stretch": ((20, 30), (3, 3), False),
    "reaching_upper_back": ((20, None), (3, 3), False),  # "at least 20 s"
    "shrugs_and_rolls": ((3, 5), (10, 10), False),
    "towel_stretch": ((30, 60), (3, 3), False),
    "pectoralis_stretch": ((15, 30), (3, 3), False),
}


CHECKABLE = {
    "overhead_reach",
    "shrugs_and_rolls",
    "butterfly",
    "trunk_rotation",
    "upper_trapezius_stretch",
    "shoulder_blade_squeeze",
}


@pytest.fixture()
def raw() -> dict:
    """A fresh, editable copy of the packaged document, as plain JSON."""
    return json.loads((resources.files("posture") / "data" / "stretches.json").read_text("utf-8"))


def write(tmp_path: Path, doc: object) -> Path:
    """Write a (possibly broken) library document for load_library to read."""
    path = tmp_path / "stretches.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def entry(doc: dict, stretch_id: str) -> dict:
    """The raw entry with this id, to break in place."""
    return next(s for s in doc["stretches"] if s["id"] == stretch_id)


def test_every_guide_stretch_with_the_guides_dose(library):
    for sid, (hold, reps, per_side) in GUIDE.items():
        stretch = library.get(sid)
        assert (stretch.hold_s, stretch.reps, stretch.per_side) == (hold, reps, per_side), sid
        assert stretch.source == "guide"
    added = {s.id for s in library.stretches.values() if s.source == "added"}
    assert {"chin_tuck", "upper_trapezius_stretch"} <= added
    assert set(GUIDE) | added == set(library.stretches)


def test_places_equipment_and_checkable(library):
    assert library.get("towel_stretch").equipment and "floor" in library.get("towel_stretch").places
    assert library.get("kneeling_stretch").places == ("floor",)
    assert library.get("pectoralis_stretch").places == ("doorway",)
    assert library.get("overhead_reach").variant  # the lean-to-each-side variant
    assert {s.id for s in library.stretches.values() if s.checkable} - {"side_bend"} == CHECKABLE
    for stretch in library.stretches.values():
        assert stretch.steps and stretch.script and stretch.targets, stretch.id


def test_counted_hold_and_reps_have_one_source(library):
    reach = library.get("overhead_reach")
    assert (reach.hold_target, reach.reps_target) == (20, 3)
    assert library.get("trunk_rotation").hold_target is None


def test_safety_says_not_medical_advice_and_when_to_see_a_doctor(library):
    text = library.safety.lower()
    for phrase in ("not medical advice", "accident", "tingling", "fever", "walking", "headache"):
        assert phrase in text
    assert "doctor" in text


def test_library_round_trips_through_json(tmp_path, library):
    assert load_library(write(tmp_path, library.to_dict())) == library


def test_checkable_without_a_position_check_is_refused(tmp_path, raw):
    entry(raw, "chin_tuck")["checkable"] = True
    with pytest.raises(UserError) as err:
        load_library(write(tmp_path, raw))
    assert "'chin_tuck'" in str(err.value) and "'checkable'" in str(err.value)
    assert "no position check" in str(err.value)


@pytest.mark.parametrize(("value", "words"), [
    ([{"step": 1, "reps": 10, "name": "rolls"}], "above 1"),
    ([{"step": 9, "reps": 10, "name": "rolls"}], "past the last step"),
    ([{"step": 4, "reps": 0, "name": "rolls"}], "reps >= 1"),
    ("rolls", "list of"),
])
def test_bad_movements_are_refused(tmp_path, raw, value, words):
    entry(raw, "shrugs_and_rolls")["movements"] = value
    with pytest.raises(UserError) as err:
        load_library(write(tmp_path, raw))
    assert "'movements'" in str(err.value) and words in str(err.value)


@pytest.mark.parametrize(
    ("stretch_id", "field", "value", "words"),
    [
        ("butterfly", "reps", [15, 10], "min 15 is greater than max 10"),
        ("towel_stretch", "hold_s", [60, 30], "greater than max"),
        ("chin_tuck", "places", ["seat", "sofa"], "unknown value 'sofa'"),
        ("side_bend", "targets", ["posture"], "unknown value 'posture'"),
        ("trunk_rotation", "per_side", "yes", "true or false"),
        ("overhead_reach", "reps", [3], "[min, max]"),
        ("shrugs_and_rolls", "steps", "Shrug.", "list of strings"),
        ("chin_tuck", "source", "blog", "must be one of"),
    ],
)
def test_bad_field_names_stretch_and_field(tmp_path, raw, stretch_id, field, value, words):
    entry(raw, stretch_id)[field] = value
    with pytest.raises(UserError) as err:
        load_library(write(tmp_path, raw))
    message = str(err.value)
    assert f"'{stretch_id}'" in message and f"'{field}'" in message and words in message
    assert "\n" not in message


def test_missing_field(tmp_path, raw):
    del entry(raw, "butterfly")["checkable"]
    with pytest.raises(UserError, match=r"'butterfly', field 'checkable': missing"):
        load_library(write(tmp_path, raw))


def test_unknown_field(tmp_path, raw):
    entry(raw, "butterfly")["hold"] = [2, 3]
    with pytest.raises(UserError, match=r"'butterfly', field 'hold': unknown field"):
        load_library(write(tmp_path, raw))


def test_duplicate_id(tmp_path, raw):
    raw["stretches"].append(copy.deepcopy(entry(raw, "chin_tuck")))
    with pytest.raises(UserError, match=r"'chin_tuck', field 'id': duplicate id"):
        load_library(write(tmp_path, raw))


def test_reason_naming_an_unknown_stretch(tmp_path, raw):
    raw["reasons"]["slouch"].append({"stretch": "cobra", "reason": "Arches the back."})
    with pytest.raises(UserError, match=r"'reasons.slouch': unknown stretch 'cobra'"):
        load_library(write(tmp_path, raw))


def test_reason_for_an_unknown_problem(tmp_path, raw):
    raw["reasons"]["text_neck"] = raw["reasons"].pop("forward_head")
    with pytest.raises(UserError, match=r"'reasons.text_neck': unknown problem"):
        load_library(write(tmp_path, raw))


def test_targets_and_reasons_must_agree(tmp_path, raw):
    entry(raw, "butterfly")["targets"].append("lateral_lean")
    with pytest.raises(UserError, match=r"'butterfly', field 'targets': 'lateral_lean' has no"):
        load_library(write(tmp_path, raw))


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(UserError, match="cannot read the stretch library"):
        load_library(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        load_library(bad)
