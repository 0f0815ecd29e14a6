"""`posture profiles [--json]`, `posture profiles rename OLD NEW`, `posture profiles delete NAME`:
the saved calibration profiles, one per desk set-up. Nothing asks twice: a deleted profile is
kept as NAME.previous.json and `posture calibrate --restore NAME` brings it back."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from posture.core.profile import Profile
from posture.io.console import say
from posture.io.paths import profiles_dir
from posture.io.profile_store import (
    SavedProfile,
    delete_profile,
    deleted_profiles,
    rename_profile,
    saved_profiles,
    unused_files,
)
from posture.io.profiles import NAME_RULE

RESTORE = "posture calibrate --restore"


def run(args: argparse.Namespace) -> int:
    """List, rename or delete profiles."""
    if args.action == "rename":
        rename_profile(args.old, args.new)
        say(f"renamed profile {args.old} to {args.new}")
    elif args.action == "delete":
        kept, older = delete_profile(args.name)
        also = f"; the version before it is kept as {older.name}" if older else ""
        say(f"deleted profile {args.name} (kept as {kept.name}: {RESTORE} {args.name} brings "
            f"it back{also})")
    else:
        saved = saved_profiles()
        unused = unused_files(saved)
        if args.json:
            print(json.dumps({"profiles": [as_json(s) for s in saved],
                              "deleted": deleted_profiles(), "unused": list(unused),
                              "unused_fix": unused_fix()}, indent=2))
        else:
            print(format_table(saved, deleted_profiles(), unused))
    return 0


def unused_fix() -> str:
    """What to do with the files in the profiles folder that serve as no profile."""
    return (f"posture leaves these files as they are: to use one as a profile, name it NAME.json "
            f"(NAME: {NAME_RULE}) and check that posture profiles reads it; otherwise move it "
            f"out of {profiles_dir()}")


def camera(profile: Profile) -> str:
    """Where the profile was calibrated, in words."""
    if profile.setup is not None:
        return profile.setup.describe()
    if profile.from_recording:
        return f"file {profile.source}"
    return "a camera (set-up not recorded)"


def local_date(created: str) -> str:
    """An ISO time as local 'YYYY-MM-DD HH:MM' ("" when unknown)."""
    try:
        return dt.datetime.fromisoformat(created).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


def as_json(saved: SavedProfile) -> dict[str, Any]:
    """One profile as a JSON object: name, camera, date, view, set-up or file, previous."""
    p = saved.profile
    return {
        "name": saved.name, "path": str(saved.path),
        "camera": camera(p) if p else None, "date": p.created if p else None,
        "view": p.view if p else None,
        "setup": p.setup.to_json() if p and p.setup else None,
        "file": p.source if p and p.from_recording else None,
        "previous": saved.has_previous, "problem": saved.problem,
    }


def format_table(saved: list[SavedProfile], deleted: list[str], unused: dict[str, str]) -> str:
    """The profiles as a table, then the deleted ones that can be restored, then the files
    that serve as no profile (one line each, under what to do with them)."""
    stray = [f"files not used as profiles ({unused_fix()}):"] if unused else []
    stray += [f"  {name}: {why}" for name, why in unused.items()]
    if not saved and not deleted:
        return "\n".join(["no profiles yet: posture calibrate (or the first posture run) makes "
                          "one", *stray])
    rows = [("NAME", "DATE", "VIEW", "CAMERA")]
    for s in saved:
        p = s.profile
        if p is None:
            rows.append((s.name, "", "", f"cannot be read: {s.problem}"))
        else:
            rows.append((s.name, local_date(p.created), p.view, camera(p) + (
                " (previous kept)" if s.has_previous else "")))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)), row[3]])
             for row in rows] if saved else []
    if deleted:
        lines += ["", f"deleted, can be restored with {RESTORE} NAME: {', '.join(deleted)}"]
    if unused:
        lines += ["", *stray]
    return "\n".join(lines).strip("\n")
