"""Benchmark: the same import and the same Explore queries on DuckDB and PostgreSQL, in one run.

    .venv/bin/python -m bench.backends_bench --rows 1000000 [--imports 3] [--rounds 15]

`rows` synthetic events (events/synthetic.py, seed 1; one in three given
Arabic notes, as in bench/explore_queries.py) are written once as a native
CSV file. Each import round stores that file, as `python -m events import`
does (`importer.import_path`: read, mapped, checked, stored as one batch),
into a new DuckDB file and into a new database of a throwaway PostgreSQL
cluster (started as the tests start theirs, `tests/postgres.py`: on
127.0.0.1, fsync off); the two take turns, the first of each round
alternating, so that the machine's drift falls on both. For PostgreSQL
the time spent in `Store.insert` (COPY into a TEMP table, the checks
there, the copy into `events` with its indexes, ANALYZE) is given too.

Then the queries: the PostgreSQL database of the last import round is
vacuumed (autovacuum does so a minute or so after a large import; it lets
index-only scans skip the rows), and the stores of that round answer one Explore
interaction per round, `Store.view` (the count and fatalities, the first
table page, the timeline, the map's aggregates: what one rerun of the page
asks), for filter states no other round uses (bench.explore_queries'
`filter_states`: none, a Latin word, an Arabic word), the two backends in
turn. Neither store caches answers between calls (a store that does is
cleared before each), so each round is a new query to both; the operating
system's and PostgreSQL's buffers stay warm, as on a server in use.
Prints the medians, the PG/DuckDB ratios and the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

from bench.explore_queries import _ARABIC_NOTES, CELL, MAP_LIMIT, PAGE, filter_states
from events.duckdb_store import DuckDBStore
from events.explore import FIRST_COLUMNS, timeline_unit
from events.export import export
from events.filters import EventQuery
from events.importer import import_path
from events.postgres_store import PostgresStore
from events.store import Store
from events.synthetic import generate
from tests.postgres import Cluster, throwaway_cluster

BACKENDS = ("duckdb", "postgresql")


def _events(count: int) -> Iterator[dict]:
    """The bench's events: explore_queries' (seed 1, Arabic notes for one in three)."""
    rng = random.Random(1)
    for event in generate(count, seed=1, prefix="bench"):
        if rng.random() < 1 / 3:
            event["notes"] = rng.choice(_ARABIC_NOTES).format(place=event["location"])
        yield event


def make_file(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        export(_events(count), handle, format="native")


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes)."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def forget(store: Store) -> None:
    """Drop answers a store keeps between calls, if it keeps any."""
    clear = getattr(store, "clear_cache", None)
    if clear is not None:
        clear()


def _insert_timer(store: Store, spent: list[float]) -> None:
    """Add the seconds of each `store.insert` call to `spent`."""
    insert = store.insert

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return insert(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    store.insert = timed  # type: ignore[method-assign]


def import_once(backend: str, path: Path, workdir: Path, cluster: Cluster, number: int) -> tuple[Store, dict]:
    """A new store of `backend` with `path` imported into it; the import's figures."""
    store: Store
    if backend == "duckdb":
        store = DuckDBStore(workdir / f"import-{number}.duckdb")
    else:
        store = PostgresStore(cluster.createdb())
    inserting: list[float] = []
    _insert_timer(store, inserting)
    start = time.perf_counter()
    result, _ = import_path(store, path)
    seconds = time.perf_counter() - start
    return store, {"seconds": seconds, "accepted": result.accepted_count, "rejected": len(result.rejected),
                   "insert": sum(inserting) if inserting else None, "load": os.getloadavg()[0]}


def _unit(query: EventQuery) -> str:
    return timeline_unit(query.date_from or dt.date(2023, 1, 1), query.date_to or dt.date(2024, 12, 31))


def interaction(store: Store, query: EventQuery) -> tuple[int, int, int]:
    """One Explore rerun, the table's default columns on its page: (count, fatalities, page rows)."""
    view = store.view(query, limit=PAGE, unit=_unit(query), map_limit=MAP_LIMIT, cell_degrees=CELL,
                      columns=FIRST_COLUMNS)
    return view.summary.count, view.summary.fatalities, len(view.page)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    answer = fn()
    return time.perf_counter() - start, answer


def run_imports(path: Path, rows: int, rounds: int, workdir: Path, cluster: Cluster) -> dict[str, Store]:
    figures: dict[str, list[dict]] = {backend: [] for backend in BACKENDS}
    last: dict[str, Store] = {}
    for number in range(rounds):
        order = BACKENDS if number % 2 == 0 else BACKENDS[::-1]
        for backend in order:
            store, figure = import_once(backend, path, workdir, cluster, number)
            assert figure["accepted"] == rows and not figure["rejected"], figure
            figures[backend].append(figure)
            last[backend] = store
            print(f"  import round {number + 1}, {backend}: {figure['seconds']:.2f} s (load {figure['load']:.2f})",
                  flush=True)
    print(f"\nimport of {rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB native CSV), medians of {rounds} rounds")
    print(f"{'backend':11} {'median s':>9} {'rows/s':>9} {'store.insert s':>15}  runs")
    medians = {}
    for backend in BACKENDS:
        runs = figures[backend]
        medians[backend] = statistics.median(r["seconds"] for r in runs)
        inserts = [r["insert"] for r in runs if r["insert"] is not None]
        insert = f"{statistics.median(inserts):15.2f}" if inserts else f"{'(one step)':>15}"
        print(f"{backend:11} {medians[backend]:9.2f} {rows / medians[backend]:9,.0f} {insert}  "
              + ", ".join(f"{r['seconds']:.2f}" for r in runs))
    print(f"PostgreSQL/DuckDB import time: {medians['postgresql'] / medians['duckdb']:.2f}x")
    return last


def run_queries(stores: dict[str, Store], rounds: int) -> None:
    print(f"\nExplore interaction (Store.view), medians of {rounds} rounds, a new filter state each")
    print(f"{'filters':8} {'DuckDB ms':>10} {'PG ms':>8} {'PG/DuckDB':>10} {'PG p90':>7}  matched (median)  load")
    for mode in ("none", "text", "arabic"):
        times: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
        matched = []
        for number, query in enumerate(filter_states(mode, rounds)):
            answers = set()
            for backend in BACKENDS if number % 2 == 0 else BACKENDS[::-1]:
                forget(stores[backend])
                seconds, answer = _timed(lambda b=backend, q=query: interaction(stores[b], q))
                times[backend].append(seconds)
                answers.add(answer)
            assert len(answers) == 1, (query, answers)
            matched.append(answers.pop()[0])
        duck, pg = (statistics.median(times[b]) * 1000 for b in BACKENDS)
        p90 = statistics.quantiles(times["postgresql"], n=10)[-1] * 1000 if rounds > 1 else pg
        print(f"{mode:8} {duck:10.1f} {pg:8.1f} {pg / duck:9.2f}x {p90:7.1f}  {statistics.median(matched):>15,.0f}"
              f"  {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--imports", type=int, default=3, help="import rounds per backend")
    parser.add_argument("--rounds", type=int, default=15, help="query rounds per filter mode")
    args = parser.parse_args()
    began = time.perf_counter()
    print(f"load at the start: {load()}", flush=True)
    with (tempfile.TemporaryDirectory(prefix="backends-bench-") as tmp,
          throwaway_cluster("backends-bench-pg-") as cluster):
        workdir = Path(tmp)
        path = workdir / f"events-{args.rows}.csv"
        start = time.perf_counter()
        make_file(path, args.rows)
        print(f"{args.rows:,} events written in {time.perf_counter() - start:.0f} s", flush=True)
        stores = run_imports(path, args.rows, args.imports, workdir, cluster)
        postgres = stores["postgresql"]
        assert isinstance(postgres, PostgresStore)
        with psycopg.connect(postgres.dsn, autocommit=True) as con:
            con.execute("VACUUM ANALYZE events")
        run_queries(stores, args.rounds)
    print(f"\nload at the end: {load()}; the whole run took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
