"""`posture config`: the effective settings and the path of the settings file."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from posture.io.console import say
from posture.io.settings import init_file, load_settings, settings_path, to_toml


def run(args: argparse.Namespace) -> int:
    """posture config: (optionally write the starter file, then) print settings and path."""
    path = settings_path()
    if args.init:
        init_file(path)
        say(f"wrote {path}")
    settings = load_settings(path)
    exists = path.is_file()
    if args.json:
        print(json.dumps({"path": str(path), "exists": exists, "settings": asdict(settings)},
                         indent=2))
        return 0
    state = ("" if exists
             else " (not found: these are the defaults; write one with: posture config --init)")
    print(f"# settings file: {path}{state}\n# effective settings (command-line flags override "
          "them):")
    print(to_toml(settings), end="")
    return 0
