"""Stretch prompts end to end: a minute of slouching gets one spoken prompt and a stretch card."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from fixtures.make_fixtures import DEMO_TIMELINE, make_sample
from posture.app.cli import main
from posture.io.drawing import COLOR_BAD, COLOR_GOOD
from posture.io.settings import settings_path
from posture.io.speech import synthesize, wav_stats

# The README's no-webcam demo clip: upright 15 s, sink over 2 s, a minute of clear slouching,
# recover, upright 25 s.
RATE = 120  # words per minute in the settings file: slower than the engine's default 200
TIMELINE = DEMO_TIMELINE


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Calibrate on the first 10 s of a generated clip, then analyze it with every output on."""
    tmp = tmp_path_factory.mktemp("prompts")
    clip = make_sample(tmp / "clip.mp4", TIMELINE)
    home = tmp / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("POSTURE_HOME", str(home))
    settings_path().write_text(f"[voice]\nrate = {RATE}\n", encoding="utf-8")
    try:
        assert main(["calibrate", "--source", str(clip), "--seconds", "10",
                     "--profile", "me"]) == 0
        assert main(["analyze", str(clip), "--profile", "me", "--jsonl", str(tmp / "out.jsonl"),
                     "--speak-to", str(tmp / "wavs"), "--annotate", str(tmp / "out.mp4")]) == 0
    finally:
        mp.undo()
    records = [json.loads(line) for line in (tmp / "out.jsonl").read_text().splitlines()]
    return tmp, records


def test_one_prompt_during_the_slouch_none_while_upright(run):
    _, records = run
    prompts = [r for r in records if r["prompt"] is not None]
    assert len(prompts) == 1
    (p,) = prompts
    assert 17.0 < p["t"] < 17.0 + 60.0  # within a minute of the slouch's onset
    assert p["prompt"]["kind"] == "posture" and p["prompt"]["problems"]
    assert p["prompt"]["stretches"] and p["prompt"]["text"]
    assert all(r["prompt"] is None for r in records if r["t"] < 15.0 or r["t"] > 79.0)


def test_the_prompt_is_real_speech(run):
    tmp, records = run
    wavs = sorted((tmp / "wavs").glob("*.wav"))
    assert len(wavs) == 1
    text = next(r["prompt"]["text"] for r in records if r["prompt"])
    duration, rms, rate = wav_stats(wavs[0])
    assert rate > 8000 and rms > 0.02
    assert 0.035 * len(text) < duration < 0.12 * len(text)
    # Spoken at the settings file's voice.rate, not the engine's default.
    at = {r: wav_stats(synthesize(text, tmp / f"rate{r}.wav", rate=r))[0] for r in (RATE, 200)}
    assert abs(duration - at[RATE]) < abs(duration - at[200])


def test_annotated_video_has_every_frame_with_the_overlay(run):
    tmp, records = run
    cap = cv2.VideoCapture(str(tmp / "out.mp4"))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    # Every source frame: frames the adaptive sampling skipped (the last ones too) repeat the
    # previous drawing, so the video keeps the source's timing and length.
    source = cv2.VideoCapture(str(tmp / "clip.mp4"))
    assert len(frames) == int(source.get(cv2.CAP_PROP_FRAME_COUNT)) > records[-1]["frame"] + 1

    def border_near(image: np.ndarray, colour: tuple[int, int, int]) -> bool:
        edge = image[:, 1:3].reshape(-1, 3).astype(int)  # the status border, left edge
        return np.mean(np.abs(edge - np.array(colour)).sum(axis=1) < 90) > 0.5

    upright = next(r["frame"] for r in records if r["t"] >= 5.0)
    assert border_near(frames[upright], COLOR_GOOD)
    prompt = next(r["frame"] for r in records if r["prompt"])
    later = min(prompt + 10, len(frames) - 1)
    assert border_near(frames[later], COLOR_BAD)
    # The stretch card (bottom left) changes that corner of the picture after the prompt only.
    raw = [source.read()[1] for _ in range(len(frames))]

    def card_change(i: int) -> float:
        h, w = frames[i].shape[:2]
        box = (slice(int(0.78 * h), int(0.95 * h)), slice(int(0.05 * w), int(0.4 * w)))
        return float(np.abs(frames[i][box].astype(int) - raw[i][box].astype(int)).mean())

    assert card_change(later) > 25
    assert card_change(prompt - 5) < 10
