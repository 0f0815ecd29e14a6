"""Today from the history, for the live monitor's tray: the share of good posture (its
tooltip) and the HTML report (its menu). The one place the monitor calls the report module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from posture.app.report.summary import day_summary
from posture.core.errors import UserError
from posture.io.control_socket import runtime_dir
from posture.io.history import default_path


def good_share_today() -> float | None:
    """Today's share of good posture (0..1), None before any verdict today or when the
    history cannot be read (the report says why)."""
    try:
        return day_summary(default_path(), date.today())["good_share"]
    except UserError:
        return None


def write_today_html() -> Path:
    """Write today's HTML report into the user's private runtime folder (replacing the last
    one); its path (UserError when the history cannot be read)."""
    from posture.app.report.chart import write_chart  # its drawing stack only when asked

    out = runtime_dir() / "today.html"
    write_chart(day_summary(default_path(), date.today()), out)
    return out
