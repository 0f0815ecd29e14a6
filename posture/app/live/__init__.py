"""The live monitor behind `posture run`: `monitor.LiveMonitor` (the loop and what each frame
does) and `screen.Screen` (window or terminal, keys and waiting)."""
