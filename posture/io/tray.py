"""The tray icon (Qt's QSystemTrayIcon: the Linux tray, the macOS menu bar, the Windows
notification area), its menu and its tooltip.

Each state has a colour and a shape of its own, so people who cannot tell the colours apart
still can the shapes: good a disc, slipping a triangle, slouched a square, paused two bars,
away a ring, calibrating a plus, a camera problem a cross. Menu entries are QActions named
after their ids (`objectName`), triggered the same way by a click and by `QAction.trigger()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

# Icon of each tray state: (R, G, B) and shape.
ICONS: dict[str, tuple[tuple[int, int, int], str]] = {
    "good": ((46, 160, 67), "disc"),
    "slipping": ((240, 170, 0), "triangle"),
    "slouched": ((214, 39, 40), "square"),
    "paused": ((150, 150, 150), "bars"),
    "away": ((200, 200, 200), "ring"),
    "calibrating": ((31, 119, 220), "plus"),
    "camera problem": ((160, 80, 200), "cross"),
}
# The tray state of each monitor state (posture.core.states).
TRAY_STATE = {"good": "good", "slipping": "slipping", "slouched": "slouched",
              "paused": "paused", "away": "away", "unseen": "away", "starting": "away",
              "calibrating": "calibrating", "stretching": "calibrating",
              "camera moved": "camera problem", "camera unavailable": "camera problem"}
SIZES = (16, 22, 24, 32, 48, 64)  # pixmaps drawn for the icon, so every tray gets a sharp one


class MenuEntry(Protocol):
    """What the tray needs of a menu entry (posture.app.live.actions.MenuItem)."""

    id: str
    text: str
    submenu: str
    checkable: bool


def icon_image(state: str, size: int) -> QImage:
    """The icon of a tray state, drawn at `size` x `size` pixels on transparency."""
    rgb, shape = ICONS[state]
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(*rgb)
    u = size / 64.0  # shapes are laid out on a 64 x 64 grid

    def poly(points: Sequence[tuple[float, float]]) -> QPolygonF:
        return QPolygonF([QPointF(x * u, y * u) for x, y in points])

    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    if shape == "disc":
        painter.drawEllipse(QRectF(4 * u, 4 * u, 56 * u, 56 * u))
    elif shape == "triangle":
        painter.drawPolygon(poly([(32, 3), (61, 58), (3, 58)]))
    elif shape == "square":
        painter.drawRect(QRectF(5 * u, 5 * u, 54 * u, 54 * u))
    elif shape == "bars":
        painter.drawRect(QRectF(10 * u, 6 * u, 16 * u, 52 * u))
        painter.drawRect(QRectF(38 * u, 6 * u, 16 * u, 52 * u))
    elif shape == "plus":
        painter.drawRect(QRectF(25 * u, 4 * u, 14 * u, 56 * u))
        painter.drawRect(QRectF(4 * u, 25 * u, 56 * u, 14 * u))
    else:  # ring, cross: strokes
        pen = QPen(color, 12 * u)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if shape == "cross":
            painter.drawLine(QPointF(10 * u, 10 * u), QPointF(54 * u, 54 * u))
            painter.drawLine(QPointF(54 * u, 10 * u), QPointF(10 * u, 54 * u))
        else:
            painter.drawEllipse(QRectF(10 * u, 10 * u, 44 * u, 44 * u))
    painter.end()
    return image


def state_icon(state: str) -> QIcon:
    """The QIcon of a tray state, at every size in SIZES."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(icon_image(state, size)))
    return icon


class Tray:
    """The tray icon with its menu; `on_item(id, checked)` runs when an entry is chosen, and
    `on_click()` when the icon itself is clicked."""

    def __init__(self, entries: Sequence[MenuEntry], on_item: Callable[[str, bool], None],
                 on_click: Callable[[], None]) -> None:
        self._icons = {state: state_icon(state) for state in ICONS}
        self.icon = QSystemTrayIcon(self._icons["away"])
        self.menu = QMenu()  # kept here: the tray icon does not own its menu
        self.actions: dict[str, QAction] = {}
        submenus: dict[str, QMenu] = {}
        for entry in entries:
            parent = self.menu
            if entry.submenu:
                if entry.submenu not in submenus:
                    submenus[entry.submenu] = self.menu.addMenu(entry.submenu)
                parent = submenus[entry.submenu]
            if entry.id == "quit":
                self.menu.addSeparator()
            action = QAction(entry.text, parent)
            action.setObjectName(entry.id)
            action.setCheckable(entry.checkable)
            action.triggered.connect(lambda checked=False, i=entry.id: on_item(i, checked))
            parent.addAction(action)
            self.actions[entry.id] = action
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(
            lambda reason: on_click() if reason == QSystemTrayIcon.ActivationReason.Trigger
            else None)
        self.state = ""

    def show(self) -> None:
        """Put the icon in the tray (it docks by itself once a tray host runs)."""
        self.icon.show()

    def set_state(self, state: str, tooltip: str, checked: dict[str, bool]) -> None:
        """Show a monitor state (posture.core.states), the tooltip, and check boxes."""
        tray_state = TRAY_STATE.get(state, "away")
        if tray_state != self.state:
            self.state = tray_state
            self.icon.setIcon(self._icons[tray_state])
        if self.icon.toolTip() != tooltip:
            self.icon.setToolTip(tooltip)
        for key, value in checked.items():
            action = self.actions[key]
            if action.isChecked() != value:
                action.setChecked(value)

    def close(self) -> None:
        """Take the icon out of the tray."""
        self.icon.hide()
        self.icon.setContextMenu(None)
        self.menu.deleteLater()
        self.icon.deleteLater()
