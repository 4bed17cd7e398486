"""Benchmark: one Explore interaction in the store, against a naive baseline.

    .venv/bin/python -m bench.explore_queries [--count 100000 --count 1000000] [--rounds 15] [--batches 20]

For each count, `count` synthetic events (events/synthetic.py, seed 1; one
in three given Arabic notes, some with diacritics, so that Arabic search
has Arabic to fold) are stored in a DuckDB file as one batch, and again as
`batches` imports of equal size. The files are kept under
/tmp/explore-bench/ and reused while the generator, the store's schema
version and the count are the same (`--fresh` builds them anew).

One interaction is what a rerun of the Explore page asks for a filter
state: the count and fatalities, the first table page (50 rows, the
columns the table shows by default), the timeline (its unit chosen by
span) and the map's aggregates (grid and regions, or the single events
when few match). Each round
takes a filter state no other round uses (a governorate, a span, types,
a fatality floor; with `text`, a word) and times, in turn:

- view: the store's `view`, one connection for all of it, the file held
  open between calls as the app holds it;
- cold: the same view on the file just closed (a copy of it, so that the
  view's file stays open);
- calls: the same as five separate store calls (summary, page, timeline,
  grid, regions), a connection each, as the page made them before;
- view on the store of `batches` imports (the same rows: one table);
- naive: every event read into pandas, then filtered and aggregated
  there, as a quick Streamlit script would on each rerun (its text search
  is a case-insensitive substring, and for Arabic the same folding and
  stemming, in pandas).

The generated notes repeat a few templates, which DuckDB keeps as
dictionaries and searches per distinct value: real notes, all different,
make a text search slower than measured here.

Nothing is cached between rounds: the filter state is new. The store is
opened as the app opens it, kept open a few seconds after each call
(`APP_HOLD_SECONDS`), so DuckDB's buffers stay warm between rounds, as
between a person's reruns; `cold` is the same view with the file closed
before it, as on the first rerun after a pause (DuckDB keeps no buffers
once the file is closed). The
sides alternate within each round, so the machine's drift falls on all
alike. Prints medians per mode (and the view's CPU time in this process,
which other programs on the machine disturb less than its wall time), the
ratios, and checks that every side found the same count and page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from events import text_search
from events.backends import APP_HOLD_SECONDS
from events.duckdb_store import SCHEMA_VERSION, DuckDBStore, release
from events.explore import FIRST_COLUMNS, timeline_unit
from events.filters import EventQuery
from events.schema import FIELDS
from events.store import Batch
from events.synthetic import generate

CACHE = Path("/tmp/explore-bench")
PAGE = 50
MAP_LIMIT = 5_000
CELL = 0.1
_ARROW_TYPES = {"integer": pa.int64(), "real": pa.float64(), "date": pa.date32(), "timestamp": pa.timestamp("us")}

# Arabic notes for one event in three: place names with ة or ه, plurals,
# diacritics on some, as Arabic sources write them.
_ARABIC_NOTES = ("غارات جوية على {place}", "غارةٌ جوّية قرب {place}", "قصف مدفعي على ريف {place}",
                 "اشتباكات بين قوات النظام ومقاتلين في {place}", "مقتل مدنيين في قصف على {place}",
                 "قصفٌ صاروخي على مدينة حماة", "غارة على بلدة في ريف حماه")
WORDS = ("clash", "shelling", "strike", "protest", "Hama", "Aleppo", "drone", "Idleb", "attack", "arrest",
         "explosive", "Homs", "Raqqa", "Daraa", "looting")
ARABIC_WORDS = ("غارة", "حماة", "قصف", "مدنيين", "اشتباكات", "غارات جوية", "مدينة حماه", "مقاتلون", "ريف",
                "قصفٌ", "صاروخي", "بلدة")
GOVERNORATES = ("Aleppo", "Idleb", "Hama", "Homs", "Damascus", "Rural Damascus", "Dar'a", "Deir-ez-Zor",
                "Al-Hasakeh", "Ar-Raqqa", "Lattakia", "Tartous", "Quneitra", "As-Sweida")
TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests")


def _table(events: list[dict]) -> pa.Table:
    return pa.table({f.name: pa.array([e.get(f.name) for e in events], _ARROW_TYPES.get(f.kind, pa.string()))
                     for f in FIELDS})


def _chunks(count: int, size: int = 50_000):
    """The bench's events as Arrow tables of `size` rows."""
    rng = random.Random(1)
    events = generate(count, seed=1, prefix="bench")
    while chunk := list(itertools.islice(events, size)):
        for event in chunk:
            if rng.random() < 1 / 3:
                event["notes"] = rng.choice(_ARABIC_NOTES).format(place=event["location"])
        yield _table(chunk)


def stores(count: int, batches: int, fresh: bool) -> tuple[DuckDBStore, DuckDBStore]:
    """(one batch, `batches` batches) stores of `count` events, cached under /tmp."""
    generator = Path(__file__).resolve().parent.parent / "events" / "synthetic.py"
    folder = CACHE / f"{count}-v{SCHEMA_VERSION}-{int(generator.stat().st_mtime)}-{batches}"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    one, many = folder / "one.duckdb", folder / f"batches-{batches}.duckdb"
    if (folder / "done").exists():
        return DuckDBStore(one, APP_HOLD_SECONDS), DuckDBStore(many, APP_HOLD_SECONDS)
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tables = list(_chunks(count))
    table = pa.concat_tables(tables)
    print(f"{count:,} events generated in {time.perf_counter() - start:.0f} s", flush=True)
    DuckDBStore(one).insert(table, Batch("bench", "demo"))
    size = -(-count // batches)
    for number in range(batches):
        DuckDBStore(many).insert(table.slice(number * size, size), Batch(f"bench-{number}", "acled"))
    (folder / "done").write_text("")
    print(f"stored in {folder} ({time.perf_counter() - start:.0f} s in all)", flush=True)
    return DuckDBStore(one, APP_HOLD_SECONDS), DuckDBStore(many, APP_HOLD_SECONDS)


def filter_states(mode: str, rounds: int) -> list[EventQuery]:
    """`rounds` filter states, all different (rounds beyond the list's
    length repeat one of its parts in a new combination)."""
    rng = random.Random(f"{mode}-{rounds}")
    states: list[EventQuery] = []
    seen: set[EventQuery] = set()
    words = {"text": WORDS, "arabic": ARABIC_WORDS}.get(mode, ())
    # With a word, fewer other filters: a search alone is the common case.
    on = 0.2 if words else 0.5
    while len(states) < rounds:
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(500))
        query = EventQuery(
            date_from=start if rng.random() < on + 0.1 else None,
            date_to=start + dt.timedelta(days=rng.choice((30, 90, 365))) if rng.random() < on else None,
            admin1=tuple(rng.sample(GOVERNORATES, rng.choice((1, 2)))) if rng.random() < on else (),
            event_type=tuple(rng.sample(TYPES, rng.choice((1, 2)))) if rng.random() < on else (),
            min_fatalities=rng.choice((1, 2, 5)) if rng.random() < on - 0.2 else None,
            text=rng.choice(words) if words else None,
        )
        if query.date_from is None and query.date_to is not None:
            query = query.replace(date_to=None)
        if query not in seen:
            seen.add(query)
            states.append(query)
    if mode == "none":
        states[0] = EventQuery()  # the first view of the page: everything
    return states


def _unit(query: EventQuery) -> str:
    return timeline_unit(query.date_from or dt.date(2023, 1, 1), query.date_to or dt.date(2024, 12, 31))


def ours(store: DuckDBStore, query: EventQuery) -> tuple[int, int]:
    view = store.view(query, limit=PAGE, unit=_unit(query), map_limit=MAP_LIMIT, cell_degrees=CELL,
                      columns=FIRST_COLUMNS)
    return view.summary.count, len(view.page)


def calls(store: DuckDBStore, query: EventQuery) -> tuple[int, int]:
    summary = store.summary(query)
    page = store.page(query, limit=PAGE, columns=FIRST_COLUMNS)
    store.timeline(query, _unit(query))
    if summary.count <= MAP_LIMIT:
        store.map_events(query, MAP_LIMIT)
    store.grid(query, CELL)
    store.regions(query)
    return summary.count, len(page)


def _naive_text(frame: pd.DataFrame, text: str) -> pd.Series:
    columns = list(text_search.TEXT_COLUMNS)
    if not text_search.is_arabic(text):
        hits = [frame[c].str.contains(text.strip(), case=False, regex=False, na=False) for c in columns]
    else:
        # The same folding and stemming as the store, in pandas: as a LIKE
        # pattern becomes a regular expression ('%' any text).
        pattern = text_search.like_pattern(text).strip("%").replace("%", ".*")
        hits = [frame[c].fillna("").map(text_search.fold).str.contains(pattern, regex=True) for c in columns]
    mask = hits[0]
    for hit in hits[1:]:
        mask |= hit
    return mask


def naive(store: DuckDBStore, query: EventQuery) -> tuple[int, int]:
    frame = store.frame(EventQuery())
    mask = pd.Series(True, index=frame.index)
    if query.admin1:
        mask &= frame["admin1"].isin(query.admin1)
    if query.event_type:
        mask &= frame["event_type"].isin(query.event_type)
    if query.date_from:
        mask &= frame["event_date"] >= pd.Timestamp(query.date_from)
    if query.date_to:
        mask &= frame["event_date"] <= pd.Timestamp(query.date_to)
    if query.min_fatalities:
        mask &= frame["fatalities"] >= query.min_fatalities
    if query.text:
        mask &= _naive_text(frame, query.text)
    chosen = frame[mask]
    chosen["fatalities"].sum()
    page = chosen.sort_values(["event_date", "event_id"], ascending=[False, True]).head(PAGE)
    unit = {"day": "D", "week": "W", "month": "M"}[_unit(query)]
    chosen.groupby([chosen["event_date"].dt.to_period(unit), "event_type"]).size()
    precise = chosen["geo_precision"].isin((1, 2)) & chosen["latitude"].notna() & chosen["longitude"].notna()
    cells = chosen[precise]
    cells.groupby([(cells["latitude"] // CELL), (cells["longitude"] // CELL)]).size()
    chosen[~precise].groupby("admin1").size()
    return len(chosen), len(page)


def _timed(fn: Callable[[], tuple[int, int]]) -> tuple[float, float, tuple[int, int]]:
    """(wall seconds, this process's CPU seconds, answer) of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    answer = fn()
    return time.perf_counter() - start, time.process_time() - cpu, answer


def run(count: int, rounds: int, batches: int, naive_rounds: int, fresh: bool) -> None:
    one, many = stores(count, batches, fresh)
    copy = one.path.with_name("cold.duckdb")
    if not copy.exists() or copy.stat().st_mtime < one.path.stat().st_mtime:
        release(one.path)
        shutil.copyfile(one.path, copy)
    cold = DuckDBStore(copy)
    print(f"\n{count:,} events; medians of {rounds} rounds (naive: {naive_rounds}), a new filter state each")
    print(f"{'filters':10} {'view ms':>8} {'(CPU)':>6} {'cold ms':>8} {'calls ms':>9} {f'{batches} batches':>11}"
          f" {'naive ms':>9} {'naive/view':>11} {'calls/view':>11}  matched (median)")
    for mode in ("none", "text", "arabic"):
        times: dict[str, list[float]] = {"view": [], "cold": [], "calls": [], "batches": [], "naive": []}
        cpu: list[float] = []
        matched = []
        for number, query in enumerate(filter_states(mode, rounds)):
            sides = [("view", lambda q=query: ours(one, q)), ("cold", lambda q=query: ours(cold, q)),
                     ("calls", lambda q=query: calls(cold, q)), ("batches", lambda q=query: ours(many, q))]
            if number < naive_rounds:
                sides.append(("naive", lambda q=query: naive(one, q)))
            answers = set()
            for name, fn in sides[number % len(sides):] + sides[:number % len(sides)]:
                seconds, used, answer = _timed(fn)
                times[name].append(seconds)
                if name == "view":
                    cpu.append(used)
                answers.add(answer)
            assert len(answers) == 1, (query, answers)
            matched.append(answers.pop()[0])
        view, closed, each, batched, slow = (statistics.median(times[k]) * 1000
                                             for k in ("view", "cold", "calls", "batches", "naive"))
        print(f"{mode:10} {view:8.1f} {statistics.median(cpu) * 1000:6.1f} {closed:8.1f} {each:9.1f} {batched:11.1f}"
              f" {slow:9.0f}"
              f" {slow / view:10.1f}x "
              f"{each / view:10.2f}x  {statistics.median(matched):,.0f}", flush=True)
    everything = one.view(EventQuery(), map_limit=MAP_LIMIT, cell_degrees=CELL)
    sent = sum(len(part.to_json(orient="records")) for part in (everything.grid, everything.regions))
    raw = len(one.frame(EventQuery())[["latitude", "longitude", "location", "event_type", "fatalities"]]
              .to_json(orient="records"))
    print(f"map payload, no filter: grid and regions {sent / 1e3:,.0f} kB vs raw points {raw / 1e6:,.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, action="append", help="events (repeatable; default 100,000 and 1M)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--naive-rounds", type=int, default=5, help="rounds that also time the naive page")
    parser.add_argument("--batches", type=int, default=20, help="imports the second store holds")
    parser.add_argument("--fresh", action="store_true", help="build the stores anew")
    args = parser.parse_args()
    for count in args.count or [100_000, 1_000_000]:
        run(count, args.rounds, args.batches, min(args.naive_rounds, args.rounds), args.fresh)


if __name__ == "__main__":
    main()
