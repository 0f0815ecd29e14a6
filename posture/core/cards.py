"""Stretch cards: what a card shows (plain data, drawn by `posture.io.overlay`), the card a
prompt raises, and which card is on screen while the live monitor or an annotated video runs."""

from __future__ import annotations

from dataclasses import dataclass

from posture.core.alerts import AlertSettings
from posture.core.pipeline import FrameResult
from posture.core.stretches import Library, Stretch, dose


@dataclass(frozen=True)
class Card:
    """A stretch to show: title, what is counted (dose), why it helps, numbered steps (the one
    being done marked), and a countdown only for a hold that is really running."""

    title: str
    steps: tuple[str, ...]
    dose: str = ""  # e.g. "hold 5 s, 10 times"
    reason: str = ""  # why this stretch helps the problem seen
    countdown_s: float | None = None  # seconds left in the running hold
    countdown_of: float | None = None  # that hold's length (the bar shows the share left)
    current: int | None = None  # index of the step being done
    footer: str = ""


def stretch_card(stretch: Stretch, reason: str = "") -> Card:
    """The card a prompt raises for one stretch of the library: name, dose, reason, steps."""
    return Card(title=stretch.name, steps=stretch.steps, dose=dose(stretch), reason=reason)


class CardShelf:
    """Which stretch card is on screen: the last prompt's first stretch with the reason it
    helps, for `seconds` of source time (AlertSettings.card_s)."""

    def __init__(self, library: Library, seconds: float = AlertSettings.card_s) -> None:
        self.library = library
        self.seconds = seconds
        self._shown: tuple[float, str, str] | None = None  # since, stretch id, reason

    @property
    def current(self) -> str | None:
        """The id of the stretch on the card now, if any."""
        return self._shown[1] if self._shown else None

    def update(self, result: FrameResult) -> Card | None:
        """The card to draw with this frame, until `seconds` after the prompt that raised it."""
        p = result.prompt
        if p is not None and p.stretches:
            self._shown = (result.t, p.stretches[0], p.reasons[0] if p.reasons else "")
        if self._shown is None:
            return None
        since, stretch_id, reason = self._shown
        if result.t - since >= self.seconds:
            self._shown = None
            return None
        return stretch_card(self.library.get(stretch_id), reason)
