"""`posture stretch`: the announcer's order and drops, the command over files, its voice,
its history record and its JSON Lines."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import cv2
import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.commands.stretch import voice_for
from posture.app.guided import Announcer
from posture.core.guide.counting import Cue
from posture.io.history import default_path
from posture.io.settings import Settings, settings_path
from posture.io.sources import open_source
from posture.io.speech import wav_stats
from tests.conftest import DATA, SAMPLE, needs_data
from tests.io.test_sources import bad_inputs


class FakeVoice:
    """A Voice stand-in that records what it is given and is busy until told otherwise."""

    def __init__(self, keeps_all: bool = False) -> None:
        self.keeps_all = keeps_all
        self.said: list[str] = []
        self.idle = True
        self.cancelled = 0
        self.closed = False

    def flush(self, timeout: float) -> bool:
        return self.idle

    def say(self, text: str) -> None:
        self.said.append(text)
        self.idle = False

    def cancel(self) -> None:
        self.cancelled += 1

    def close(self, timeout: float) -> None:
        self.closed = True


def test_the_announcer_drops_counts_a_newer_count_supersedes():
    voice, now = FakeVoice(), [0.0]
    announcer = Announcer(voice, print, max_age=10.0, clock=lambda: now[0])
    announcer.add([Cue("script"), Cue("Step one.")])
    assert voice.said == ["script"]
    for n in ("one, release", "two, release", "three, release"):
        announcer.add([Cue(n, count=True)])
    voice.idle = True
    announcer.pump()
    voice.idle = True
    announcer.pump()
    voice.idle = True
    announcer.pump()  # nothing else waits: the earlier counts were dropped
    assert voice.said == ["script", "Step one.", "three, release"]


def test_the_announcer_drops_lines_that_waited_too_long_and_says_nothing_after_quit():
    voice, now = FakeVoice(), [0.0]
    announcer = Announcer(voice, print, max_age=5.0, clock=lambda: now[0])
    announcer.add([Cue("a long script"), Cue("Step one.")])
    now[0] = 6.0
    announcer.add([Cue("hold")])
    voice.idle = True
    announcer.pump()
    assert voice.said == ["a long script", "hold"]  # the step waited 6 s: dropped
    announcer.add([Cue("one", count=True), Cue("Step two.")])
    announcer.close(1.0)
    assert voice.said == ["a long script", "hold"] and voice.cancelled and voice.closed


def test_the_announcer_writing_files_keeps_every_line_in_order():
    voice = FakeVoice(keeps_all=True)
    announcer = Announcer(voice, print, clock=lambda: 0.0)
    cues = [Cue("one", count=True), Cue("two", count=True), Cue("Step.")]
    announcer.add(cues)
    announcer.close(1.0)
    assert voice.said == ["one", "two", "Step."] and not voice.cancelled


def stretch_cli(capsys, *args) -> tuple[int, list[dict], str]:
    code = main(["stretch", *args, "--jsonl", "-"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_cli_sitting_still_is_never_an_overhead_reach(capsys):
    """Figures with a margin, never one frame at an edge: an elbow the model places past the
    frame's side, below its shoulder, is an arm not raised (False), and no frame is ever in
    position."""
    code, records, err = stretch_cli(capsys, "overhead_reach", "--source", str(SAMPLE), "--mute")
    assert code == 0 and len(records) == 150
    assert not any(r["in_position"] is True for r in records)
    assert sum(r["in_position"] is not None for r in records) >= 0.95 * len(records)
    assert records[-1]["reps_done"] == 0 and records[-1]["stretch"] == "overhead_reach"
    assert [r["frame"] for r in records[:3]] == [0, 1, 2]
    assert "Reach both arms overhead." in err  # muted: the prompts are printed
    assert "0 of 3 reps counted" in err


def test_cli_a_prescription_of_ones_own_is_counted(capsys):
    """--hold and --reps replace the guide's dose: a timed stretch counts 4 holds of 2 s (ready
    5 s, hold 2 s, rest 5 s: done within the 30 s clip) and says so."""
    code, records, err = stretch_cli(capsys, "chin_tuck", "--source", str(SAMPLE), "--mute",
                                     "--hold", "2", "--reps", "4")
    assert code == 0
    assert records[-1]["reps_done"] == records[-1]["reps_target"] == 4
    done = next(r for r in records if r["reps_done"] == 4)
    assert done["t"] == pytest.approx(5 + 4 * 2 + 3 * 5, abs=0.3)
    assert "hold 2 s, 4 times" in err and "4 of 4 reps counted" in err


@pytest.mark.parametrize(("flags", "flag", "words"), [
    (["--hold", "0"], "--hold", "above 0"), (["--hold", "-5"], "--hold", "above 0"),
    (["--hold", "nan"], "--hold", "finite"), (["--hold", "inf"], "--hold", "finite"),
    (["--hold", "601"], "--hold", "at most 600"), (["--reps", "0"], "--reps", "1 to 50"),
    (["--reps", "51"], "--reps", "1 to 50"), (["--reps", "2.5"], "--reps", "whole number"),
    (["--hold", "5"], "--hold", "drop --hold"),  # trunk rotation is counted in movements
])
def test_cli_an_absurd_prescription_is_one_line_naming_the_flag(capsys, flags, flag, words):
    stretch = "trunk_rotation" if words == "drop --hold" else "overhead_reach"
    try:
        code = main(["stretch", stretch, "--source", str(SAMPLE), *flags])
    except SystemExit as exit_:  # the parser's refusal
        code = exit_.code
    assert code == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and flag in lines[0] and words in lines[0], lines


@needs_data
def test_cli_counts_real_palms_together_reaches_under_a_fitting_prescription(capsys):
    """Seven real overhead reaches, palms together, elbows a little bent, hands leaving the top
    of the frame, held about a second each: `--hold 0.5 --reps 7` counts all seven from the
    camera's check, and the arms down in between are never in position."""
    clip = DATA / "sagorghhj253_sagor_rehabilitation_project_BME410" / "shoulder_flexion.mp4"
    code, records, err = stretch_cli(capsys, "overhead_reach", "--source", str(clip), "--mute",
                                     "--hold", "0.5", "--reps", "7")
    assert code == 0
    assert records[-1]["reps_done"] == records[-1]["reps_target"] == 7
    assert all(r["verified"] for r in records)
    down = [r for r in records if 1.6 <= r["t"] < 1.9 or 4.0 <= r["t"] < 4.3]
    assert down and not any(r["in_position"] for r in down)  # arms down between reps
    assert "7 of 7 reps counted from verified holds" in err


def test_cli_a_stretch_the_camera_cannot_see_is_timed(capsys):
    code, records, err = stretch_cli(capsys, "chin_tuck", "--source", str(SAMPLE), "--mute")
    assert code == 0
    assert all(r["in_position"] is None for r in records)
    assert records[-1]["reps_done"] == 2
    assert "timed only" in err


def test_cli_unknown_stretch_is_one_line_naming_the_valid_ones(capsys):
    assert main(["stretch", "toe_touch", "--source", str(SAMPLE)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "toe_touch" in err[0] and "overhead_reach" in err[0]


def test_cli_bad_sources_are_one_line_without_the_stretch_header(tmp_path, capsys):
    for source, words in bad_inputs(tmp_path).items():
        assert main(["stretch", "side_bend", "--source", source, "--mute"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err


def test_cli_a_finished_stretch_is_in_the_day_report(tmp_path, capsys):
    # 70 s of sitting still: the timed chest opener (2 reps) finishes; the overhead reach on
    # the 30 s sample is never entered, so it is not recorded as done.
    clip = make_sample(tmp_path / "still.mp4", [(0.0, 0.0), (70.0, 0.0)], fps=2)
    started = time.time()
    assert main(["stretch", "chest_opener", "--source", str(clip), "--mute"]) == 0
    assert main(["stretch", "overhead_reach", "--source", str(SAMPLE), "--mute"]) == 0
    capsys.readouterr()
    assert main(["report", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)["days"]
    (done,) = [s for day in days for s in day["events"]["stretches"]]
    assert (done["stretch_id"], done["reps"]) == ("chest_opener", 2)
    # Placed at the time the file's stretch would have ended had it played: never later than now,
    # inside a session of its own that ends with it (the unfinished stretch leaves none).
    at = datetime.fromisoformat(done["at"]).timestamp()
    assert started - 71.0 <= at <= time.time()
    (session,) = sqlite3.connect(default_path()).execute("SELECT started, ended FROM sessions")
    start, end = (datetime.fromisoformat(s).timestamp() for s in session)
    assert start < at and end == pytest.approx(at, abs=1.0)


def test_cli_speaks_to_a_folder(tmp_path, capsys, still):
    wavs = tmp_path / "wavs"
    assert main(["stretch", "butterfly", "--source", str(still), "--speak-to", str(wavs)]) == 0
    names = [p.name for p in wavs.glob("*.wav")]
    out, err = capsys.readouterr()
    assert names and "0 of 10 reps" in out
    # The script and the first step, each written to the folder, or (when espeak now and then
    # renders an empty file under load) shown as text by the Voice instead.
    for slug, text in (("try-the-butterfly", "Try the butterfly"),
                       ("put-your-right-hand", "Put your right hand")):
        assert any(slug in name for name in names) != (text in err)


def test_stretch_follows_the_voice_and_mute_settings():
    settings = Settings()
    assert voice_for(settings, mute=True, speak_to=None) is None
    for off in (replace(settings, voice=replace(settings.voice, enabled=False)),
                replace(settings, monitor=replace(settings.monitor, mute=True))):
        assert voice_for(off, mute=False, speak_to=None) is None
    slow = replace(settings, voice=replace(settings.voice, rate=111, max_age_s=3.0))
    voice = voice_for(slow, mute=False, speak_to=None)
    assert voice is not None
    try:
        assert (voice._rate, voice._max_age) == (111, 3.0)
    finally:
        voice.close(1.0)


@pytest.fixture(scope="module")
def still(tmp_path_factory) -> Path:
    """One frame of the sample clip as a picture."""
    path = tmp_path_factory.mktemp("still") / "desk.png"
    with open_source(SAMPLE) as source:
        cv2.imwrite(str(path), next(iter(source)).image)
    return path


def test_cli_speaks_at_the_settings_rate(tmp_path, capsys, still):
    """voice.rate in the settings file slows the WAVs `posture stretch --speak-to` writes."""
    durations = {}
    for rate in (110, 300):
        settings_path().write_text(f"[voice]\nrate = {rate}\n", encoding="utf-8")
        out = tmp_path / str(rate)
        assert main(["stretch", "chin_tuck", "--source", str(still), "--speak-to", str(out)]) == 0
        wavs = sorted(out.glob("*.wav"))
        assert wavs, capsys.readouterr().err
        durations[rate] = wav_stats(wavs[0])[0]  # the script: the same text both times
    assert durations[110] > 1.8 * durations[300]
