"""`posture report`: days from the history as text or JSON, and as a chart, a page or a CSV.

The range is `--days N` (`--week`: 7, the default) days ending with `--day DATE` (default:
today); `--day DATE` alone is that one day, in detail. The text (or with --json the JSON)
always goes to stdout; --out and --csv write their files besides.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from posture.app.report.summary import report_days
from posture.app.report.text import day_text, days_text
from posture.core.errors import UserError
from posture.io.console import say
from posture.io.history import default_path
from posture.io.library import load_library
from posture.io.outputs import check_outputs

WEEK = 7


def run(args: argparse.Namespace) -> int:
    """Print the days (text or JSON) and write the files asked for."""
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".png", ".html"):
        raise UserError(f"--out {out}: the file name must end in .png or .html")
    history = default_path()
    check_outputs([], out=args.out, csv=args.csv)
    count = args.days or (WEEK if args.week or args.day is None else 1)
    days = report_days(history, args.day or date.today(), count)
    names = {s.id: s.name for s in load_library().stretches.values()}
    if out is not None or args.csv:
        from posture.app.report import export  # matplotlib, only when a file is asked for

        if out is not None:
            if out.suffix.lower() == ".png":
                from posture.app.report.charts import png, report_chart

                export.write(out, png(report_chart(days).figure))
            else:
                export.write(out, export.html_page(days, names).encode("utf-8"))
            say(f"wrote {out}")
        if args.csv:
            export.write(Path(args.csv), export.csv_text(days).encode("utf-8"))
            say(f"wrote {args.csv}")
    if args.json:
        print(json.dumps({"history": str(history), "days": [d.summary for d in days]},
                         indent=2))
    elif count == 1:
        print(day_text(days[0].summary, str(history), names))
    else:
        print(days_text(days, str(history)))
    return 0
