"""Command line for the events core.

  python -m events init [--db PATH]                  build the store from the default data
  python -m events generate --count N --out FILE     synthetic events as native CSV
  python -m events import FILE [--db PATH] --json    import a native CSV
  python -m events query [filters] --json            {count, fatalities}
  python -m events export --out FILE [filters]       native CSV of the filtered set

Filters: --from DATE --to DATE --type T... --admin1 NAME... --min-fatalities N
--text S --status draft|reviewed|all (the same definitions the pages use).
Exit status: 0 done, 2 the input or the store could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .exc import EventsError
from .filters import EventQuery
from .native import write_native
from .store import open_store


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="DuckDB file (default data/events.duckdb)")
    parser.add_argument("--dsn", help="PostgreSQL URL (or EVENTS_DSN)")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (inclusive)")
    parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (inclusive)")
    parser.add_argument("--type", dest="event_type", action="append", default=[], help="event type (repeatable)")
    parser.add_argument("--admin1", action="append", default=[], help="governorate (repeatable)")
    parser.add_argument("--min-fatalities", dest="min_fatalities")
    parser.add_argument("--text", help="text in notes, location, actors or source")
    parser.add_argument("--status", choices=("draft", "reviewed", "all"), default="all")


def _query(args: argparse.Namespace) -> EventQuery:
    keys = ("date_from", "date_to", "event_type", "admin1", "min_fatalities", "text", "status")
    return EventQuery.from_params({k: getattr(args, k) or [] for k in keys})


def _print(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m events", description="Conflict events: store, query, export")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="build the store from the embedded default data if it is empty")
    _add_store(init)
    generate = commands.add_parser("generate", help="write seeded synthetic events as native CSV")
    generate.add_argument("--count", type=int, default=2000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--out", required=True)
    importing = commands.add_parser("import", help="import a native CSV file")
    importing.add_argument("file")
    importing.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    _add_store(importing)
    query = commands.add_parser("query", help="count and fatalities of the filtered events")
    query.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    _add_store(query)
    _add_filters(query)
    export = commands.add_parser("export", help="write the filtered events as native CSV")
    export.add_argument("--out", required=True)
    export.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM, for Excel")
    _add_store(export)
    _add_filters(export)
    args = parser.parse_args(argv)

    try:
        if args.command == "generate":
            from .synthetic import generate as make

            with open(args.out, "w", encoding="utf-8", newline="") as handle:
                written = write_native(make(args.count, seed=args.seed), handle)
            print(f"wrote {written} events to {args.out}", file=sys.stderr)
            return 0
        store = open_store(args.db, args.dsn)
        if args.command == "init":
            from .default_data import load_default

            stored = load_default(store)
            print(f"{store}: {stored} default events loaded" if stored else f"{store}: already holds events",
                  file=sys.stderr)
        elif args.command == "import":
            from .importer import import_path

            result, batch = import_path(store, Path(args.file))
            _print({
                "format": result.format,
                "rows_read": result.rows_read,
                "accepted": len(result.accepted),
                "rejected": [{"line": p.line, "column": p.column, "reason": p.reason.value, "message": p.message}
                             for p in result.rejected],
                "committed": True,
                "batch_id": batch.batch_id,
            })
        elif args.command == "query":
            summary = store.summary(_query(args))
            _print({"count": summary.count, "fatalities": summary.fatalities})
        elif args.command == "export":
            with open(args.out, "w", encoding="utf-8", newline="") as handle:
                written = write_native(store.iter_events(_query(args)), handle, bom=args.bom)
            print(f"wrote {written} events to {args.out}", file=sys.stderr)
    except (EventsError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
