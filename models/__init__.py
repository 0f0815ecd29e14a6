"""The pose model bundle the program loads, shipped as package data (`posture.models`): the
.task file and its sha256. build_pose_model.py beside it rebuilds it and is not shipped."""
