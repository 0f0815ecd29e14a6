"""Today from the history, for the live monitor's tray: the share of good posture (its
tooltip) and the HTML report (its menu). The one place the monitor calls the report module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from posture.app.report.summary import report_days
from posture.core.errors import UserError
from posture.core.stretches import Library
from posture.io.control_socket import runtime_dir
from posture.io.history import default_path


def good_share_today() -> float | None:
    """Today's share of good posture (0..1), None before any verdict today or when the
    history cannot be read (the report says why)."""
    try:
        return report_days(default_path(), date.today(), 1)[0].summary["good_share"]
    except UserError:
        return None


def write_today_html(library: Library) -> Path:
    """Write today's HTML report into the user's private runtime folder (replacing the last
    one); its path (UserError when the history cannot be read)."""
    from posture.app.report import export  # matplotlib, only when the report is asked for

    out = runtime_dir() / "today.html"
    names = {s.id: s.name for s in library.stretches.values()}
    page = export.html_page(report_days(default_path(), date.today(), 1), names)
    export.write(out, page.encode("utf-8"))
    return out
