"""Command line: `python -m geo geocode QUERY [--admin1 NAME] --json`,
`python -m geo reverse LAT LON --json`, `python -m geo evaluate [--failures] [--json]`
(scores on the real dev files, see geo/evaluate.py).

Exit status 0 when found, 1 when not (coordinates null, a message given).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .gazetteer import read_extra_places
from .geocoder import OfflineGeocoder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Offline Syrian geocoder")
    commands = parser.add_subparsers(dest="command", required=True)
    geocode = commands.add_parser("geocode", help="place phrase -> point")
    geocode.add_argument("query")
    geocode.add_argument("--admin1", help="governorate to prefer, any spelling")
    geocode.add_argument("--places", action="append", default=[],
                         help="CSV of extra places (python -m events places writes one); repeatable")
    geocode.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    reverse = commands.add_parser("reverse", help="point -> admin areas")
    reverse.add_argument("latitude", type=float)
    reverse.add_argument("longitude", type=float)
    reverse.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    evaluate = commands.add_parser("evaluate", help="score on the real Syrian dev files of ../shared/corpora")
    evaluate.add_argument("--corpora", type=Path, help="folder of the corpora (default ../shared/corpora)")
    evaluate.add_argument("--failures", action="store_true", help="list failing rows of the tuned part only")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.command == "evaluate":
        return _evaluate(args)

    extra = [place for path in getattr(args, "places", []) for place in read_extra_places(path)]
    geocoder = OfflineGeocoder(extra_places=extra)
    if args.command == "geocode":
        location = geocoder.geocode(args.query, admin1=args.admin1)
        if location is None:
            out = {"query": args.query, "name": None, "latitude": None, "longitude": None,
                   "message": f"no place found for {args.query!r}"}
        else:
            out = {**location.raw, "query": args.query, "name": location.address,
                   "latitude": location.latitude, "longitude": location.longitude}
    else:
        location = geocoder.reverse((args.latitude, args.longitude))
        if location is None:
            inside_earth = -90 <= args.latitude <= 90 and -180 <= args.longitude <= 180
            out = {"latitude": args.latitude, "longitude": args.longitude, "admin1": None,
                   "message": "the point is outside Syria's mapped areas" if inside_earth
                   else "latitude must be in -90..90 and longitude in -180..180"}
        else:
            out = {**location.raw, "latitude": args.latitude, "longitude": args.longitude}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0 if location is not None else 1


def _evaluate(args: argparse.Namespace) -> int:
    from . import evaluate  # geopy.distance and the corpora only when asked

    try:
        scores, failures = evaluate.evaluate(args.corpora or evaluate.CORPORA)
    except FileNotFoundError as err:
        print(f"the corpora are not there: {err}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(evaluate.as_json(scores), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(evaluate.table(scores))
    if args.failures:
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
