"""Issue 10's six changes of a frame, applied to real frames before the pose model: the verdict
on an upright frame should not change when the person sits 15 % nearer or 25 % farther, the
picture shifts by 12 % of its width, the light dims (x 0.55) or brightens (x 1.3 + 40), or the
camera mirrors the picture (a selfie view)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

Change = Callable[[np.ndarray], np.ndarray]  # a picture in, the changed picture out
GREY = 128  # fill for the pixels a change brings into the frame (as benchmarks.common.fit)


def nearer(image: np.ndarray, factor: float = 1.15) -> np.ndarray:
    """15 % nearer: the centre 1/1.15 of the frame, scaled back up to the frame's size."""
    h, w = image.shape[:2]
    cw, ch = round(w / factor), round(h / factor)
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    return cv2.resize(image[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_LINEAR)


def farther(image: np.ndarray, factor: float = 1.25) -> np.ndarray:
    """25 % farther: the frame scaled by 1/1.25 about its centre, grey around it."""
    h, w = image.shape[:2]
    sw, sh = round(w / factor), round(h / factor)
    out = np.full_like(image, GREY)
    x0, y0 = (w - sw) // 2, (h - sh) // 2
    out[y0:y0 + sh, x0:x0 + sw] = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
    return out


def shifted(image: np.ndarray, share: float = 0.12) -> np.ndarray:
    """Shifted by 12 % of the width toward the image's right, grey coming in on the left."""
    w = image.shape[1]
    dx = round(share * w)
    out = np.full_like(image, GREY)
    out[:, dx:] = image[:, :w - dx]
    return out


def darker(image: np.ndarray) -> np.ndarray:
    """Every pixel x 0.55."""
    return cv2.convertScaleAbs(image, alpha=0.55, beta=0.0)


def brighter(image: np.ndarray) -> np.ndarray:
    """Every pixel x 1.3 + 40 (saturating)."""
    return cv2.convertScaleAbs(image, alpha=1.3, beta=40.0)


def unchanged(image: np.ndarray) -> np.ndarray:
    """The picture as it is: the baseline the changes are read against."""
    return image


def mirrored(image: np.ndarray) -> np.ndarray:
    """Flipped left to right."""
    return cv2.flip(image, 1)


CHANGES: dict[str, Change] = {
    "nearer": nearer, "farther": farther, "shifted": shifted, "darker": darker,
    "brighter": brighter, "mirrored": mirrored,
}
