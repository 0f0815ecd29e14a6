"""The edges: camera, video and image sources, the pose model, voice, drawing, window and
terminal keys, the history database and the user's files. Built on `posture.core`; never
imports `posture.app`."""
