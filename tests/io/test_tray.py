"""The tray icon under Xvfb with a real tray host (trayer): it appears, its colour follows the
state (read back from a screenshot), each state has its own shape, and its menu holds QActions
that run their handler when triggered."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from posture.app.live.actions import MENU
from tests import desktop


def pump_until(app, check, timeout: float = 20.0):
    """Let Qt run until `check()` returns something true; that value (None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        value = check()
        if value:
            return value
        time.sleep(0.02)
    return None


def tray_icon_window(display: str) -> desktop.XWindow | None:
    """The tray icon's X window: named after the application, icon-sized (its menu and
    balloon windows carry the name too, but are larger)."""
    found = [w for w in desktop.find_windows(display, "posture")
             if 1 < w.width <= 40 and 1 < w.height <= 40]
    return found[0] if found else None


def near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    return int(np.all(np.abs(pixels.astype(int) - np.array(rgb)) <= tolerance, axis=-1).sum())


@pytest.fixture
def tray(qt_app):
    from posture.io.tray import Tray

    chosen: list[tuple[str, bool]] = []
    made = Tray(MENU, lambda item, checked: chosen.append((item, checked)),
                lambda: chosen.append(("click", False)))
    made.chosen = chosen  # type: ignore[attr-defined]
    yield made
    made.close()
    pump_until(qt_app, lambda: False, timeout=0.3)


def test_each_state_has_its_own_shape(qt_app):
    """Told apart by shape alone, as a colour-blind user must: the icons' silhouettes differ
    pairwise by at least a tenth of the icon at the size a tray shows."""
    from posture.io.tray import ICONS, icon_image

    masks = {}
    for state in ICONS:
        image = icon_image(state, 22)
        alpha = np.array([[image.pixelColor(x, y).alpha() for x in range(22)] for y in range(22)])
        masks[state] = alpha > 128
        assert masks[state].sum() > 40, state  # something is drawn
    for a, b in itertools.combinations(ICONS, 2):
        assert np.mean(masks[a] ^ masks[b]) > 0.1, (a, b)


def test_the_icon_appears_and_its_colour_follows_the_state(qt_app, tray_display, tray):
    from posture.io.tray import ICONS, TRAY_STATE

    tray.show()
    assert pump_until(qt_app, lambda: tray_icon_window(tray_display)), "no icon in the tray"
    for state in ("good", "slipping", "slouched", "paused", "away", "calibrating",
                  "camera unavailable", "stretching", "camera moved", "good"):
        tray.set_state(state, f"posture: {state}", {"mute": False})
        want = ICONS[TRAY_STATE[state]][0]
        others = [rgb for name, (rgb, _) in ICONS.items() if name != TRAY_STATE[state]]

        def icon() -> np.ndarray:
            window = tray_icon_window(tray_display)
            assert window is not None
            x0, y0, x1, y1 = window.box
            return desktop.screenshot(tray_display)[y0:y1, x0:x1]

        assert pump_until(qt_app, lambda want=want: near(icon(), want) >= 12, timeout=5), state
        assert all(near(icon(), rgb, 6) <= 2 for rgb in others), state
        assert tray.icon.toolTip() == f"posture: {state}"


def test_every_menu_entry_is_an_action_that_runs_its_handler(tray):
    from PySide6.QtGui import QAction

    found = {a.objectName(): a for a in tray.menu.findChildren(QAction) if a.objectName()}
    assert set(found) == {item.id for item in MENU}
    for item in MENU:
        found[item.id].trigger()
    assert tray.chosen == [(item.id, item.checkable) for item in MENU]  # Mute checked on
    found["mute"].trigger()
    assert tray.chosen[-1] == ("mute", False)
    tray.set_state("good", "posture", {"mute": True})  # muted from elsewhere: the box follows
    assert found["mute"].isChecked()
    texts = [a.text() for a in tray.menu.actions()]
    assert texts[0] == "Pause" and texts[-1] == "Quit"  # the Pause submenu first, Quit last
    pause = tray.menu.actions()[0].menu()
    assert [a.text() for a in pause.actions()] == ["15 minutes", "1 hour", "Until tomorrow"]
