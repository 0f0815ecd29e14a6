"""What the camera-in-use scan costs: CPU and wall time of one scan of /proc, and its share of
a core at the watcher's polling interval.

Usage, from the repository root:
    python -m benchmarks.camera_scan [--scans 50] [--processes 300] [--fds 40] [--json]

A desktop runs a few hundred processes of its user with tens of open files each; this machine
runs few, so `--processes` idle `sleep` processes are started first, each holding `--fds` open
files (0 scans the machine as it is). The scan is posture.io.camera_use's: it runs when the
camera's device is opened or closed (inotify), and every POLL_S seconds only where inotify is
missing, so the share of a core printed is the worst case, not the usual one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from posture.io.camera_use import POLL_S, PROC, CameraUseDetector


def idle_processes(stack: ExitStack, count: int, fds: int, folder: Path) -> None:
    """Start `count` sleeping processes that each inherit `fds` open files; ended on exit."""
    handles = [stack.enter_context((folder / f"file{i}").open("wb")) for i in range(fds)]
    kept = [h.fileno() for h in handles]
    for _ in range(count):
        child = subprocess.Popen(["sleep", "3600"], pass_fds=kept)
        stack.callback(child.wait)
        stack.callback(child.kill)


def measure(scans: int, processes: int, fds: int) -> dict[str, Any]:
    """Median CPU and wall milliseconds per scan over `scans` scans of the live /proc."""
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        idle_processes(stack, processes, fds, folder)
        device = folder / "video0"
        device.write_bytes(b"")
        detector = CameraUseDetector(device)
        cpu, wall = [], []
        for _ in range(scans):
            c0, w0 = time.process_time(), time.perf_counter()
            detector.users()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        seen = sum(1 for e in os.scandir(PROC) if e.name.isdigit())
    cpu_ms, wall_ms = statistics.median(cpu) * 1000, statistics.median(wall) * 1000
    return {"processes_scanned": seen, "scans": scans, "cpu_ms_per_scan": cpu_ms,
            "wall_ms_per_scan": wall_ms, "poll_s": POLL_S,
            "core_share_percent": cpu_ms / 1000 / POLL_S * 100}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=50)
    parser.add_argument("--processes", type=int, default=300,
                        help="idle processes to start first (a desktop's worth)")
    parser.add_argument("--fds", type=int, default=40, help="open files each of them holds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.scans, args.processes, args.fds)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['processes_scanned']} processes scanned: "
              f"{report['cpu_ms_per_scan']:.2f} ms CPU, {report['wall_ms_per_scan']:.2f} ms wall "
              f"per scan (median of {args.scans}); every {POLL_S:g} s that is "
              f"{report['core_share_percent']:.2f} % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
