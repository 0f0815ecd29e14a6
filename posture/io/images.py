"""Frames as the model and the drawing want them: any OpenCV frame (gray, BGR, BGRA, 16-bit)
to BGR uint8 for drawing, or to RGB uint8 of a workable size for the pose model."""

from __future__ import annotations

import cv2
import numpy as np

MAX_SIDE = 1280  # larger frames are downscaled before inference: landmarks do not improve
MIN_SIDE = 64  # smaller frames are upscaled: the detector needs a few pixels to work with


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """Any OpenCV frame (gray, BGR, BGRA, 16-bit) as 3-channel BGR uint8, for drawing on."""
    img = frame
    if img.dtype != np.uint8:
        img = cv2.convertScaleAbs(img, alpha=255.0 / max(float(img.max()), 1.0))
    if img.ndim == 2 or img.shape[2] == 1:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return img


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """Convert any OpenCV frame (gray, BGR, BGRA, 16-bit) to RGB uint8 of a workable size
    (landmarks are normalized, so the scale applied needs no undoing)."""
    img = cv2.cvtColor(to_bgr(frame), cv2.COLOR_BGR2RGB)
    h, w = img.shape[:2]
    scale = 1.0
    if max(h, w) > MAX_SIDE:
        scale = MAX_SIDE / max(h, w)
    elif min(h, w) < MIN_SIDE:
        scale = MIN_SIDE / min(h, w)
    if scale != 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        img = cv2.resize(img, size, interpolation=interp)
    return np.ascontiguousarray(img)
