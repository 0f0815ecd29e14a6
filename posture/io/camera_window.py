"""The camera window: shows the pictures the monitor draws (BGR numpy images), scaled to fit
at most 80 % of the screen, and hands its key presses and its close button to the caller.

The picture is wrapped without a copy (QImage over the array, kept referenced) and painted on
the next repaint; pictures arriving faster than the screen repaints are coalesced.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication, QImage, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

WINDOW_TITLE = "posture camera"
SCREEN_SHARE = 0.8  # the window takes at most this share of the screen, each way


class CameraWindow(QWidget):
    """A window showing one picture at a time, fitted to the screen."""

    def __init__(self, on_key: Callable[[str], None], on_close: Callable[[], bool],
                 on_shown: Callable[[bool], None]) -> None:
        """`on_key(text)` gets each key pressed (Esc as "\\x1b"); `on_close()` decides what
        the close button does: True hides the window (a tray keeps the monitor), False lets
        it close (the caller quits); `on_shown(visible)` hears the window appear and go."""
        super().__init__()
        self.setWindowTitle(WINDOW_TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # every pixel is painted
        self.on_key = on_key
        self.on_close = on_close
        self.on_shown = on_shown
        self._image: QImage | None = None
        self._fitted = False

    def show_picture(self, bgr: np.ndarray) -> None:
        """Show a BGR uint8 picture (H, W, 3) from now on."""
        bgr = np.ascontiguousarray(bgr)
        h, w = bgr.shape[:2]
        image = QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888)
        image.ndarray = bgr  # type: ignore[attr-defined]  # the buffer lives with the image
        if self._image is None or self._image.size() != image.size():
            self._fitted = False
        self._image = image
        if not self._fitted:
            self._fitted = True
            self.resize(self.fitted_size(QSize(w, h)))
        self.update()

    def fitted_size(self, picture: QSize) -> QSize:
        """The window size for a picture: as it is, or scaled down to fit SCREEN_SHARE of the
        screen with its proportions kept."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() * SCREEN_SHARE
        if picture.width() <= room.width() and picture.height() <= room.height():
            return picture
        return picture.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is not None:
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        text = "\x1b" if event.key() == Qt.Key.Key_Escape else event.text()
        if text:
            self.on_key(text)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.on_close():
            event.ignore()
            self.hide()
        else:
            event.accept()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.on_shown(True)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self.on_shown(False)
