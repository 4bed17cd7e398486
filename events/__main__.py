"""Command line for the events core.

  python -m events init [--db PATH]                  build the store from the default data
  python -m events generate --count N --out FILE     synthetic events as native CSV
  python -m events import FILE [--format F] [--encoding E] [--strict] [--dry-run] [--area S,W,N,E] --json
                                                     import ACLED, UCDP GED, GDELT or native files
  python -m events undo BATCH_ID [--coder NAME]      remove an import (restoring what it replaced)
  python -m events batches --json                    the recorded imports
  python -m events places --out FILE                 analysts' and learned places (for python -m geo)
  python -m events add-place NAME --lat Y --lon X [--alias A]...   save an analyst's own place
  python -m events query [filters] --json            {count, fatalities}
  python -m events export --out FILE [--format native|acled|geojson] [filters]
  python -m events accounts add NAME --role viewer|coder|reviewer|admin   a team account (password asked)
  python -m events accounts list | remove NAME       the team's accounts

Filters, one per key of events.filters (the URL's names, the same
definitions the pages use): --from/--date-from DATE --to/--date-to DATE
--type/--event-type T... --sub-event-type T... --actor A... --admin1 NAME...
--admin2 NAME... --min-fatalities N --max-fatalities N --geo-precision 1|2|3...
--source S --origin O... --status draft|reviewed|all --text S.
Exit status: 0 done (an import with rejected rows included), 1 strict mode
refused the import, 2 the input or the store could not be used. Every
command takes --json: its report on stdout, and on exit 2 {"error": "..."}.
Only init and import create a store; output files replace their target
only when complete. `accounts add` reads the password at a prompt (twice)
or, when stdin is not a terminal, as the first line of stdin: never from
the command line, which other users of the machine can see.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import getpass
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

from .access import ROLES
from .backends import DEFAULT_DB, open_store
from .checks import Area
from .exc import EventsError, StoreError, ValidationError
from .export import FORMATS as EXPORT_FORMATS
from .export import export as export_events
from .filters import FILTERS, EventQuery
from .formats import FORMATS
from .native import write_native
from .store import Store


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="DuckDB file (default data/events.duckdb)")
    parser.add_argument("--dsn", help="PostgreSQL URL (or EVENTS_DSN)")


# Shorter flags kept from before for three filters; every filter also has
# its key's own flag (--date-from, --event-type, ...).
_FLAGS = {"date_from": ("--from",), "date_to": ("--to",), "event_type": ("--type",)}
_HELP = {"date_from": "first day, YYYY-MM-DD (inclusive)", "date_to": "last day, YYYY-MM-DD (inclusive)",
         "text": "text in notes, location, actors or source (Arabic folded, lightly stemmed)",
         "source": "text in the source", "actor": "actor1 or actor2",
         "origin": "acled, ucdp, gdelt, native, coded, demo", "geo_precision": "1 town, 2 near a town, 3 region"}
_MANY = {f.name for f in dataclasses.fields(EventQuery) if f.default == ()}


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """One option per filter of events.filters, named by its key."""
    for f in FILTERS:
        flags = (*_FLAGS.get(f.key, ()), "--" + f.key.replace("_", "-"))
        help = _HELP.get(f.key, f.label.lower()) + (" (repeatable)" if f.key in _MANY else "")
        if f.key == "status":
            parser.add_argument(*flags, dest=f.key, choices=("draft", "reviewed", "all"), default="all",
                                help="draft, reviewed or all (the default)")
        elif f.key in _MANY:
            parser.add_argument(*flags, dest=f.key, action="append", default=[], help=help)
        else:
            parser.add_argument(*flags, dest=f.key, help=help)


def _query(args: argparse.Namespace) -> EventQuery:
    return EventQuery.from_params({f.key: getattr(args, f.key) or [] for f in FILTERS})


def _print(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _import(store, args: argparse.Namespace) -> int:
    from .importer import ImportPreview, StrictImportRefused, import_path, preview

    path = Path(args.file)
    # Read before anything is checked: a bad area is the whole command's error.
    area = Area.parse(args.area, "--area") if args.area is not None else Area.from_environment()
    progress = None if args.json else _progress
    batch, status = None, 0
    result: ImportPreview
    if args.dry_run:
        result = preview(path.read_bytes(), path.name, store, format=args.format, area=area, progress=progress,
                         path=path, encoding=args.encoding)
    else:
        try:
            result, batch = import_path(store, path, format=args.format, area=area, strict=args.strict,
                                        progress=progress, coder=args.coder or getpass.getuser(),
                                        encoding=args.encoding)
        except StrictImportRefused as err:
            print(f"error: {err}", file=sys.stderr)
            result, status = err.result, 1
    report = {
        "format": result.format,
        "encoding": result.encoding,
        "notices": result.notices,
        "rows_read": result.rows_read,
        "accepted": result.accepted_count,
        "rejected": [{"line": p.line, "column": p.column, "reason": p.reason.value, "message": p.message}
                     for p in result.rejected],
        "skipped": [{"line": s.line, "reason": s.reason.value} for s in result.skipped],
        "duplicates": result.duplicates,
        "replaced": len(result.replaced_ids) if batch else 0,
        "committed": batch is not None,
        "batch_id": batch.batch_id if batch else None,
    }
    if args.json:
        _print(report)
    else:
        for problem in result.rejected:
            print(f"line {problem.line}: {problem.column or '-'}: {problem.reason.value}: {problem.message}")
        print(f"{result.format}: {result.rows_read} rows read, {result.accepted_count} accepted, "
              f"{len(result.rejected)} problems, {len(result.skipped)} skipped "
              f"({result.duplicates} already stored); "
              + (f"committed as {batch.batch_id}" if batch else "nothing stored"))
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    return status


def _store_path(args: argparse.Namespace) -> Path | None:
    """The DuckDB file `open_store` will open, or None when a DSN names the store."""
    if args.dsn or (not args.db and os.environ.get("EVENTS_DSN")):
        return None
    return Path(args.db or os.environ.get("EVENTS_DB") or DEFAULT_DB)


def _open(args: argparse.Namespace, create: bool = False) -> Store:
    """The store of --db/--dsn. Opening a DuckDB file creates it, so only
    `init` and `import` may (`create`): elsewhere a mistyped path would
    read as an empty store and report 0 events."""
    path = _store_path(args)
    if not create and path is not None and not path.exists():
        raise StoreError(f"no event store at {path} (check --db or EVENTS_DB; `init` builds one)")
    return open_store(args.db, args.dsn)


@contextmanager
def _replacing(target: str) -> Iterator[TextIO]:
    """A text file that becomes `target` only if the block succeeds: it is
    written beside it under a temporary name, then renamed over it, so
    that a failure leaves `target` as it was (or absent)."""
    path = Path(target)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as handle:
            yield handle
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _done(args: argparse.Namespace, report: dict, message: str) -> None:
    """What a command did: a sentence on stderr, and with --json the report on stdout."""
    print(message, file=sys.stderr)
    if args.json:
        _print(report)


class _UsageError(Exception):
    """argparse refused the command line (it has said so on stderr)."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, raising _UsageError instead of exiting, so that
    main can report the error as JSON too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise _UsageError(message)


def _password() -> str:
    """The new account's password: asked twice at a terminal, else stdin's first line."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise ValidationError("the two passwords differ")
        return first
    return sys.stdin.read().split("\n", 1)[0].rstrip("\r")


def _accounts(store: Store, args: argparse.Namespace) -> None:
    from . import accounts

    if args.action == "add":
        account = accounts.add_account(store, args.name, args.role, _password(), by=getpass.getuser())
        _done(args, {"name": account.name, "role": account.role}, f"account {account.name} ({account.role}) added")
    elif args.action == "remove":
        if not accounts.remove_account(store, args.name):
            raise ValidationError(f"there is no account named {args.name}")
        _done(args, {"name": args.name, "removed": True}, f"account {args.name} removed, its sessions ended")
    elif args.json:
        _print(accounts.list_accounts(store))
    else:
        for row in accounts.list_accounts(store):
            print(f"{row['name']}\t{row['role']}\tadded {row['created_at']:%Y-%m-%d} by {row['created_by'] or '-'}")


def _progress(fraction: float, message: str) -> None:
    print(f"{fraction:4.0%} {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m events", description="Conflict events: store, query, export")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="build the store from the embedded default data if it is empty")
    init.add_argument("--json", action="store_true", help="print a JSON report")
    _add_store(init)
    generate = commands.add_parser("generate", help="write seeded synthetic events as native CSV")
    generate.add_argument("--count", type=int, default=2000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--out", required=True)
    generate.add_argument("--json", action="store_true", help="print a JSON report")
    importing = commands.add_parser("import", help="import an events file")
    importing.add_argument("file")
    importing.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    importing.add_argument("--strict", action="store_true", help="store nothing if any row is rejected")
    importing.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    importing.add_argument("--encoding", help="read the file in this encoding (default: detected: UTF-8, UTF-16, "
                                              "Windows-1256, Windows-1252)")
    importing.add_argument("--area", help="refuse points outside SOUTH,WEST,NORTH,EAST (default: EVENTS_AREA, "
                           "else the world; write --area=-90,... when it starts with a minus)")
    importing.add_argument("--json", action="store_true", help="print the report as JSON")
    importing.add_argument("--coder", help="who imports, recorded with the batch (default: your login name)")
    _add_store(importing)
    undo = commands.add_parser("undo", help="remove an imported batch")
    undo.add_argument("batch_id")
    undo.add_argument("--coder", help="who undoes it, recorded (default: your login name)")
    undo.add_argument("--json", action="store_true", help="print a JSON report")
    _add_store(undo)
    places = commands.add_parser("places", help="write the places learned from stored events, for geo")
    places.add_argument("--out", required=True)
    places.add_argument("--json", action="store_true", help="print a JSON report")
    _add_store(places)
    add_place = commands.add_parser("add-place", help="save an analyst's own place")
    add_place.add_argument("name")
    add_place.add_argument("--lat", type=float, required=True)
    add_place.add_argument("--lon", type=float, required=True)
    add_place.add_argument("--alias", action="append", default=[], help="another spelling (repeatable)")
    add_place.add_argument("--coder")
    add_place.add_argument("--json", action="store_true", help="print a JSON report")
    _add_store(add_place)
    batches = commands.add_parser("batches", help="list recorded batches")
    batches.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    _add_store(batches)
    query = commands.add_parser("query", help="count and fatalities of the filtered events")
    query.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    _add_store(query)
    _add_filters(query)
    export = commands.add_parser("export", help="write the filtered events as native CSV")
    export.add_argument("--out", required=True)
    export.add_argument("--format", default="native", choices=EXPORT_FORMATS)
    export.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM, for Excel")
    export.add_argument("--json", action="store_true", help="print a JSON report")
    _add_store(export)
    _add_filters(export)
    accounts = commands.add_parser("accounts", help="team accounts: add, list, remove")
    actions = accounts.add_subparsers(dest="action", required=True)
    add_account = actions.add_parser("add", help="add an account (the password is asked, never an argument)")
    add_account.add_argument("name")
    add_account.add_argument("--role", required=True, choices=ROLES)
    remove_account = actions.add_parser("remove", help="remove an account and end its sessions")
    remove_account.add_argument("name")
    list_accounts = actions.add_parser("list", help="list the accounts")
    for action in (add_account, remove_account, list_accounts):
        action.add_argument("--json", action="store_true", help="print a JSON report")
        _add_store(action)
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parser.parse_args(argv)
    except _UsageError as err:
        if "--json" in argv:
            _print({"error": str(err)})
        return 2

    try:
        if args.command == "generate":
            from .synthetic import generate as make

            with _replacing(args.out) as handle:
                written = write_native(make(args.count, seed=args.seed), handle)
            _done(args, {"out": args.out, "written": written}, f"wrote {written} events to {args.out}")
            return 0
        # Filters are read before the store is opened or a file is touched.
        events = _query(args) if args.command in ("query", "export") else EventQuery()
        store = _open(args, create=args.command in ("init", "import"))
        if args.command == "init":
            from .default_data import load_default

            stored = load_default(store)
            path = _store_path(args)
            _done(args, {"store": None if path is None else str(path), "loaded": stored},
                  f"{store}: {stored} default events loaded" if stored else f"{store}: already holds events")
        elif args.command == "import":
            return _import(store, args)
        elif args.command == "accounts":
            _accounts(store, args)
        elif args.command == "undo":
            removed = store.undo_batch(args.batch_id, coder=args.coder or getpass.getuser())
            _done(args, {"batch_id": args.batch_id, "removed": removed},
                  f"batch {args.batch_id}: {removed} events removed")
        elif args.command == "add-place":
            store.save_place(args.name, args.lat, args.lon, aliases=args.alias, coder=args.coder)
            _done(args, {"name": args.name, "latitude": args.lat, "longitude": args.lon, "aliases": args.alias},
                  f"saved {args.name} at {args.lat}, {args.lon}")
        elif args.command == "places":
            learned = store.learned_places()
            with _replacing(args.out) as handle:
                writer = csv.DictWriter(handle, ["name", "aliases", "latitude", "longitude", "admin1", "source"])
                writer.writeheader()
                writer.writerows({**place, "aliases": "|".join(place["aliases"])} for place in learned)
            _done(args, {"out": args.out, "written": len(learned)}, f"wrote {len(learned)} places to {args.out}")
        elif args.command == "batches":
            _print(store.batches().to_dict(orient="records"))
        elif args.command == "query":
            summary = store.summary(events)
            _print({"count": summary.count, "fatalities": summary.fatalities})
        elif args.command == "export":
            with _replacing(args.out) as handle:
                result = export_events(store.iter_events(events), handle, format=args.format, bom=args.bom)
            warnings = list(result.warnings())
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            _done(args, {"out": args.out, "written": result.rows, "warnings": warnings},
                  f"wrote {result.rows} events to {args.out}")
    except (EventsError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        if args.json and not isinstance(err, BrokenPipeError):  # stdout is what broke
            _print({"error": str(err)})
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
