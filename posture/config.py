"""Where user data lives: platformdirs folders, or everything under $POSTURE_HOME when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "posture"


def data_dir() -> Path:
    """Folder for profiles and history (created on demand)."""
    home = os.environ.get("POSTURE_HOME")
    path = Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Folder for the settings file (created on demand)."""
    home = os.environ.get("POSTURE_HOME")
    path = Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def profiles_dir() -> Path:
    """Folder holding named calibration profiles (NAME.json)."""
    path = data_dir() / "profiles"
    path.mkdir(parents=True, exist_ok=True)
    return path
