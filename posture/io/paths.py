"""Where things are: user data in platformdirs folders, or everything under $POSTURE_HOME when
it is set; whether a source names a camera or a path; and the checks every command makes at
those places: a folder where a file belongs, the folders an output goes in, and numbered
copies that never overwrite an earlier one.

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
from posture.io.folders import create_noted

APP = "posture"
MOVE_FOLDER = ("move or rename that folder (posture leaves it and its contents as they are), "
               "or set POSTURE_HOME to use other folders")
CHOOSE_ANOTHER = "choose another path"


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
        create_noted(path)
    except OSError as exc:
        raise UserError(f"cannot create the settings folder {path} ({exc.strerror}): check "
                        "that path, or set POSTURE_HOME to a writable folder") from None
    return path


def profiles_dir() -> Path:
    """Folder holding named calibration profiles (NAME.json)."""
    return data_dir() / "profiles"


def refuse_folder(path: Path, what: str, fix: str = MOVE_FOLDER) -> Path:
    """`path`, or UserError when a folder stands where the file `what` belongs (made by
    mistake): one line naming it and the fix, so no command trips over it later."""
    if path.is_dir():
        raise UserError(f"{what} {path} is a folder, where a file belongs: {fix}")
    return path


def make_parent(path: Path, fix: str = CHOOSE_ANOTHER) -> Path:
    """`path`, once the folders it goes in exist: an output the user asked for may name new
    folders (see make_folder)."""
    make_folder(path.expanduser().parent, path, fix)
    return path


def make_folder(folder: Path, output: Path | None = None, fix: str = CHOOSE_ANOTHER) -> Path:
    """`folder`, created with any missing parents; UserError naming `output` (default: the
    folder) and the `fix` when a file stands where a folder belongs, or the system refuses."""
    named = output or folder
    folder = folder.expanduser()
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UserError(f"cannot write {named}: {blocker} is a file, not a folder: {fix} "
                        "(that file is left as it is)")
    try:
        create_noted(folder)  # noted: a `posture run` that fails takes it away while empty
    except OSError as exc:
        raise UserError(f"cannot write {named}: the folder {folder} cannot be made "
                        f"({exc.strerror}): {fix}") from None
    return folder


def next_free(path: Path, holding: bytes | None = None) -> Path:
    """`path` when free, else its first free numbered copy (NAME-2.ext, NAME-3.ext, ...), so
    nothing kept before is overwritten; a copy already holding exactly `holding` is reused."""
    candidate, n = path, 1
    while candidate.exists() and not (
            holding is not None and candidate.is_file() and candidate.read_bytes() == holding):
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def is_camera(spec: str | int | Path) -> bool:
    """Whether a source names a camera (an index such as 0) rather than a file or folder."""
    return str(spec).isdigit()
