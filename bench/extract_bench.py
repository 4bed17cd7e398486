"""Benchmark: drafting events from the development set's reports, and how
drafting time grows with a report's length.

    .venv/bin/python -m bench.extract_bench [--repeat 5] [--sizes 50000,200000]

Ours: one geocoder and the compiled lexicons, reused for every report (as
the app and the CLI do). Naive: what a first attempt does, building the
lexicons and the gazetteer again for each report. Reports the median
milliseconds per report over the whole set (64 reports), each run in a
fresh process so that no cache from another run helps.

Growth: the median seconds to draft one long report of each kind at the
two sizes (one fresh process per size), and their ratio, in wall time and
in CPU time (steadier on a shared machine). Linear time gives
the ratio of the sizes (4 for 50,000 and 200,000 characters); the square
of the length, its square (16). The kinds are what pasted text holds: one
unbroken token (a base64 blob, a long URL), the seed report repeated,
random Arabic and Latin words with those our rules look for, and thousands
of one-line events followed by many mentions of an outlet and a place
(which the parts without their own take from the whole report); each ends
with a place (Saraqib), which the tests require the draft to find.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "extract" / "devset" / "reports.jsonl"
SEEDS = ROOT.parent / "shared" / "seeds"

LONG_KINDS = ("token", "seed_repeated", "random_words", "many_events")
TAIL_EN = " Shelling was reported in Saraqib."
TAIL_AR = "، فيما قصف الطيران الحربي مدينة سراقب."
# Words every rule looks for (triggers, next-event words, actors, claims,
# nationalities, deaths, numbers, dates, locatives, outlets, tolls), so that
# each rule fires thousands of times in random text.
_RULE_WORDS = (
    "قصف", "غارة", "اشتباكات", "فيما", "بينما", "كما", "مقتل", "قتل", "عشرات", "مدني", "وآخر", "الطيران",
    "الحربي", "السوري", "والروسي", "قوات", "قسد", "تبنى", "في", "بلدة", "ريف", "محيط", "شمال", "اليوم", "أمس",
    "آذار", "يوم", "الجمعة", "ارتفعت", "حصيلة", "عرب", "48", "سانا",
    "shelling", "airstrike", "meanwhile", "while", "killed", "were", "dozens", "a", "civilian", "syrian", "russian",
    "turkish", "and", "forces", "sdf", "claimed", "in", "near", "the", "town", "of", "countryside", "northern",
    "march", "12", "monday", "death", "toll", "rose", "sana", "sohr", "said",
)
_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةى"


def seed_report() -> str | None:
    """The Arabic seed report from ../shared/seeds, None when absent."""
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    return seeds[0].read_text(encoding="utf-8") if seeds else None


def long_report(kind: str, size: int, seed: str | None = None) -> str:
    """A report of exactly `size` characters of one of LONG_KINDS (the seed
    report is needed for "seed_repeated"), ending with a place. Seeded: the
    same text every time."""
    rng = random.Random(14)
    if kind == "token":
        # Letters only, as base64 of text and the paths of long URLs mostly are.
        return "".join(rng.choices(string.ascii_letters, k=size - len(TAIL_EN))) + TAIL_EN
    if kind == "seed_repeated":
        if not seed:
            raise ValueError("the seed report is needed")
        return (seed * (size // len(seed) + 1))[: size - len(TAIL_AR)] + TAIL_AR
    if kind == "many_events":
        events = "قصف، فيما قصف " * (size // 2 // 14)
        mentions = ("عرب 48 في مدينة حماة " * (size // 21))[: size - len(events) - len(TAIL_AR)]
        return events + mentions + TAIL_AR
    if kind != "random_words":
        raise ValueError(f"unknown kind {kind!r}: one of {LONG_KINDS}")
    words: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.45:
            word = rng.choice(_RULE_WORDS)
        elif roll < 0.7:
            word = "".join(rng.choices(_ARABIC_LETTERS, k=rng.randint(2, 9)))
        elif roll < 0.999:
            word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 12)))
        else:  # now and then a very long one
            word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(500, 3000)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[: size - len(TAIL_AR)] + TAIL_AR


def child(kind: str) -> dict:
    import datetime as dt

    from extract import lexicons, rules
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
                           lexicons.quantities, lexicons.death_words, lexicons.victims, lexicons.capitals_only,
                           lexicons.outlets, lexicons.time_words):
                loader.cache_clear()
            for patterns in (rules._force_patterns, rules._fatality_patterns, rules._one_death_patterns):
                patterns.cache_clear()
            geocoder = OfflineGeocoder(gazetteer=Gazetteer())
        draft_events(record["text"], dt.date.fromisoformat(record["published"]), geocoder)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "reports": len(records)}


def growth_child(size: int, repeat: int) -> dict:
    """Median wall and CPU seconds to draft one long report of each kind of `size` characters."""
    import datetime as dt

    from extract.draft import draft_events
    from geo.geocoder import OfflineGeocoder

    geocoder = OfflineGeocoder()
    published = dt.date(2024, 3, 16)
    draft_events("قصف الطيران الحربي مدينة سراقب", published, geocoder)  # warm-up: lexicons and index built
    seed = seed_report()
    medians = {}
    for kind in LONG_KINDS:
        if kind == "seed_repeated" and seed is None:
            continue
        text = long_report(kind, size, seed)
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            draft_events(text, published, geocoder)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        medians[kind] = {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}
    return medians


def growth(sizes: tuple[int, int], repeat: int) -> None:
    small, large = sizes
    medians = [json.loads(subprocess.run([sys.executable, "-m", "bench.extract_bench", "--growth-child", str(size),
                                          "--repeat", str(repeat)],
                                         capture_output=True, text=True, check=True).stdout)
               for size in sizes]
    print(f"growth: median seconds to draft one report ({repeat} runs) of {small:,} and {large:,} characters, "
          f"and the ratio; linear time gives {large / small:.0f}, quadratic {(large / small) ** 2:.0f}")
    print(f"  {'kind':14} {'wall':>9} {'':>9} {'ratio':>6}   {'cpu':>9} {'':>9} {'ratio':>6}")
    for kind in LONG_KINDS:
        if kind not in medians[0]:
            print(f"  {kind:14} skipped: no seed report in {SEEDS}")
            continue
        columns = []
        for clock in ("wall", "cpu"):
            low, high = medians[0][kind][clock], medians[1][kind][clock]
            columns.append(f"{low:8.3f}s {high:8.3f}s {high / low:6.1f}")
        print(f"  {kind:14} " + "   ".join(columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="50000,200000",
                        help="the two report lengths, in characters, of the growth report (default 50000,200000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--growth-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.growth_child:
        print(json.dumps(growth_child(args.growth_child, args.repeat)))
        return
    small, large = (int(size) for size in args.sizes.split(","))
    medians = {}
    for kind in ("ours", "naive"):
        runs = [json.loads(subprocess.run([sys.executable, "-m", "bench.extract_bench", "--child", kind],
                                          capture_output=True, text=True, check=True).stdout)
                for _ in range(args.repeat)]
        medians[kind] = statistics.median(r["median_ms"] for r in runs)
        print(f"{kind:6} {runs[0]['reports']} reports: median {medians[kind]:8.2f} ms a report "
              f"(slowest report {max(r['max_ms'] for r in runs):.1f} ms)")
    print(f"ours is {medians['naive'] / medians['ours']:.0f}x faster than rebuilding per report; goal < 50 ms")
    growth((small, large), args.repeat)


if __name__ == "__main__":
    main()
