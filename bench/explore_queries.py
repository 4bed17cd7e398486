"""Benchmark: what the Explore page asks of the store, against a naive baseline.

    .venv/bin/python -m bench.explore_queries --count 100000 [--repeat 5] [--batches 20]

Generates `count` synthetic events (seeded), stores them in two temporary
DuckDB files, once as one batch and once as `batches` imports of equal
size, then times each Explore view, `repeat` times, alternating:

- ours: the store's summary + points + timeline (aggregated in DuckDB,
  filters as bound parameters), on the store of one batch and on the
  store of `batches` (they should answer alike: every event is in one table);
- naive: read every event into pandas, filter and aggregate there, as a
  quick Streamlit script would on each rerun.

Prints medians, the ratio naive/ours, and the size of the map payload
(aggregated places vs one JSON object per raw event).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from events.store import Batch
from events.synthetic import generate

VIEWS = {
    "all events": EventQuery(),
    "Hama": EventQuery(admin1=("Hama",)),
    "air strikes 2024, 5+ dead": EventQuery(event_type=("Explosions/Remote violence",),
                                            date_from=pd.Timestamp("2024-01-01").date(), min_fatalities=5),
    "text 'clash'": EventQuery(text="clash"),
}


def ours(store: DuckDBStore, query: EventQuery) -> int:
    store.summary(query)
    places = store.points(query)
    store.timeline(query)
    return len(places)


def naive(store: DuckDBStore, query: EventQuery) -> int:
    frame = store.frame(EventQuery())
    mask = pd.Series(True, index=frame.index)
    if query.admin1:
        mask &= frame["admin1"].isin(query.admin1)
    if query.event_type:
        mask &= frame["event_type"].isin(query.event_type)
    if query.date_from:
        mask &= frame["event_date"] >= pd.Timestamp(query.date_from)
    if query.min_fatalities:
        mask &= frame["fatalities"] >= query.min_fatalities
    if query.text:
        mask &= frame["notes"].str.contains(query.text, case=False, regex=False)
    chosen = frame[mask]
    chosen["fatalities"].sum()
    places = chosen.groupby(["location", "admin1", "latitude", "longitude"]).size()
    chosen.groupby(chosen["event_date"].dt.to_period("M")).size()
    return len(places)


def median_seconds(fns, repeat: int) -> list[float]:
    """The median time of each of `fns`, run in turn `repeat` times (in
    turn, so that the machine's drift falls on all of them alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, seen in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            seen.append(time.perf_counter() - start)
    return [statistics.median(seen) for seen in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batches", type=int, default=20, help="imports the second store holds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = DuckDBStore(Path(tmp) / "bench.duckdb")
        many = DuckDBStore(Path(tmp) / f"bench-{args.batches}.duckdb")
        start = time.perf_counter()
        events = list(generate(args.count, seed=1, prefix="bench"))
        generated = time.perf_counter() - start
        start = time.perf_counter()
        store.insert(events, Batch("bench", "demo"))
        inserted = time.perf_counter() - start
        size = -(-len(events) // args.batches)
        for number in range(args.batches):
            many.insert(events[number * size:(number + 1) * size], Batch(f"bench-{number}", "acled"))
        print(f"{args.count:,} events: generated in {generated:.1f} s, stored in {inserted:.1f} s "
              f"({args.count / inserted:,.0f} rows/s, one transaction); again as {args.batches} batches")
        print(f"{'view':28} {'ours (s)':>9} {f'{args.batches} batches':>11} {'ratio':>6} {'naive (s)':>10} "
              f"{'naive/ours':>11}  places")
        for name, query in VIEWS.items():
            places = ours(store, query)
            assert places == naive(store, query) == ours(many, query), name
            fast, batched, slow = median_seconds([lambda q=query: ours(store, q), lambda q=query: ours(many, q),
                                                  lambda q=query: naive(store, q)], args.repeat)
            print(f"{name:28} {fast:9.3f} {batched:11.3f} {batched / fast:5.2f}x {slow:10.3f} "
                  f"{slow / fast:10.1f}x  {places:,}")
        points = store.points(EventQuery())
        aggregated = len(points.to_json(orient="records"))
        raw = len(json.dumps([{"latitude": e["latitude"], "longitude": e["longitude"], "location": e["location"],
                               "event_type": e["event_type"], "fatalities": e["fatalities"]} for e in events]))
        print(f"map payload: aggregated {aggregated / 1e3:,.0f} kB vs raw points {raw / 1e6:,.1f} MB")


if __name__ == "__main__":
    main()
