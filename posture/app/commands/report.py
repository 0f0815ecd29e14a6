"""`posture report`: the day from the history, as text or JSON, and its chart when asked.

The text (or with --json the JSON) always goes to stdout; --out writes the chart besides.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from posture.app.report.chart import write_chart
from posture.app.report.summary import day_summary, format_text
from posture.core.errors import UserError
from posture.io.console import say
from posture.io.history import default_path


def run(args: argparse.Namespace) -> int:
    """Print the day's report (text or JSON) and write the chart when asked."""
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".png", ".html"):
        raise UserError(f"--out {out}: the file name must end in .png or .html")
    summary = day_summary(default_path(), args.day or date.today())
    if out is not None:
        write_chart(summary, out)
        say(f"wrote {out}")
    print(json.dumps(summary, indent=2) if args.json else format_text(summary))
    return 0
