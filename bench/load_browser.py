"""Benchmark: 10 Chromium sessions changing Explore's filters at once, on DuckDB and on PostgreSQL.

    .venv/bin/python -m bench.load_browser --rows 1000000 [--sessions 10] [--changes 3] [--repeat 2]

The whole-app figure beside bench/load_bench.py's server-side one: the app
(`streamlit run dashboard.py` on 127.0.0.1) serves the same stores as
load_bench (its DuckDB file under /tmp/load-bench/, and a vacuumed
database of the same events on a throwaway PostgreSQL cluster), one server
per backend, both running. Streamlit answers every session in threads of
its one process, sharing one store (ui.shared_store), so this is the
threads case of load_bench plus the app's own work: its script, the
frames it sends and the browsers, all on this machine's cores.

PostgreSQL runs with EVENTS_TEAM=no (no sign-in): the figure is of the
filter change, not of signing in; in team mode each rerun also checks the
session (one small query).

A run opens `sessions` pages at once in one headless Chromium (a context
each, so a session each), each at its own governorate with a high fatality
floor; once all have loaded and the pages are idle, each changes the
*Minimum fatalities* box `changes` times (typed, then Enter), each time to
a floor no session has asked for before, so that the app's caches (which
Streamlit shares between sessions) never hold the answer. Timed, from the
key press: the server's message that the run finished (a complete run),
then two animation frames (the page has taken in what the run sent).
Runs of the two backends take turns; a first load of each server, not
timed, brings in its modules and static files. Prints the median and 90th
percentile of a filter change per backend and the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from google.protobuf.message import DecodeError
from playwright.async_api import Browser, Page, async_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import explore_browser as eb
from bench.backends_bench import load
from bench.load_bench import duckdb_file, postgres_databases

START_FLOOR = 40


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """os.environ with `values` set, for a server started inside (restored after)."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Frames:
    """When a page received the end of a complete run: the times, in order."""

    def __init__(self, page: Page):
        self.finished: list[float] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._received))

    def _received(self, payload: str | bytes) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        if len(data) >= eb.SMALL_FRAME:
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(data)
        except DecodeError:
            return
        if message.WhichOneof("type") == "script_finished" and message.script_finished == eb.FINISHED:
            self.finished.append(time.perf_counter())

    async def after(self, page: Page, count: int, timeout: float) -> None:
        """Wait until more than `count` complete runs have ended."""
        deadline = time.perf_counter() + timeout
        while len(self.finished) <= count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no complete run within {timeout:.0f} s")
            await page.wait_for_timeout(10)


async def settle(page: Page, timeout: float) -> None:
    """Until two animation frames take under QUIET_SECONDS three times
    running: the page has drawn what it was sent (as explore_browser's)."""
    quiet, deadline = 0, time.perf_counter() + timeout
    while quiet < 3 and time.perf_counter() < deadline:
        began = time.perf_counter()
        await page.evaluate(eb.TWO_FRAMES)
        quiet = quiet + 1 if time.perf_counter() - began < eb.QUIET_SECONDS else 0


async def session(browser: Browser, url: str, governorate: str, floors: list[int], ready: asyncio.Barrier,
                  timeout: float) -> list[float]:
    """One person: open Explore at `governorate`, wait for the others, then
    set each of `floors` in turn; the seconds of each change."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(timeout * 1000)  # ten sessions on two cores: Playwright's 30 s is short
    try:
        page = await context.new_page()
        frames = Frames(page)
        await page.goto(f"{url}/explore?admin1={quote(governorate)}&min_fatalities={START_FLOOR}")
        await frames.after(page, 0, timeout)
        await settle(page, timeout)
        await ready.wait()
        box = page.get_by_role("spinbutton", name="Minimum fatalities", exact=True)
        times = []
        for floor in floors:
            await box.fill(str(floor))
            done = len(frames.finished)
            start = time.perf_counter()
            await box.press("Enter")
            await frames.after(page, done, timeout)
            await page.evaluate(eb.TWO_FRAMES)
            times.append(time.perf_counter() - start)
            await settle(page, timeout)
        return times
    finally:
        await context.close()


async def one_run(browser: Browser, url: str, places: list[str], floors: list[int], timeout: float
                  ) -> list[float]:
    """Each of `places` a session setting `floors` in turn: every change's seconds."""
    ready = asyncio.Barrier(len(places))
    each = await asyncio.gather(*(session(browser, url, place, floors, ready, timeout) for place in places))
    return [seconds for times in each for seconds in times]


async def bench(urls: dict[str, str], sessions: int, changes: int, repeat: int, timeout: float) -> None:
    # Each session its own governorate, each run its own floors: a state no
    # session of that server has asked for, so nothing is in its caches.
    places = [eb.GOVERNORATES[n % len(eb.GOVERNORATES)] for n in range(sessions)]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=eb.CHROMIUM, args=eb.CHROMIUM_ARGS)
        try:
            for url in urls.values():  # modules and static files, not timed
                await one_run(browser, url, [eb.WARM_UP], [START_FLOOR - 1], timeout)
            results: dict[str, list[float]] = {backend: [] for backend in urls}
            for number in range(repeat):
                order = list(urls) if number % 2 == 0 else list(urls)[::-1]
                floors = [number * changes + change + 1 for change in range(changes)]
                for backend in order:
                    times = await one_run(browser, urls[backend], places, floors, timeout)
                    results[backend] += times
                    print(f"  run {number + 1}, {backend}: {len(times)} changes, median "
                          f"{statistics.median(times):.2f} s (load {load()})", flush=True)
        finally:
            await browser.close()
    print(f"\n{sessions} sessions, {changes} filter changes each per run, {repeat} runs per backend")
    print(f"{'backend':11} {'changes':>7} {'median s':>9} {'p90 s':>7}")
    for backend, times in results.items():
        p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
        print(f"{backend:11} {len(times):>7} {statistics.median(times):9.2f} {p90:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--changes", type=int, default=3, help="filter changes per session and run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per backend")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a page may take to load or rerun")
    args = parser.parse_args()
    if args.repeat * args.changes >= START_FLOOR - 1 or args.sessions > len(eb.GOVERNORATES):
        parser.error(f"at most {START_FLOOR - 2} changes per session in all, and {len(eb.GOVERNORATES)} sessions")
    from tests.postgres import throwaway_cluster

    began = time.perf_counter()
    print(f"load at the start: {load()}", flush=True)
    db = duckdb_file(args.rows)
    with throwaway_cluster("load-browser-pg-") as cluster:
        dsn = postgres_databases(cluster, args.rows, [])["postgresql"]
        logs = Path(db).parent
        servers = {"duckdb": eb.Server("dashboard.py", db, logs / "load-browser-duckdb.log")}
        try:
            with environment(EVENTS_DSN=dsn, EVENTS_TEAM="no"):
                servers["postgresql"] = eb.Server("dashboard.py", db, logs / "load-browser-postgresql.log")
            asyncio.run(bench({backend: server.url for backend, server in servers.items()}, args.sessions,
                              args.changes, args.repeat, args.timeout))
        finally:
            for server in servers.values():
                server.stop()
    print(f"\nload at the end: {load()}; the whole run took {time.perf_counter() - began:.0f} s "
          f"(server logs in {logs})")


if __name__ == "__main__":
    main()
