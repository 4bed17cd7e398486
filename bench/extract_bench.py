"""Benchmark: drafting events from the development set's reports.

    .venv/bin/python -m bench.extract_bench [--repeat 5]

Ours: one geocoder and the compiled lexicons, reused for every report (as
the app and the CLI do). Naive: what a first attempt does, building the
lexicons and the gazetteer again for each report. Reports the median
milliseconds per report over the whole set (64 reports), each run in a
fresh process so that no cache from another run helps.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEVSET = Path(__file__).resolve().parent.parent / "extract" / "devset" / "reports.jsonl"


def child(kind: str) -> dict:
    import datetime as dt

    from extract import lexicons
    from extract.draft import draft_events
    from geo.gazetteer import Gazetteer
    from geo.geocoder import OfflineGeocoder

    records = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    geocoder = OfflineGeocoder()
    draft_events(records[0]["text"], dt.date.fromisoformat(records[0]["published"]), geocoder)  # warm-up
    times = []
    for record in records:
        start = time.perf_counter()
        if kind == "naive":
            for loader in (lexicons.triggers, lexicons.actors, lexicons.force_nouns, lexicons.nationality_adjectives,
                           lexicons.quantities, lexicons.death_words, lexicons.outlets, lexicons.time_words):
                loader.cache_clear()
            geocoder = OfflineGeocoder(gazetteer=Gazetteer())
        draft_events(record["text"], dt.date.fromisoformat(record["published"]), geocoder)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "reports": len(records)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    medians = {}
    for kind in ("ours", "naive"):
        runs = [json.loads(subprocess.run([sys.executable, "-m", "bench.extract_bench", "--child", kind],
                                          capture_output=True, text=True, check=True).stdout)
                for _ in range(args.repeat)]
        medians[kind] = statistics.median(r["median_ms"] for r in runs)
        print(f"{kind:6} {runs[0]['reports']} reports: median {medians[kind]:8.2f} ms a report "
              f"(slowest report {max(r['max_ms'] for r in runs):.1f} ms)")
    print(f"ours is {medians['naive'] / medians['ours']:.0f}x faster than rebuilding per report; goal < 50 ms")


if __name__ == "__main__":
    main()
