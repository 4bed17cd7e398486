"""Benchmark: 10 clients exploring one store at once, as threads and as processes, on DuckDB and PostgreSQL.

    .venv/bin/python -m bench.load_bench --rows 1000000 [--clients 10] [--interactions 6] [--repeat 2]

One store of `rows` synthetic events (bench.explore_queries' events, seed 1,
one batch) per backend: a DuckDB file, kept under /tmp/load-bench/ while
the generator, the schema version and the count are the same, and a
database on a throwaway PostgreSQL cluster (tests/postgres.py's, 127.0.0.1,
fsync off), filled anew each run from the same events (kept as Parquet).

Each client asks for `interactions` Explore interactions, one after the
other, each `Store.view` (count and fatalities, first table page,
timeline, map aggregates: one rerun of the page) for a filter state of
its own: the clients' states are all different (bench.explore_queries'
`filter_states`; one in four with a text word), so that nothing one client
asked for helps another, and a store that caches answers is cleared
before each run. Clients are:

- threads: `clients` threads of this process sharing one store object, as
  Streamlit's sessions share `ui.store()` (a DuckDB store opens a
  connection per call to the database this process holds open; a
  PostgreSQL store takes one from its pool, if it has one);
- processes: `clients` processes, one store each, as separate app servers
  or scripts would be. DuckDB lets one process at a time open a file
  for writing, which is how its store opens it: interactions refused
  with StoreLockedError are counted, not timed;
- alone: one thread asking for the first client's states, for the cost
  of an interaction when nothing else runs.

With `--variant`, PostgreSQL is also measured as it was before issue 19's
load work, in turn with the store as it is: `connect` opens a connection
per read (no pool), `old-indexes` reads a copy of the database (made from
it as a template) with the indexes it had then. After filling, both
databases are vacuumed (as autovacuum does a minute after a large import),
so that index-only scans can skip the rows. DuckDB's store is opened as
the app opens it, the file kept open a few seconds after each call
(`APP_HOLD_SECONDS`), and let go after each run; `per-call` measures it
as it was before, the file opened and closed for each call.
`serial` reads a copy of the PostgreSQL database whose queries get no
parallel workers (max_parallel_workers_per_gather = 0), a server setting:
ten clients on two cores may do better without them.

All clients start together (a barrier; processes say when they are ready
and are told to go). The runs take turns, their order rotating from one
repetition to the next, so that the machine's drift falls on all alike.
Prints per backend and kind the median and 90th percentile of an
interaction, the interactions per second from the first start to the last
end, refusals, and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

from bench.backends_bench import forget, interaction, load
from bench.explore_queries import _chunks, filter_states
from events.backends import APP_HOLD_SECONDS
from events.duckdb_store import SCHEMA_VERSION, DuckDBStore, release
from events.exc import StoreLockedError
from events.filters import EventQuery
from events.postgres_store import PostgresStore
from events.store import Batch, Store

CACHE = Path("/tmp/load-bench")
BACKENDS = ("duckdb", "postgresql")
KINDS = ("threads", "processes", "alone")
VARIANTS = ("connect", "old-indexes", "per-call", "serial")
# The explore indexes events/postgres_store.py made before issue 19's load work, and the ones after.
OLD_INDEXES = ("CREATE INDEX events_event_date ON events (event_date DESC, event_id)",
               "CREATE INDEX events_event_type ON events (event_type)",
               "CREATE INDEX events_admin1 ON events (admin1)")
NEW_INDEXES = ("events_page_order", "events_date_cover", "events_admin1_date", "events_type_date")


class ConnectPerRead(PostgresStore):
    """The PostgreSQL store as it read before its pool: a new connection for every read."""

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        with self._connect() as con, self._translated():
            yield con


def client_states(clients: int, interactions: int) -> list[list[EventQuery]]:
    """Each client's filter states: all different, one in four with a word."""
    plain = filter_states("none", clients * interactions)
    words = filter_states("text", clients * interactions)
    states = [words[n] if n % 4 == 3 else plain[n] for n in range(clients * interactions)]
    return [states[client::clients] for client in range(clients)]


def _folder(rows: int) -> Path:
    generator = Path(__file__).resolve().parent.parent / "events" / "synthetic.py"
    return CACHE / f"{rows}-v{SCHEMA_VERSION}-{int(generator.stat().st_mtime)}"


def events_table(rows: int) -> pa.Table:
    """The bench's events as one Arrow table, kept as Parquet between runs."""
    path = _folder(rows) / "events.parquet"
    if path.exists():
        return pq.read_table(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    table = pa.concat_tables(list(_chunks(rows)))
    pq.write_table(table, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").rename(path)
    print(f"{rows:,} events generated in {time.perf_counter() - start:.0f} s", flush=True)
    return table


def duckdb_file(rows: int) -> Path:
    path = _folder(rows) / "events.duckdb"
    if not (path.parent / "duckdb-done").exists():
        path.unlink(missing_ok=True)
        DuckDBStore(path).insert(events_table(rows), Batch("bench", "demo"))
        (path.parent / "duckdb-done").write_text("")
    return path


def open_backend(backend: str, target: str) -> Store:
    """`backend` is duckdb, postgresql, or postgresql+VARIANT."""
    if backend == "duckdb":
        return DuckDBStore(Path(target), APP_HOLD_SECONDS)
    if backend == "duckdb+per-call":
        return DuckDBStore(Path(target))
    return ConnectPerRead(target) if backend == "postgresql+connect" else PostgresStore(target)


def _sql(dsn: str, *statements: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as con:
        for statement in statements:
            con.execute(statement)


def postgres_databases(cluster, rows: int, variants: list[str]) -> dict[str, str]:
    """A database of the bench's events (and for `old-indexes` a copy with
    the indexes before), vacuumed: backend name -> DSN."""
    dsn = cluster.createdb()
    start = time.perf_counter()
    PostgresStore(dsn).insert(events_table(rows), Batch("bench", "demo"))
    _sql(dsn, "VACUUM ANALYZE events")
    print(f"PostgreSQL store filled and vacuumed in {time.perf_counter() - start:.0f} s", flush=True)
    targets = {"postgresql": dsn}
    if "connect" in variants:
        targets["postgresql+connect"] = dsn
    source = dsn.rsplit("/", 1)[1]
    for variant in ("old-indexes", "serial"):
        if variant in variants:
            copy = f"{source}_{variant.replace('-', '_')}"
            cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user, "-T", source,
                        copy)
            targets[f"postgresql+{variant}"] = cluster.dsn(copy)
    if "old-indexes" in variants:
        _sql(targets["postgresql+old-indexes"], *(f"DROP INDEX {name}" for name in NEW_INDEXES), *OLD_INDEXES,
             "VACUUM ANALYZE events")
    if "serial" in variants:
        _sql(targets["postgresql+serial"], f"ALTER DATABASE {source}_serial SET max_parallel_workers_per_gather = 0")
    return targets


@dataclass
class Run:
    """What one run of clients measured."""

    times: list[float] = field(default_factory=list)
    refused: int = 0
    began: float = float("inf")
    ended: float = 0.0

    def add(self, other: dict) -> None:
        self.times += other["times"]
        self.refused += other["refused"]
        self.began, self.ended = min(self.began, other["began"]), max(self.ended, other["ended"])


def _client(store: Store, states: list[EventQuery]) -> dict:
    """Ask for each state in turn: seconds of each, refusals, first start and last end."""
    times, refused = [], 0
    began = time.time()
    for query in states:
        start = time.perf_counter()
        try:
            interaction(store, query)
        except StoreLockedError:
            refused += 1
            continue
        times.append(time.perf_counter() - start)
    return {"times": times, "refused": refused, "began": began, "ended": time.time()}


def in_threads(store: Store, states: list[list[EventQuery]]) -> Run:
    run, lock = Run(), threading.Lock()
    barrier = threading.Barrier(len(states))

    def client(mine: list[EventQuery]) -> None:
        barrier.wait()
        measured = _client(store, mine)
        with lock:
            run.add(measured)

    threads = [threading.Thread(target=client, args=(mine,)) for mine in states]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def in_processes(backend: str, target: str, clients: int, interactions: int) -> Run:
    children = [subprocess.Popen([sys.executable, "-m", "bench.load_bench", "--child", backend, target,
                                  str(clients), str(interactions), str(number)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for number in range(clients)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    run = Run()
    for child in children:
        out, _ = child.communicate(timeout=1800)
        assert child.returncode == 0, out
        run.add(json.loads(out))
    return run


def child(backend: str, target: str, clients: int, interactions: int, number: int) -> None:
    """One client process: open the store (retrying while DuckDB's file is
    locked by another), say ready, wait for go, run, print the figures."""
    while True:
        try:
            store = open_backend(backend, target)
            break
        except StoreLockedError:
            time.sleep(0.05)
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(_client(store, client_states(clients, interactions)[number])), flush=True)


def _report(backend: str, kind: str, runs: list[Run], clients: int) -> None:
    times = [t for run in runs for t in run.times]
    refused = sum(run.refused for run in runs)
    rate = statistics.median(len(run.times) / (run.ended - run.began) for run in runs)
    median = statistics.median(times) * 1000 if times else float("nan")
    p90 = statistics.quantiles(times, n=10)[-1] * 1000 if len(times) > 1 else median
    print(f"{backend:22} {kind:10} {1 if kind == 'alone' else clients:>7} {len(times):>7} {refused:>7} "
          f"{median:9.0f} {p90:8.0f} {rate:8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=6, help="interactions per client and run")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each backend and kind")
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="repeatable; default both")
    parser.add_argument("--kind", action="append", choices=KINDS, help="repeatable; default all")
    parser.add_argument("--variant", action="append", choices=VARIANTS, default=[],
                        help="also PostgreSQL as before (without the pool, with the old indexes), DuckDB on one"
                             " connection (repeatable)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        backend, target, clients, interactions, number = args.child
        child(backend, target, int(clients), int(interactions), int(number))
        return
    from tests.postgres import throwaway_cluster

    backends, kinds = args.backend or list(BACKENDS), args.kind or list(KINDS)
    began = time.perf_counter()
    print(f"load at the start: {load()}", flush=True)
    with throwaway_cluster("load-bench-pg-") as cluster:
        targets = {}
        if "duckdb" in backends:
            targets["duckdb"] = str(duckdb_file(args.rows))
            if "per-call" in args.variant:
                targets["duckdb+per-call"] = targets["duckdb"]
        if "postgresql" in backends:
            targets.update(postgres_databases(cluster, args.rows, args.variant))
        backends = list(targets)
        stores = {backend: open_backend(backend, target) for backend, target in targets.items()}
        states = client_states(args.clients, args.interactions)
        plan = [(backend, kind) for kind in kinds for backend in backends
                if (backend, kind) != ("duckdb+per-call", "processes")]
        runs: dict[tuple[str, str], list[Run]] = {step: [] for step in plan}
        loads = []
        for number in range(args.repeat):
            for backend, kind in plan[number % len(plan):] + plan[:number % len(plan)]:
                if backend.startswith("duckdb"):
                    release(Path(targets[backend]))  # the file free for the processes, and cold for all alike
                forget(stores[backend])
                if kind == "threads":
                    run = in_threads(stores[backend], states)
                elif kind == "processes":
                    run = in_processes(backend, targets[backend], args.clients, args.interactions)
                else:
                    run = in_threads(stores[backend], states[:1])
                runs[(backend, kind)].append(run)
                loads.append(os.getloadavg()[0])
                print(f"  run {number + 1}, {backend} {kind}: {len(run.times)} interactions in "
                      f"{run.ended - run.began:.1f} s (load {loads[-1]:.2f})", flush=True)
    print(f"\n{args.rows:,} events; {args.interactions} interactions per client and run, {args.repeat} runs each; "
          f"load (1 min) during the runs {min(loads):.2f}-{max(loads):.2f}")
    print(f"{'backend':22} {'clients':10} {'':>7} {'timed':>7} {'refused':>7} {'median ms':>9} {'p90 ms':>8} "
          f"{'per s':>8}")
    for backend, kind in sorted(runs, key=lambda step: (KINDS.index(step[1]), backends.index(step[0]))):
        _report(backend, kind, runs[(backend, kind)], args.clients)
    print(f"\nload at the end: {load()}; the whole run took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
