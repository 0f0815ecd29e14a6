"""Frame sources: timestamps, --fps skipping, and one clear line for every bad input."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from posture.core.errors import UserError
from posture.io.sources import open_source


def write_video(path, frames: int = 60, fps: float = 30.0, size=(160, 120)) -> None:
    """A small generated clip whose frames carry their index as brightness."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), (i * 4) % 256, np.uint8))
    writer.release()


def test_video_timestamps_come_from_index_and_fps(tmp_path):
    path = tmp_path / "clip.avi"
    write_video(path, frames=60, fps=30.0)
    with open_source(path) as src:
        frames = list(src)
    assert src.kind == "video" and src.count == 60
    assert [f.index for f in frames] == list(range(60))
    assert frames[30].t == pytest.approx(1.0)
    assert frames[1].image.mean() == pytest.approx(4, abs=2)


@pytest.mark.parametrize("fps, expected", [(10.0, 20), (5.0, 10), (1.0, 2), (60.0, 60),
                                           (29.97, 60), (7.0, 14), (20.0, 40)])
def test_fps_keeps_about_n_frames_a_second_of_source_time(tmp_path, fps, expected):
    path = tmp_path / "clip.avi"
    write_video(path, frames=60, fps=30.0)
    with open_source(path, fps=fps) as src:
        frames = list(src)
    assert len(frames) == expected
    gaps = np.diff([f.t for f in frames])
    assert np.all(gaps >= min(1 / fps, 1 / 30) - 1 / 60)  # never closer than the timetable
    # The kept frames are the right ones: their pixels match their index.
    for f in frames:
        assert f.image.mean() == pytest.approx((f.index * 4) % 256, abs=3)


def test_fps_on_a_folder_follows_the_same_timetable(tmp_path):
    for i in range(10):
        cv2.imwrite(str(tmp_path / f"{i:02d}.png"), np.full((20, 20), i * 10, np.uint8))
    with open_source(tmp_path, fps=0.4) as src:
        assert [f.index for f in src] == [0, 2, 5, 7]


def test_an_animated_webp_is_read_as_a_video(tmp_path):
    path = tmp_path / "moving.webp"
    animation = cv2.Animation()
    animation.frames = [np.full((40, 60, 3), 20 * i, np.uint8) for i in range(8)]
    animation.durations = [100] * 8
    assert cv2.imwriteanimation(str(path), animation)
    with open_source(path) as src:
        frames = list(src)
    assert src.kind == "video" and len(frames) == 8
    assert frames[-1].image.mean() > frames[0].image.mean() + 100


def test_folder_is_read_in_name_order_one_frame_per_image(tmp_path):
    for name, value in (("b.png", 20), ("a.png", 10), ("c.jpg", 30)):
        cv2.imwrite(str(tmp_path / name), np.full((40, 40), value, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(tmp_path) as src:
        frames = list(src)
    assert src.kind == "folder"
    assert [f.index for f in frames] == [0, 1, 2]
    assert [round(float(f.image.mean())) for f in frames] == [10, 20, 30]
    assert [f.t for f in frames] == [0.0, 1.0, 2.0]


def test_single_image_keeps_its_channels(tmp_path):
    rgba = np.zeros((30, 50, 4), np.uint8)
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    with open_source(tmp_path / "a.png") as src:
        (frame,) = list(src)
    assert src.kind == "image" and frame.image.shape == (30, 50, 4)


def bad_inputs(tmp_path) -> dict:
    """Each kind of bad source, made in tmp_path, with a word its message must contain."""
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "junk.mp4").write_bytes(b"\x00garbage" * 500)
    (tmp_path / "text.png").write_text("this is not a picture")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "truncated.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST")
    return {
        str(tmp_path / "missing.mp4"): "no such file",
        str(tmp_path / "empty.mp4"): "empty",
        str(tmp_path / "junk.mp4"): "cannot read",
        str(tmp_path / "text.png"): "cannot read",
        str(tmp_path / "notes.txt"): "cannot read",
        str(tmp_path / "nothing"): "holds no images",
        str(tmp_path / "truncated.avi"): "cannot read",
        "7": "camera 7 could not be opened",
        "": "the source is empty",
    }


def test_bad_sources_raise_user_errors(tmp_path):
    for source, words in bad_inputs(tmp_path).items():
        with pytest.raises(UserError, match=words):
            open_source(source)
    with pytest.raises(UserError, match="--fps"):
        open_source(str(tmp_path / "nothing"), fps=0)


def test_bad_sources_exit_2_with_one_line_and_no_traceback(tmp_path):
    # Through the real console command, as a user would meet it.
    for source, words in bad_inputs(tmp_path).items():
        proc = subprocess.run([sys.executable, "-m", "posture.app.cli", "analyze", source],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, (source, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_file_damaged_midway_says_so_in_one_line(tmp_path):
    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (160, 120))
    rng = np.random.default_rng(0)
    for _ in range(90):
        writer.write(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    writer.release()
    data = bytearray(path.read_bytes())
    third = len(data) // 3
    data[third:2 * third] = rng.integers(0, 255, third, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    proc = subprocess.run([sys.executable, "-c", "from posture.io.sources import open_source\n"
                           f"print(len(list(open_source({str(path)!r}))))"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert int(proc.stdout) < 85
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0], proc.stderr
