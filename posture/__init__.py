"""posture: a webcam posture monitor that measures slouching against your own calibration.

Three layers, each importing only those below it: `posture.core` (the pure pipeline: plain
data in and out, no devices, files or clocks), `posture.io` (the edges: camera, model, voice,
window, files) and `posture.app` (loops and commands).
"""

__version__ = "0.1.0"
