"""What the live monitor is doing, in one word: the state that the window's text, the tray icon
and `posture status` all show.

A posture state follows the current frame's posture, not the score: sitting up shows "good" at
the next judged frame, while the score (shown apart, as the gauge) falls at its own pace.
"""

from __future__ import annotations

from posture.core.pipeline import FrameResult

# Every state, with the words shown for it (the colour never carries the state alone).
STATE_TEXT = {
    "starting": "Starting",
    "good": "Good posture",
    "slipping": "Posture slipping",
    "slouched": "Slouching - sit up",
    "away": "No one in view",
    "unseen": "Head and shoulders not seen",
    "paused": "Paused",
    "calibrating": "Calibrating",
    "stretching": "Stretching",
    "camera moved": "Camera moved - recalibrate",
    "camera unavailable": "Camera unavailable",
}
STATES = tuple(STATE_TEXT)


def posture_state(result: FrameResult | None, threshold: float) -> str:
    """The state of one monitored frame: "good" as soon as the posture is; a slouch is
    "slipping" until the score reaches `threshold` (a prompt may come), then "slouched"."""
    if result is None or result.pose is None:
        return "away"
    if result.camera_moved:
        return "camera moved"
    a = result.verdict
    if a is None:
        return "unseen"
    if a.posture == "good":
        return "good"
    return "slouched" if result.score >= threshold else "slipping"
