"""The calibration protocol that ships with the package (the repository's calibration/,
installed as `posture.calibration_data`), read and checked."""

from __future__ import annotations

import json
from importlib import resources

from posture.core.errors import UserError
from posture.core.protocol import Protocol

PROTOCOL = "protocol.json"


def load_protocol() -> Protocol:
    """Read and check the calibration protocol; UserError naming the broken field."""
    path = resources.files("posture.calibration_data") / PROTOCOL
    try:
        protocol = Protocol.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"calibration protocol {path} is unreadable ({exc}): restore it from "
                        "the repository") from None
    lacking = protocol.lacks()
    if lacking:
        raise UserError(f"calibration protocol {path} lacks {lacking}: restore it from the "
                        "repository")
    return protocol
