"""The calibration protocol as data (protocol.json), shipped as `posture.calibration_data`."""
