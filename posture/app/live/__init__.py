"""The live monitor behind `posture run`: `monitor.LiveMonitor` (the loop and what each frame
does, one controller for every front end), and the front ends around it (`start`, `desktop`)."""
