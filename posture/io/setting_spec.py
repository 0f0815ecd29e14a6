"""How a setting is declared: its default, what it is for and which values it allows.

Apart from posture.io.settings so that a section can be declared in its own module
(posture.io.schedule_settings) and still be read, checked and written by the one settings file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Spec:
    """What a setting is for and, for numbers, its allowed range (inclusive); for strings a
    parser that refuses a wrong one (ValueError) and the allowed values in words."""

    help: str
    lo: float = -math.inf
    hi: float = math.inf
    parse: Callable[[str], object] | None = None  # checks a string, or each item of a list
    means: str = ""  # the allowed values in words, for strings that `parse` checks

    def parses(self, texts: list[str]) -> bool:
        """True when the parser (if any) accepts every text."""
        try:
            for text in texts if self.parse else ():
                self.parse(text)
        except ValueError:
            return False
        return True


def setting(default: Any, help: str, lo: float = -math.inf, hi: float = math.inf,
            parse: Callable[[str], object] | None = None, means: str = "") -> Any:
    """A dataclass field with its default and its Spec, declared in one place."""
    return field(default=default, metadata={"spec": Spec(help, lo, hi, parse, means)})
