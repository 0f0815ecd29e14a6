"""posture: a webcam posture monitor that measures slouching against your own calibration."""

__version__ = "0.1.0"
