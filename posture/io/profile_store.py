"""The named profiles in the user data folder: list, rename, delete, and the one for a camera.

Deleting keeps the profile as NAME.previous.json (`posture calibrate --restore NAME` brings it
back); renaming moves a profile together with its previous version. Names are letters, digits,
`-` and `_`, so a name is also a plain file name on every system.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from posture.core.errors import UserError
from posture.core.profile import CameraSetup, Profile
from posture.core.setups import LEGACY_NAME, choose_profile
from posture.io.paths import next_free, profiles_dir
from posture.io.profiles import (
    NAME,
    PREVIOUS_SUFFIX,
    check_name,
    load_profile,
    previous_path,
    profile_path,
)

# Posture's own files there: NAME.json, and the versions kept as NAME.previous(-N).json.
KEPT = re.compile(rf"{NAME.pattern}(\.previous(-[0-9]+)?)?\.json")


@dataclass(frozen=True)
class SavedProfile:
    """A named profile: the profile, or why it cannot be read; and whether a previous version
    is kept."""

    name: str
    path: Path
    profile: Profile | None
    problem: str | None
    has_previous: bool



def saved_profiles() -> list[SavedProfile]:
    """Every named profile, by name (broken ones too, with their problem)."""
    found = []
    for name in _names(".json"):
        path = profile_path(name)
        try:
            profile, problem = load_profile(path), None
        except UserError as exc:
            profile, problem = None, str(exc)
        found.append(SavedProfile(name, path, profile, problem, previous_path(path).is_file()))
    return found


def deleted_profiles() -> list[str]:
    """Names with only a previous version left: deleted, and restorable."""
    return [name for name in _names(PREVIOUS_SUFFIX) if not profile_path(name).exists()]


def rename_profile(old: str, new: str) -> None:
    """Rename profile `old` (and its previous version) to `new`; UserError when `old` does not
    exist or `new` is taken, by a profile or by a deleted one that can still be restored."""
    source = _existing(old)
    target = profile_path(check_name(new))
    for taken in (target, previous_path(target)):
        if taken.exists():
            raise UserError(f"a profile called {new} already exists ({taken.name}): choose "
                            "another name, or delete it first")
    _move(previous_path(source), previous_path(target), missing_ok=True)
    _move(source, target)


def delete_profile(name: str) -> tuple[Path, Path | None]:
    """Delete profile `name`, keeping it as its previous version; an older previous version
    is kept too, as NAME.previous-2.json (-3, ...). Where each is kept (None: there was no
    older one)."""
    path = _existing(name)
    kept = previous_path(path)
    older = None
    if kept.exists():
        older = next_free(kept)
        _move(kept, older)
    _move(path, kept)
    return kept, older


def unused_files(saved: list[SavedProfile]) -> dict[str, str]:
    """The .json files in the profiles folder that serve as no profile, each with why: no
    profile's name (nor a kept version of one), or one of `saved` that cannot be read. They are
    only listed: nothing here ever moves, rewrites or deletes them."""
    broken = {s.path.name for s in saved if s.problem is not None}
    return {f: "cannot be read" if f in broken else "not a profile name" for f in _files()
            if f.endswith(".json") and (f in broken or not KEPT.fullmatch(f))}


def profile_for_camera(setup: CameraSetup) -> tuple[Path, bool]:
    """The profile for this camera set-up, and whether it exists yet: the saved one made for
    it (posture.core.setups.choose_profile), else a free name to calibrate into ("default" for
    the first set-up, then one named after the camera)."""
    saved = {s.name: s.profile for s in saved_profiles() if s.profile is not None}
    chosen = choose_profile(setup, saved)
    if chosen is not None:
        return profile_path(chosen), True
    taken = set(_names(".json")) | set(_names(PREVIOUS_SUFFIX))
    if LEGACY_NAME not in taken:
        return profile_path(LEGACY_NAME), False
    stem = re.sub(r"[^a-z0-9]+", "-", setup.device.lower()).strip("-")[:40] or \
        f"camera{setup.index}"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}-{n}", n + 1
    return profile_path(name), False


def _files() -> list[str]:
    """Names of the files in the profiles folder, sorted."""
    try:
        return sorted(p.name for p in profiles_dir().iterdir() if p.is_file())
    except OSError:  # no folder yet: no profiles
        return []


def _names(suffix: str) -> list[str]:
    """Names of the files in the profiles folder ending in `suffix` (not previous versions,
    unless that is the suffix), sorted."""
    files = _files()
    names = (f.removesuffix(suffix) for f in files if f.endswith(suffix)
             and (suffix == PREVIOUS_SUFFIX or not f.endswith(PREVIOUS_SUFFIX)))
    return sorted(name for name in names if NAME.fullmatch(name))  # not posture's: left alone


def _existing(name: str) -> Path:
    """The path of the saved profile `name`; UserError naming the saved ones when unknown."""
    path = profile_path(name)
    if "/" in name or os.sep in name or name.endswith(".json") or not path.is_file():
        known = ", ".join(_names(".json")) or "none yet"
        raise UserError(f"no profile called {name} (saved: {known}): see posture profiles")
    return path


def _move(source: Path, target: Path, missing_ok: bool = False) -> None:
    """Rename a profile file; UserError when the folder does not allow it."""
    if missing_ok and not source.exists():
        return
    try:
        os.replace(source, target)
    except OSError as exc:
        raise UserError(f"cannot rename {source.name} to {target.name} ({exc.strerror}): fix "
                        f"the permissions of {source.parent}") from None
