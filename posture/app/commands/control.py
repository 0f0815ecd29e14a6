"""`posture status`, `pause`, `resume`, `show` and `quit`: steer the running monitor over its
control socket, e.g. from a desktop keyboard shortcut. Quick: the standard library only, no
Qt, camera or model. Without a running monitor: one line and exit 2."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime

from posture.core.errors import UserError
from posture.core.pauses import Pause, pause_until, pauses_words, until_words
from posture.core.states import STATE_TEXT
from posture.io.control_socket import InstanceLock, request, runtime_dir
from posture.io.settings import load_settings

GONE_WAIT_S = 5.0  # after its session closed, a monitor ends (lets its lock go) within this


def run(args: argparse.Namespace) -> int:
    """Send the command to the running monitor and say what it did."""
    message: dict = {"cmd": args.command}
    if args.command == "pause" and args.duration is not None:
        # "tomorrow" is when work starts next, by the settings' [schedule].
        hours = (load_settings().schedule.work_hours()
                 if args.duration.strip().lower() == "tomorrow" else None)
        try:
            message["until"] = pause_until(args.duration, datetime.now(), hours)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    answer = request(message)
    if not answer.get("ok"):
        raise UserError(answer.get("error", "the monitor refused the request"))
    if args.command == "status":
        print(json.dumps({k: v for k, v in answer.items() if k != "ok"}, indent=2)
              if args.json else describe(answer))
    elif args.command == "pause":
        print(f"paused{until_text(answer.get('until'))}; resume with posture resume")
    elif args.command == "resume":
        left = pauses_words([Pause(**p) for p in answer.get("still_pauses", [])], time.time())
        if answer.get("was_paused"):
            print(f"your pause ended, but it is still {left}" if left else "resumed")
        elif left:
            print(f"not paused by you; still {left}")
        else:
            print("not paused")
    elif args.command == "show":
        print("camera window shown")
    elif answer.get("stopped"):
        InstanceLock(runtime_dir(create=False)).wait_free(GONE_WAIT_S)
        print(f"the monitor stopped: {answer.get('outcome') or 'session closed'}")
    else:
        print("the monitor is stopping but has not closed its session yet: posture status "
              "says when it has gone")
    return 0


def until_text(until: float | None) -> str:
    """' until 10:15' (with the day when not today), or ' until you resume'."""
    return until_words(until, time.time()) if until is not None else " until you resume"


def describe(status: dict) -> str:
    """The status in one line for people."""
    words = [STATE_TEXT.get(status.get("state", ""), status.get("state", "?"))]
    pauses = [Pause(**p) for p in status.get("pauses", [])]
    if pauses:
        words[0] = pauses_words(pauses, time.time())
    elif status.get("score") is not None:
        words.append(f"score {round(status['score'])}")
    if status.get("good_share_today") is not None:
        words.append(f"{round(100 * status['good_share_today'])} % good today")
    if status.get("muted"):
        words.append("muted")
    if status.get("snoozed_until"):
        words.append(f"prompts snoozed{until_text(status['snoozed_until'])}")
    words.append("in the tray" if status.get("tray") else "no tray icon")
    if status.get("window"):
        words.append("window shown")
    return "posture: " + ", ".join(words)
