"""Benchmark: importing an ACLED-format CSV with 1% bad rows, ours vs naive.

    .venv/bin/python -m bench.import_bench --rows 1000000 [--naive-rows 50000] [--repeat 5]
    .venv/bin/python -m bench.import_bench --rows 1000000 --bare-cr [--bare-cr-at 0.5] [--repeat 5]

The file is made from seeded synthetic events written in ACLED's column set
(events.export), with every 100th row broken (latitude 95). Each run is a
fresh process importing into a fresh DuckDB file, so peak memory (max RSS)
is the import's own. Three baselines run beside it:

- the ceiling: DuckDB's typed `read_csv` inserted into a table in one
  transaction, with no checks, no mapping and no line numbers;
- the bound: the least any import that maps and checks rows in DuckDB
  does: the file parsed, mapped by the ACLED adapter and checked (the list
  of failed checks made for each row) straight into a table of the store
  file, each value written once, with no line numbers, no reports, no
  second step. Ceiling, bound and ours run in turn, so that all three meet
  the same machine (this one's speed drifts by a third from one minute to
  the next), and the ratios of their medians are what to compare;
- the naive path, what a first attempt looks like: pandas read_csv,
  per-row Python validation, executemany inserts; measured on fewer rows
  and its rate extrapolated.

With --bare-cr, ours alone is timed, on the file as made and, in turn, on
the same file with two bare CRs in one row (at --bare-cr-at of the file): one
inside its quoted notes and one for its line end (a CR where the CRLF was).
The ratio of the two medians is what a bare CR costs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BAD_EVERY = 100


def make_file(path: Path, rows: int) -> int:
    """Write the ACLED-format file; returns the number of bad rows."""
    from events.export import export
    from events.synthetic import generate

    def broken():
        for number, event in enumerate(generate(rows, seed=42, prefix="bench"), start=1):
            if number % BAD_EVERY == 0:
                event["latitude"] = 95.0
            event["origin"] = "acled"
            event["source_id"] = f"acled:SYR{number}"
            yield event

    with open(path, "w", encoding="utf-8", newline="") as handle:
        export(broken(), handle, format="acled")
    return rows // BAD_EVERY


def bare_cr_file(path: Path, target: Path, at: float) -> None:
    """Write `path` again to `target`, with two bare CRs in the first good
    row from `at` (0 to 1) of the file on: one inside its quoted notes, and
    one for its CRLF line end."""
    import csv
    import io

    data = path.read_bytes()
    header = next(csv.reader(io.StringIO(data[:4096].decode("utf-8"))))
    begin = data.index(b"\r\n", int(len(data) * at)) + 2
    while True:
        end = data.index(b"\r\n", begin)
        [row] = csv.reader(io.StringIO(data[begin:end].decode("utf-8")))
        if float(row[header.index("latitude")]) <= 90 and len(row[header.index("notes")]) > 1:
            break
        begin = end + 2
    notes = row[header.index("notes")].encode("utf-8")
    quoted = data.index(b'"' + notes.replace(b'"', b'""') + b'"', begin, end) + 2  # just after its first character
    with open(target, "wb") as out:
        out.write(data[:quoted])
        out.write(b"\r")
        out.write(data[quoted:end])
        out.write(b"\r")
        out.write(data[end + 2:])


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _spent(start: tuple[float, float]) -> dict:
    """Wall and CPU seconds since `start`. CPU seconds (all the process's
    threads) drift less than wall time when the machine is shared."""
    wall, cpu = _clocks()
    return {"seconds": wall - start[0], "cpu_seconds": cpu - start[1]}


def ours(path: str, db: str) -> dict:
    from events.duckdb_store import DuckDBStore
    from events.importer import import_path

    store = DuckDBStore(Path(db))
    start = _clocks()
    result, _ = import_path(store, Path(path))  # what `python -m events import FILE` runs
    return {**_spent(start), "accepted": result.accepted_count,
            "rejected": len(result.rejected)}


def ceiling(path: str, db: str) -> dict:
    import duckdb

    start = _clocks()
    con = duckdb.connect(db)
    source = "read_csv($path, store_rejects = true)"
    con.execute(f"CREATE TABLE events AS SELECT * FROM {source} LIMIT 0", {"path": path})
    con.execute("BEGIN TRANSACTION")
    [(stored,)] = con.execute(f"INSERT INTO events SELECT * FROM {source}", {"path": path}).fetchall()
    con.execute("COMMIT")
    con.close()
    return {**_spent(start), "stored": stored}


def bound(path: str, db: str) -> dict:
    import duckdb

    from events import checks, formats, importer

    # The importer's own header reading and ACLED mapping, so that the bound
    # differs from ours only in what ours does after mapping and checking.
    with open(path, encoding="utf-8") as handle:
        header = importer._header(handle.readline(), ",")
    # Read as the importer reads (fast_reading.stage): one padded column more.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header) + 1))
    source = (f"read_csv($path, header = true, quote = '\"', escape = '\"', strict_mode = true, store_rejects = true, "
              f"auto_detect = false, columns = {{{columns}}}, null_padding = true, nullstr = '\\x00', "
              "allow_quoted_nulls = false)")
    mapped = formats.ACLED.select({name: i for i, name in enumerate(header)}, False, padded=True)
    start = _clocks()
    con = duckdb.connect(db)
    checks.load_vocabularies(con)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"CREATE TABLE events AS WITH staged AS (SELECT * FROM {source}) "
                f"SELECT *, {checks.failed_sql()} AS failed FROM ({mapped})", {"path": path, **checks.Area().params()})
    [(failing,)] = con.execute("SELECT count(*) FROM events WHERE failed <> 0").fetchall()
    con.execute("COMMIT")
    con.close()
    return {**_spent(start), "failing": failing}


def naive(path: str, db: str) -> dict:
    import duckdb
    import pandas as pd

    from events import taxonomy

    start = _clocks()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    con = duckdb.connect(db)
    con.execute("CREATE TABLE events (event_id VARCHAR PRIMARY KEY, event_date DATE, event_type VARCHAR, "
                "sub_event_type VARCHAR, latitude DOUBLE, longitude DOUBLE, fatalities BIGINT, notes VARCHAR)")
    good, rejected = [], 0
    for row in frame.to_dict("records"):
        try:
            lat, lon, dead = float(row["latitude"]), float(row["longitude"]), int(row["fatalities"])
            ok = (-90 <= lat <= 90 and -180 <= lon <= 180 and dead >= 0
                  and row["sub_event_type"] in taxonomy.sub_event_types(row["event_type"]))
            pd.Timestamp(row["event_date"])
        except ValueError:
            ok = False
        if ok:
            good.append(("acled:" + row["event_id_cnty"], row["event_date"], row["event_type"],
                         row["sub_event_type"], lat, lon, dead, row["notes"]))
        else:
            rejected += 1
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", good)
    con.close()
    return {**_spent(start), "accepted": len(good), "rejected": rejected}


def run_child(kind: str, path: Path, workdir: Path, number: int) -> dict:
    db = workdir / f"{kind}-{path.stem}-{number}.duckdb"
    out = subprocess.run([sys.executable, "-m", "bench.import_bench", "--child", kind, str(path), str(db)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bare-cr", action="store_true", help="time ours on the file and on it with bare CRs")
    parser.add_argument("--bare-cr-at", type=float, default=0.5, help="where the bare CRs are (0 to 1 of the file)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, db = args.child
        result = {"ours": ours, "ceiling": ceiling, "bound": bound, "naive": naive}[kind](path, db)
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / f"acled-{args.rows}.csv"
        bad = make_file(path, args.rows)
        if args.bare_cr:
            _bare_cr_runs(path, workdir, args.rows, bad, args.bare_cr_at, args.repeat)
            return
        runs: dict[str, list[dict]] = {"ceiling": [], "bound": [], "ours": []}
        for number in range(args.repeat):
            for kind in runs:
                runs[kind].append(run_child(kind, path, workdir, number))
        for run in runs["ours"]:
            assert (run["rejected"], run["accepted"]) == (bad, args.rows - bad), run
        for run in runs["ceiling"]:
            assert run["stored"] == args.rows, run
        for run in runs["bound"]:
            assert run["failing"] == bad, run
        medians = {kind: _report(kind, args.rows, path, runs[kind], bad) for kind in runs}
        seconds, cpu = medians["ceiling"]
        for kind in ("bound", "ours"):
            print(f"{kind} takes {medians[kind][0] / seconds:.2f}x the ceiling's time "
                  f"({seconds / medians[kind][0]:.0%} of its speed) and "
                  f"{medians[kind][1] / cpu:.2f}x its CPU time")
        if args.naive_rows:
            path = workdir / f"acled-{args.naive_rows}.csv"
            bad = make_file(path, args.naive_rows)
            naive_runs = [run_child("naive", path, workdir, n) for n in range(args.repeat)]
            for run in naive_runs:
                assert (run["rejected"], run["accepted"]) == (bad, args.naive_rows - bad), run
            naive_rate = args.naive_rows / _report("naive", args.naive_rows, path, naive_runs, bad)[0]
            print(f"naive extrapolated to {args.rows:,} rows: {args.rows / naive_rate:,.0f} s; "
                  f"ours is {args.rows / medians['ours'][0] / naive_rate:,.0f}x faster")


def _bare_cr_runs(path: Path, workdir: Path, rows: int, bad: int, at: float, repeat: int) -> None:
    """Ours on the file and on it with bare CRs (`bare_cr_file`), in turn."""
    with_cr = workdir / f"{path.stem}-bare-cr.csv"
    bare_cr_file(path, with_cr, at)
    runs: dict[str, list[dict]] = {"ours": [], "bare-cr": []}
    for number in range(repeat):
        for kind, file in (("ours", path), ("bare-cr", with_cr)):
            runs[kind].append(run_child("ours", file, workdir, number))
    for run in runs["ours"] + runs["bare-cr"]:
        assert (run["rejected"], run["accepted"]) == (bad, rows - bad), run
    (seconds, cpu), (cr_seconds, cr_cpu) = (_report(kind, rows, file, runs[kind], bad)
                                            for kind, file in (("ours", path), ("bare-cr", with_cr)))
    print(f"with bare CRs at {at:.0%} of the file, ours takes {cr_seconds / seconds:.2f}x its time on the file "
          f"without them and {cr_cpu / cpu:.2f}x its CPU time")


def _report(kind: str, rows: int, path: Path, runs: list[dict], bad: int) -> tuple[float, float]:
    """Print one line for a kind of run; returns its median wall and CPU seconds."""
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    rss = max(r["max_rss_mb"] for r in runs)
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"{kind:7} {rows:>9,} rows ({path.stat().st_size / 1e6:,.0f} MB, {bad:,} bad): median {seconds:6.2f} s "
          f"(runs: {each}), {rows / seconds:>9,.0f} rows/s, CPU {cpu:6.2f} s, "
          f"peak RSS {rss:,.0f} MB")
    return seconds, cpu


if __name__ == "__main__":
    main()
