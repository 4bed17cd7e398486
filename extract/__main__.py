"""Command line.

  python -m extract draft --published DATE FILE|- --json   draft events with evidence and confidence
  python -m extract evaluate [FILE ...] [--split tuned|untouched] [--json] [--misses]
                                 the issue's measures on our development set and ACLED's files
  python -m extract calibrate FILE.jsonl   measure confidences on its dev split, rewrite calibration.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from events.schema import format_value

from .draft import DRAFT_EXTRAS, ReportTooLongError, draft_events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract", description="Report text -> draft events")
    commands = parser.add_subparsers(dest="command", required=True)
    draft = commands.add_parser("draft", help="draft events from one report")
    draft.add_argument("file", help="report text file, or - for standard input")
    draft.add_argument("--published", required=True, type=dt.date.fromisoformat, help="publication date, YYYY-MM-DD")
    draft.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    evaluating = commands.add_parser("evaluate", help="score the extractor on our sets (.jsonl) and ACLED's (.csv)")
    evaluating.add_argument("files", nargs="*", help="default: our development set and ../shared's ACLED files")
    evaluating.add_argument("--split", choices=("tuned", "untouched", "dev", "held_out"),
                            help="only this part of each file (tuned = dev, untouched = held_out)")
    evaluating.add_argument("--json", action="store_true", help="print JSON rather than a table")
    evaluating.add_argument("--misses", action="store_true", help="list the tuned part's misses after the table")
    calibrating = commands.add_parser("calibrate", help="measure confidences on the dev split of a JSONL set")
    calibrating.add_argument("file")
    args = parser.parse_args(argv)

    if args.command == "calibrate":
        from . import calibrate

        rows = calibrate.measure(args.file)
        calibrate.write(rows)
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.command == "evaluate":
        from . import evaluate

        results = evaluate.evaluate_all(args.files or evaluate.default_files(), args.split)
        if args.json:
            json.dump(results[0] if len(results) == 1 else results, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return 0
        print(evaluate.table(results))
        if args.misses:
            for result in results:
                for miss in result["misses"]:
                    print(f"{result['file']} {miss['id']} {miss['field']}: gold {miss['gold']!r}, got {miss['got']!r}")
        return 0

    if args.file == "-":
        raw = sys.stdin.read()
    else:
        try:
            with open(args.file, encoding="utf-8") as handle:
                raw = handle.read()
        except (OSError, UnicodeDecodeError) as err:
            print(f"cannot read {args.file}: {err}", file=sys.stderr)
            return 2
    try:
        drafts = draft_events(raw, args.published)
    except ReportTooLongError as err:
        print(err, file=sys.stderr)
        return 2
    out = [
        {k: (v if k in DRAFT_EXTRAS or not hasattr(v, "isoformat") else format_value(v))
         for k, v in d.items()}
        for d in drafts
    ]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
