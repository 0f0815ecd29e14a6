"""Calibration profiles on disk: NAME.json in the user data folder, or any .json path.

Nothing the user calibrated is ever lost: saving over a profile first keeps the one it
replaces as NAME.previous.json beside it (one step back: an older previous is replaced), and
`restore_profile` swaps the two. Every write is atomic (a temporary file renamed over).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path

from posture import __version__
from posture.core.errors import UserError
from posture.core.profile import PROFILE_FORMAT, PROFILE_VERSION, READABLE_VERSIONS, Profile
from posture.io.console import say
from posture.io.paths import profiles_dir, refuse_folder

PREVIOUS_SUFFIX = ".previous.json"
# Names are letters, digits, - and _, so a name is also a plain file name on every system.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NAME_RULE = "1 to 64 letters, digits, - or _, starting with a letter or digit"


def check_name(name: str) -> str:
    """`name` when it can name a profile; UserError otherwise."""
    if not NAME.fullmatch(name):
        raise UserError(f"{name!r} cannot name a profile: use {NAME_RULE}")
    return name


def profile_path(name_or_path: str | None) -> Path:
    """A profile name (stored in the user data folder) or an explicit .json path."""
    text = "default" if name_or_path is None else name_or_path.strip()
    if not text:
        raise UserError("the profile name is empty: give a name such as desk, or a .json path")
    if text.endswith(PREVIOUS_SUFFIX.removesuffix(".json")):
        raise UserError(f"{text}: names ending in .previous are the earlier versions kept "
                        "beside profiles: bring one back with posture calibrate --restore NAME")
    if text.endswith(".json") or os.sep in text or "/" in text:
        path = Path(text).expanduser()
        if path.name.endswith(PREVIOUS_SUFFIX):
            raise UserError(f"{path.name}: files ending in {PREVIOUS_SUFFIX} are the earlier "
                            "versions kept beside profiles: bring one back with posture "
                            "calibrate --restore NAME, or give another file name")
    else:
        path = profiles_dir() / f"{check_name(text)}.json"
    return refuse_folder(path, "the profile", "move or rename that folder, or give another "
                         "profile name or .json file path")


def previous_path(path: Path) -> Path:
    """Where the profile that `path` replaced is kept: NAME.previous.json beside it."""
    return path.with_name(path.name.removesuffix(".json") + PREVIOUS_SUFFIX)


def save_profile(profile: Profile, path: Path) -> Path | None:
    """Write the profile, keeping the one it replaces as NAME.previous.json; return that path
    (None when there was none). A profile not yet dated is dated now and stamped with this
    program's version. Every caller saves through here, so no calibration overwrites another."""
    data = profile.to_json()
    data["created"] = data["created"] or dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds")
    data["program_version"] = data["program_version"] or __version__
    kept = previous_path(path) if path.is_file() else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if kept is not None:
            write_atomic(kept, path.read_bytes())
        write_atomic(path, (json.dumps(data, indent=2) + "\n").encode())
    except OSError as exc:
        raise UserError(f"cannot save the profile {path} ({exc.strerror}): choose another "
                        "--profile path") from None
    return kept


def restore_profile(path: Path) -> bool:
    """Bring back the profile kept as NAME.previous.json; the current one, if any, becomes the
    previous (restoring twice undoes it). True when a current one was swapped out."""
    previous = previous_path(path)
    if not previous.is_file():
        raise UserError(f"no earlier version of {path.name} to restore ({previous.name} does "
                        "not exist): see the saved profiles with posture profiles")
    load_profile(previous)  # a corrupt one is refused before anything moves
    swapped = path.exists()
    try:
        if swapped:  # the current one is copied aside first, so it exists at every moment
            swap = path.with_name(path.name + ".swap")
            write_atomic(swap, path.read_bytes())
            os.replace(previous, path)
            os.replace(swap, previous)
        else:
            os.replace(previous, path)
    except OSError as exc:
        raise UserError(f"cannot restore {path} ({exc.strerror}): fix the permissions of "
                        f"{path.parent}") from None
    return swapped


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed over it (OSError on failure,
    leaving `path` as it was)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # nothing may be left to remove
            tmp.unlink()
        raise


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
