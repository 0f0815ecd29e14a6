"""The package as users install it: a real wheel, installed (not editable) into a fresh venv,
runs from another folder with the model and the calibration protocol it carries inside."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import REPO, SAMPLE

SOURCES = ("posture", "models", "calibration", "pyproject.toml", "setup.py", "README.md")


def build_wheel(tmp: Path) -> Path:
    """A wheel built from a copy of the sources (building in place would leave build/ and
    egg-info in the checkout)."""
    src = tmp / "src"
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    out = tmp / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w",
                    str(out)], check=True, capture_output=True, timeout=600)
    (wheel,) = out.glob("posture-*.whl")
    return wheel


def fresh_venv(tmp: Path) -> Path:
    """A new venv that reuses this environment's installed dependencies (a .pth file), but not
    its posture: that one is an editable install of the checkout."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], check=True,
                             capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_the_wheel_installs_and_runs_from_another_folder(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert {"posture/models/pose_landmarker_full.task",
            "posture/models/pose_landmarker_full.task.sha256",
            "posture/calibration_data/protocol.json", "posture/data/stretches.json"} <= set(names)
    assert not any(n.endswith("build_pose_model.py") or n.startswith("tests/") for n in names)
    venv = fresh_venv(tmp_path)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "POSTURE_HOME": str(home),
           "HOME": str(tmp_path)}

    def posture(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "posture"), *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=600)

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import posture; "
                            "print(posture.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(REPO)

    listed = posture("stretches")
    assert listed.returncode == 0, listed.stderr
    assert "overhead_reach" in listed.stdout and "not medical advice" in listed.stdout
    sample = str(SAMPLE)
    calibrated = posture("calibrate", "--source", sample, "--profile", "x")
    assert calibrated.returncode == 0, calibrated.stderr
    profile = json.loads((home / "data" / "profiles" / "x.json").read_text())
    assert profile["format"] == "posture-profile" and profile["frames"] >= 5
    analyzed = posture("analyze", sample, "--profile", "x", "--jsonl", "out.jsonl")
    assert analyzed.returncode == 0, analyzed.stderr
    records = [json.loads(line) for line in (elsewhere / "out.jsonl").read_text().splitlines()]
    assert len(records) > 20
    assert {r["posture"] for r in records} == {"good", "slouched"}
