"""Where things are: user data in platformdirs folders, or everything under $POSTURE_HOME when
it is set; and whether a source names a camera or a path.

Looking up a data folder never creates it: whatever writes a file there creates the folder
first, so a run that fails at once (no camera, say) leaves no data folders behind. The config
folder is created on lookup, so the user finds it ready for a settings file (a `posture run`
that fails takes it away again while empty: posture.io.folders).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from posture.core.errors import UserError
from posture.io.folders import make_folder

APP = "posture"


def data_dir() -> Path:
    """Folder for profiles and history."""
    home = os.environ.get("POSTURE_HOME")
    return Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP))


def config_dir(create: bool = True) -> Path:
    """Folder for the settings file (created on demand, unless `create` is false)."""
    home = os.environ.get("POSTURE_HOME")
    path = Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP))
    if not create:
        return path
    try:
        make_folder(path)
    except OSError as exc:
        raise UserError(f"cannot create the settings folder {path} ({exc.strerror}): check "
                        "that path, or set POSTURE_HOME to a writable folder") from None
    return path


def profiles_dir() -> Path:
    """Folder holding named calibration profiles (NAME.json)."""
    return data_dir() / "profiles"


def is_camera(spec: str | int | Path) -> bool:
    """Whether a source names a camera (an index such as 0) rather than a file or folder."""
    return str(spec).isdigit()
