"""Calibration profiles on disk: NAME.json in the user data folder, or any .json path."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path

from posture import __version__
from posture.core.errors import UserError
from posture.core.profile import PROFILE_FORMAT, PROFILE_VERSION, READABLE_VERSIONS, Profile
from posture.io.console import say
from posture.io.paths import profiles_dir


def profile_path(name_or_path: str | None) -> Path:
    """A profile name (stored in the user data folder) or an explicit .json path."""
    text = "default" if name_or_path is None else name_or_path.strip()
    if not text:
        raise UserError("the profile name is empty: give a name such as desk, or a .json path")
    path = (Path(text).expanduser() if text.endswith(".json") or os.sep in text or "/" in text
            else profiles_dir() / f"{text}.json")
    if path.is_dir():
        raise UserError(f"profile {path} is a folder: give a profile name, or a .json file path")
    return path


def save_profile(profile: Profile, path: Path) -> None:
    """Write the profile atomically, so an interrupted save never loses the previous one; a
    profile not yet dated is dated now and stamped with this program's version."""
    data = profile.to_json()
    data["created"] = data["created"] or dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds")
    data["program_version"] = data["program_version"] or __version__
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # nothing may be left to remove
            tmp.unlink()
        raise UserError(f"cannot save the profile {path} ({exc.strerror}): choose another "
                        "--profile path") from None


def load_profile(path: Path) -> Profile:
    """Read and validate a saved profile; UserError naming the problem and the fix. A profile
    of an older readable version is used as it is read (the file is left untouched), saying in
    one line what it lost."""
    fix = f"recalibrate with: posture calibrate --profile {path}"
    if not path.is_file():
        raise UserError(f"no profile at {path}: {fix}")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"profile {path} is corrupt ({exc.__class__.__name__}): {fix}") from None
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise UserError(f"{path} is not a posture profile: {fix}")
    if data.get("version") not in READABLE_VERSIONS:
        raise UserError(f"profile {path} has version {data.get('version')!r}, this program "
                        f"reads version {PROFILE_VERSION}: {fix}")
    try:
        profile = Profile.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(f"profile {path} is corrupt ({exc}): {fix}") from None
    if data.get("thresholds") and not profile.thresholds:
        say(f"profile {path} was saved by an older posture: the thresholds its slouch recording "
            "set no longer apply, so the defaults are used; to set them again: posture calibrate "
            f"--profile {path} --slouch-source SRC")
    return profile
