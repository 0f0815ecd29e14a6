"""The posture problems the monitor names: ids (a contract with every output), and the words
for them on screen and in speech, kept in one place."""

from __future__ import annotations

PROBLEMS = ("forward_head", "head_drop", "rounded_shoulders", "slouch", "shoulder_elevation",
            "lateral_lean")

# Short labels for the overlay.
LABELS = {
    "forward_head": "Head forward",
    "head_drop": "Head dropped",
    "rounded_shoulders": "Shoulders rounded",
    "slouch": "Slouching",
    "shoulder_elevation": "Shoulders raised",
    "lateral_lean": "Leaning sideways",
}

# Each problem in plain words, as the start of a spoken sentence.
SENTENCES = {
    "forward_head": "Your head has drifted forward",
    "head_drop": "Your head has dropped towards your chest",
    "rounded_shoulders": "Your shoulders have rounded forward",
    "slouch": "Your upper back has slumped",
    "shoulder_elevation": "Your shoulders have crept up towards your ears",
    "lateral_lean": "You are leaning to one side",
}
