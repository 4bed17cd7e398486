"""Benchmark: a filter change on Explore in Chromium, against a naive page.

    .venv/bin/python -m bench.explore_browser [--rows 1000000] [--rows 100000] [--rounds 5] [--timeout 60]

For each size, bench/explore_queries.py's store of `rows` synthetic events
(built once, kept under /tmp/explore-bench/) is served on 127.0.0.1 by
`streamlit run` twice: the app (dashboard.py, EVENTS_DB pointing at the
store) and, on a copy of the file, the naive page (bench/naive_explore.py:
every matching event handed to pydeck's ScatterplotLayer).

A round opens a page in a fresh browser context at one governorate with a
high fatality floor (`?admin1=G&min_fatalities=40`: a few hundred events at
1M), waits for that run to end and the page to settle (the map drawn, two
animation frames taking under 0.1 s three times running: a key pressed
earlier waits for the drawing), then types a lower floor into *Minimum
fatalities* and presses Enter. Each round has its own governorate and
floor, so the server has never answered that filter state: nothing of it
is cached. Timed in the page's own clock, from the Enter key's event to the
end of the rerun:

- the server's script_finished message, of a complete run (not one cut
  short for a rerun), received by the page;
- the Events metric showing the count the store gives for the new state;
- two animation frames drawn after that: the browser's main thread has
  taken in what the run sent (deck.gl parses a deck's JSON there).

Bytes: every websocket message the page received from the key press to
that script_finished (counted by a wrapper of the page's WebSocket: through
Playwright's `framereceived`, its driver copied every frame and ran out of
memory on the naive page's); not the app's static files. A rerun that ends
without its map (Streamlit refuses a message over 200 MB) fails. The
naive page has `--timeout` seconds; a round it does not finish counts as
"> timeout" (a median of those is a bound, and so is the ratio), and its
server is restarted, since a script stuck serialising points would slow
the rounds after it.

Beside the wall time, the CPU seconds the rerun cost (from /proc, the key
press to the end): the side's server and Chromium's processes. Other work on
the machine stretches the wall time of a run that waits for a core; its CPU
time it changes much less.

The sides alternate within each round. A first round of each (Quneitra,
the smallest governorate) loads the servers' modules and static files and
is left out of the medians. The load average is printed beside the
numbers: the machine's cores are shared with other work.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from google.protobuf.message import DecodeError
from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.explore_queries import stores
from events.filters import EventQuery

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_FLOOR = 40
# One a round, largest first; Quneitra, the smallest, warms up.
GOVERNORATES = ("Aleppo", "Rural Damascus", "Homs", "Hama", "Dar'a", "Idleb", "Al-Hasakeh", "Damascus",
                "Deir-ez-Zor", "Lattakia", "Tartous", "Ar-Raqqa", "As-Sweida")
WARM_UP = "Quneitra"
FLOORS = (1, 2, 3)
# --scope country: all of Syria, the floor lowered from 40 to 3, 4, 5, ...
# (at 1M: 107k, 75k, 53k events; floors 1 and 2 make the naive page's
# message 80-200 MB).
COUNTRY_WARM_UP = 30
COUNTRY_FLOOR = 3
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
# A script_finished message is a few bytes; larger frames are not parsed.
SMALL_FRAME = 1_000
METRIC = """([label, value]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
    m.innerText.includes(label) && m.querySelector('[data-testid=stMetricValue]')?.innerText.trim() === value)"""
# Resolves with the page's clock once two frames have been drawn.
TWO_FRAMES = ("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
              "() => done(performance.now()))))")
# The page has settled when two frames take under this, three times running.
QUIET_SECONDS = 0.1


@dataclass
class Rerun:
    seconds: float | None  # None: not finished within the timeout
    received: float | None  # from the Enter key's event to the script_finished message
    bytes: int  # received from the key press to the end (or to the timeout)
    load_bytes: int  # received for the page's first run, before the change
    failed: str = ""  # why a rerun that ended did not count (no map drawn)
    server_cpu: float = 0.0  # CPU seconds of the page's server, from the key press to the end
    browser_cpu: float = 0.0  # and of Chromium (with Playwright's driver)


class Server:
    """`streamlit run SCRIPT` on 127.0.0.1 with EVENTS_DB=db, its output in `log`."""

    def __init__(self, script: str, db: Path, log: Path, options: tuple[str, ...] = ()):
        self.script, self.db, self.log, self.options = script, db, log, options
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.start()

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.script, "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false", *self.options],
                cwd=ROOT, env={**os.environ, "EVENTS_DB": str(self.db)}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.script} exited with {self.process.returncode}: see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{self.script} did not answer within 120 s: see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the server and nothing else
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def _processes() -> tuple[dict[int, list[int]], dict[int, float], dict[int, bytes]]:
    """(children, CPU seconds, command line) of every process, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    commands: dict[int, bytes] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as command:
                fields, commands[int(entry)] = stat.read().rsplit(")", 1)[1].split(), command.read()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return children, cpu, commands


def cpu_seconds(server: int) -> tuple[float, float]:
    """CPU seconds used so far by the process tree of `server`, and by that
    of Playwright's driver (Chromium's processes are its descendants)."""
    children, cpu, commands = _processes()

    def tree(root: int) -> float:
        total, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            total += cpu.get(pid, 0.0)
            stack += children.get(pid, [])
        return total

    drivers = [pid for pid in children.get(os.getpid(), []) if b"playwright" in commands.get(pid, b"")]
    return tree(server), sum(map(tree, drivers))


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# In the page: every websocket message's time and size (the page's clock),
# the bytes of the small ones (a script_finished message is among them), and
# when Enter was pressed.
RECORDER = """(() => {
  window.__frames = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        const data = event.data, size = typeof data === 'string' ? data.length : data.byteLength;
        const small = data instanceof ArrayBuffer && size < SMALL_FRAME
          ? btoa(String.fromCharCode(...new Uint8Array(data))) : null;
        window.__frames.push([performance.now(), size, small]);
      });
    }
  };
  document.addEventListener('keydown', e => { if (e.key === 'Enter') window.__enter = performance.now(); }, true);
})();""".replace("SMALL_FRAME", str(SMALL_FRAME))


class Frames:
    """The websocket messages a page has received: (time in the page's clock
    in seconds, bytes, whether it ends a complete run)."""

    def __init__(self, page: Page):
        self.page = page
        self.seen: list[tuple[float, int, bool]] = []
        page.add_init_script(RECORDER)

    def read(self) -> None:
        """Take in the messages received since the last read."""
        for at, size, small in self.page.evaluate("from => window.__frames.slice(from)", len(self.seen)):
            finished = False
            if small is not None:
                message = ForwardMsg()
                try:
                    message.ParseFromString(base64.b64decode(small))
                    finished = (message.WhichOneof("type") == "script_finished"
                                and message.script_finished == FINISHED)
                except DecodeError:
                    pass
            self.seen.append((at / 1000, size, finished))

    def finished_after(self, mark: int, deadline: float) -> int | None:
        """The index of the first complete run's end after message `mark`."""
        while True:
            self.read()
            for index in range(mark, len(self.seen)):
                if self.seen[index][2]:
                    return index
            if time.perf_counter() >= deadline:
                return None
            self.page.wait_for_timeout(20)

    def bytes(self, first: int, last: int) -> int:
        return sum(size for _, size, _ in self.seen[first:last])


def settle(page: Page, deadline: float) -> None:
    """Wait until the browser's main thread is idle: after a run it draws
    the map (outlines tessellated, the labels' glyphs rasterised) for
    seconds, and a key pressed meanwhile waits for it."""
    quiet = 0
    while quiet < 3 and time.perf_counter() < deadline:
        began = time.perf_counter()
        page.evaluate(TWO_FRAMES)
        quiet = quiet + 1 if time.perf_counter() - began < QUIET_SECONDS else 0


def one_rerun(browser: Browser, server: Server, path: str, governorate: str | None, floor: int,
              counts: tuple[str, str], timeout: float, shot: Path | None = None) -> Rerun:
    """Open `path` at `governorate` (None: all) above START_FLOOR, then set the floor to
    `floor` in the page: the time and bytes of that rerun. `counts`: the
    Events metric before and after, as the page writes them; `shot`: where
    to save a screenshot of the page after the rerun (once timed)."""
    url = server.url
    assert server.process is not None
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        frames = Frames(page)
        opened = time.perf_counter()
        area = f"admin1={quote(governorate)}&" if governorate else ""
        page.goto(f"{url}/{path}?{area}min_fatalities={START_FLOOR}")
        loaded = frames.finished_after(0, opened + timeout)
        if loaded is None:
            raise SystemExit(f"{url}/{path} at {governorate} did not load in {timeout:.0f} s")
        page.wait_for_function(METRIC, arg=["Events", counts[0]], timeout=timeout * 1000)
        page.locator("[data-testid=stDeckGlJsonChart] canvas").first.wait_for(timeout=timeout * 1000)
        settle(page, time.perf_counter() + timeout)
        box = page.get_by_role("spinbutton", name="Minimum fatalities", exact=True)
        box.fill(str(floor))
        frames.read()
        mark = len(frames.seen)
        cpu_before = cpu_seconds(server.process.pid)
        start = time.perf_counter()
        box.press("Enter")
        end = frames.finished_after(mark, start + timeout)
        if end is None:
            return Rerun(None, None, frames.bytes(mark, len(frames.seen)), frames.bytes(0, loaded + 1))
        left = max(start + timeout - time.perf_counter(), 0.001)
        page.wait_for_function(METRIC, arg=["Events", counts[1]], polling="raf", timeout=left * 1000)
        drawn = page.evaluate(TWO_FRAMES) / 1000
        cpu = [after - before for after, before in zip(cpu_seconds(server.process.pid), cpu_before, strict=True)]
        enter = page.evaluate("() => window.__enter") / 1000
        seconds = drawn - enter
        if seconds > timeout:
            return Rerun(None, None, frames.bytes(mark, end + 1), frames.bytes(0, loaded + 1))
        if page.get_by_test_id("stException").count() or not page.locator(
                "[data-testid=stDeckGlJsonChart] canvas").count():
            return Rerun(None, None, frames.bytes(mark, end + 1), frames.bytes(0, loaded + 1),
                         "the run ended without its map (an error shown instead)")
        if shot is not None:
            page.wait_for_timeout(2_000)  # WebGL draws a few frames after the data
            page.screenshot(path=shot)
        return Rerun(seconds, frames.seen[end][0] - enter, frames.bytes(mark, end + 1), frames.bytes(0, loaded + 1),
                     server_cpu=cpu[0], browser_cpu=cpu[1])
    finally:
        context.close()


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def _seconds(value: float, timeout: float) -> str:
    return f"> {timeout:.0f} s" if math.isinf(value) else f"{value:.2f} s"


def filter_states(scope: str, rounds: int) -> list[tuple[str | None, int]]:
    """(governorate or None, floor): the warm-up's, then one per round, all different."""
    states: list[tuple[str | None, int]]
    if scope == "country":
        states = [(None, COUNTRY_WARM_UP)]
        states += [(None, floor) for floor in range(COUNTRY_FLOOR, COUNTRY_FLOOR + rounds)]
    else:
        states = [(WARM_UP, FLOORS[0])]
        states += [(GOVERNORATES[i % len(GOVERNORATES)], FLOORS[i % len(FLOORS)]) for i in range(rounds)]
    return states


def bench(browser: Browser, rows: int, rounds: int, timeout: float, scope: str) -> None:
    one, _ = stores(rows, 20, False)
    folder = one.path.parent
    states = filter_states(scope, rounds)
    # Read before the servers open the files (a DuckDB file has one writer).
    counts = {}
    for governorate, floor in states:
        area = (governorate,) if governorate else ()
        before = one.summary(EventQuery(admin1=area, min_fatalities=START_FLOOR)).count
        after = one.summary(EventQuery(admin1=area, min_fatalities=floor)).count
        counts[governorate, floor] = (f"{before:,}", f"{after:,}")
    naive_db = folder / "naive.duckdb"
    shutil.copyfile(one.path, naive_db)
    app = Server("dashboard.py", one.path, folder / "app.log")
    # Streamlit refuses a message over 200 MB (the naive page then shows an
    # error, which counts as a failure): Playwright's driver, which receives
    # every websocket frame from Chromium, runs out of memory on larger ones.
    naive = Server("bench/naive_explore.py", naive_db, folder / "naive.log")
    results: dict[str, list[Rerun]] = {"app": [], "naive": []}
    print(f"\n{rows:,} events, {scope}; load at the start: {_load()}", flush=True)
    try:
        for number, (governorate, floor) in enumerate(states):
            order = [("app", app, "explore"), ("naive", naive, "")]
            if number % 2:
                order.reverse()
            for side, server, path in order:
                shot = folder / f"{side}_{scope}.png" if number == len(states) - 1 else None
                rerun = one_rerun(browser, server, path, governorate, floor, counts[governorate, floor], timeout,
                                  shot)
                if rerun.seconds is None:
                    server.restart()
                if number:
                    results[side].append(rerun)
                shown = (rerun.failed or "timeout" if rerun.seconds is None or rerun.received is None
                         else f"{rerun.seconds:.2f} s (run ended at {rerun.received:.2f} s; CPU: server "
                              f"{rerun.server_cpu:.2f} s, browser {rerun.browser_cpu:.2f} s)")
                print(f"  {'warm-up' if not number else f'round {number}'} {side:5} {governorate or 'Syria'} ≥{floor} "
                      f"({counts[governorate, floor][1]} events): {shown}, {rerun.bytes:,} bytes"
                      f" (first run {rerun.load_bytes:,}); load {_load()}", flush=True)
    finally:
        app.stop()
        naive.stop()
    medians = {side: _median([math.inf if r.seconds is None else r.seconds for r in runs])
               for side, runs in results.items()}
    print(f"{rows:,} events, {scope}, medians of {rounds} rounds (load at the end: {_load()}):")
    for side, runs in results.items():
        sizes = [float(r.bytes) for r in runs]
        done = [r for r in runs if r.seconds is not None]
        print(f"  {side:5}: {_seconds(medians[side], timeout)} from the change to the end of the rerun;"
              f" {_median(sizes):,.0f} bytes received per rerun (most {max(sizes):,.0f}); CPU of the reruns"
              f" done: server {_median([r.server_cpu for r in done]):.2f} s,"
              f" browser {_median([r.browser_cpu for r in done]):.2f} s")
    bound = "> " if math.isinf(medians["naive"]) else ""
    ratio = (timeout if bound else medians["naive"]) / medians["app"]
    print(f"  naive / app: {bound}{ratio:.1f}×; the last round's pages: {folder}/{{app,naive}}_{scope}.png",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="events in the store (repeatable; "
                        "default 100,000 and 1,000,000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per side and size")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a rerun may take (naive page)")
    parser.add_argument("--scope", choices=("governorate", "country"), default="governorate",
                        help="each round in its own governorate, or all of Syria with its own floor")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for rows in args.rows or [100_000, 1_000_000]:
                bench(browser, rows, args.rounds, args.timeout, args.scope)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
