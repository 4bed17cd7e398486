"""Explore as an analyst uses it, in Chromium (issue 18's points 1-9).

The map's layers are read from what the browser received: the deck's JSON
inside the websocket messages (DevTools' Network domain), so a test checks
the data drawn, not pixels, except where a click must land on a dot.
Screenshots of each state are saved in tests/artifacts/.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from events.filters import EventQuery
from events.native import native_csv
from tests.conftest import ROOT
from tests.e2e.conftest import ARTIFACTS, CHROMIUM
from tests.e2e.test_first_use import OFFLINE_ARGS, _metric, _picked, _summaries, _typed
from tests.helpers import make_event

pytestmark = pytest.mark.browser

MARKUP = "<img src=x onerror=alert(1)>"
ARABIC_NOTES = "قصفت قوات النظام بلدة كفرنبل بالمدفعية ما أدى إلى مقتل مدنيين اثنين."
# Two events of our own, stored through the Upload page (as a person would).
OUR_EVENTS = [
    make_event(9001, event_id="e2e:markup", notes=MARKUP, actor1=f"{MARKUP} Brigade", location=f"{MARKUP} village",
               event_type="Battles", sub_event_type="Armed clash", disorder_type="Political violence",
               admin1="Idleb", admin2="Idleb", latitude=35.93, longitude=36.63, geo_precision=1, fatalities=4,
               source="Test <b>outlet</b>", source_url="javascript:alert(3)", event_date=dt.date(2024, 6, 1)),
    make_event(9002, event_id="e2e:arabic", notes=ARABIC_NOTES, sub_event_type="Shelling/artillery/missile attack",
               admin1="Idleb", admin2="Al Ma'ra", location="Kafr Nabl", latitude=35.6137,
               longitude=36.5614, geo_precision=1, fatalities=2, source="المرصد", actor1="Military Forces of Syria",
               source_url="https://example.org/report/1", event_date=dt.date(2024, 6, 2)),
]


def _map_image(page: Page) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.get_by_test_id("stDeckGlJsonChart").screenshot())).convert("RGB"))


def _map_changes(page: Page, before: np.ndarray) -> np.ndarray:
    """The map as drawn once it differs from `before` (WebGL draws a few
    frames after the data arrives), failing after 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = _map_image(page)
        if after.shape != before.shape or (np.abs(after.astype(int) - before).sum(axis=-1) > 30).mean() > 0.0005:
            return after
        time.sleep(0.3)
    raise AssertionError("the map did not change")


def _settled_map(page: Page) -> np.ndarray:
    """The map once two looks a second apart are the same."""
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible()
    last = _map_image(page)
    for _ in range(30):
        time.sleep(1)
        now = _map_image(page)
        if now.shape == last.shape and np.array_equal(now, last):
            return now
        last = now
    return last


def _count(page: Page) -> int:
    value = _metric(page, "Events")
    expect(value).to_have_text(re.compile(r"^[0-9,]+$"))
    return int(value.inner_text().replace(",", ""))


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"explore_{name}.png", full_page=True)


@pytest.fixture(scope="module")
def our_events(browser, app_url, tmp_path_factory):
    """Our two events, uploaded and stored through the Upload page."""
    path = tmp_path_factory.mktemp("upload") / "e2e_events.csv"
    path.write_text(native_csv(OUR_EVENTS), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.goto(f"{app_url}/upload")
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Store 2 accepted rows").click()
    expect(page.get_by_text("Stored 2 events as batch import-")).to_be_visible()
    context.close()
    return OUR_EVENTS


def test_1_a_shared_link_shows_the_counts_of_the_command_line(page, app_url, app_db):
    query = "?admin1=Hama&admin1=Idleb&event_type=Battles&min_fatalities=1&date_from=2023-06-01&date_to=2024-05-31"
    args = ["--admin1", "Hama", "--admin1", "Idleb", "--type", "Battles", "--min-fatalities", "1",
            "--from", "2023-06-01", "--to", "2024-05-31"]
    deadline = time.monotonic() + 30
    while True:  # the app's server may hold the store's lock for a moment
        cli = subprocess.run([sys.executable, "-m", "events", "query", "--db", str(app_db), *args, "--json"],
                             cwd=ROOT, capture_output=True, text=True)
        if cli.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    page.goto(f"{app_url}/explore{query}")
    expect(_metric(page, "Events")).to_have_text(f"{expected['count']:,}")
    expect(_metric(page, "Fatalities")).to_have_text(f"{expected['fatalities']:,}")
    expect(page.get_by_text(f"of {expected['count']:,}, sorted by Date")).to_be_visible()
    _shot(page, "1_shared_link")


def _pick(label: str):
    """Add an option to a multiselect by typing it, as with a long list."""
    def change(page: Page, value: str) -> None:
        option = value.removeprefix("+")
        box = page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.press_sequentially(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        expect(page.get_by_role("button", name=f"Remove {option}", exact=True)).to_be_visible()
    return change


# Per new filter: how a person changes it, and the query it makes.
NEW_FILTERS = {
    "sub_event_type": (_picked("Sub-event type"), "+Armed clash", EventQuery(sub_event_type=("Armed clash",))),
    "actor": (_picked("Actor"), "+Islamic State", EventQuery(actor=("Islamic State",))),
    "admin2": (_pick("District"), "+Idleb", EventQuery(admin2=("Idleb",))),
    "max_fatalities": (_typed("Maximum fatalities", "spinbutton"), "1", EventQuery(max_fatalities=1)),
    "geo_precision": (_picked("Geo precision"), "+3: a region", EventQuery(geo_precision=(3,))),
    "source": (_typed("Source", "textbox"), "Arab", EventQuery(source="Arab")),
    "origin": (_picked("Origin"), "+coded", EventQuery(origin=("coded",))),
}


@pytest.mark.parametrize("key", NEW_FILTERS)
def test_2_changing_a_filter_updates_counts_table_and_map(page, app_url, app_db, our_events, key):
    change, value, query = NEW_FILTERS[key]
    everything, expected = _summaries(app_db, [EventQuery(), query])
    assert everything != expected
    page.goto(f"{app_url}/explore")
    expect(_metric(page, "Events")).to_have_text(everything[0])
    before = _settled_map(page)
    change(page, value)
    expect(_metric(page, "Events")).to_have_text(expected[0])
    expect(_metric(page, "Fatalities")).to_have_text(expected[1])
    expect(page.get_by_text(f"of {expected[0]}, sorted by Date")).to_be_visible()
    _map_changes(page, before)
    assert parse_qs(urlsplit(page.url).query) == query.to_params()
    _shot(page, f"2_filter_{key}")


def _click_dot(page: Page, chart, x: int, y: int) -> None:
    """Click a dot as a person does: the pointer comes to it (deck.gl picks
    what is under it on the way), then presses."""
    chart.hover(position={"x": x, "y": y})
    expect(page.locator(".deck-tooltip")).to_be_visible()
    page.mouse.down()
    page.mouse.up()


def _dot_position(chart, colour: tuple[int, int, int], tolerance: int = 60) -> tuple[int, int]:
    """(x, y) within the map of the centre of the pixels near `colour`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shot = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB")).astype(int)
        near = np.abs(shot - np.array(colour)).sum(axis=-1) < tolerance
        if near.sum() > 10:
            ys, xs = np.nonzero(near)
            return int(np.median(xs)), int(np.median(ys))
        time.sleep(0.3)
    chart.page.screenshot(path=ARTIFACTS / "explore_no_dot.png", full_page=True)
    raise AssertionError(f"no dot of colour {colour} on the map")


BATTLES = (213, 94, 0)
EXPLOSIONS = (230, 159, 0)


def test_3_markup_in_an_event_shows_as_text_in_tooltip_table_and_details(page, app_url, our_events):
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{app_url}/explore?text=onerror")
    expect(_metric(page, "Events")).to_have_text("1")
    chart = page.get_by_test_id("stDeckGlJsonChart")
    x, y = _dot_position(chart, BATTLES)
    chart.hover(position={"x": x, "y": y})
    tooltip = page.locator(".deck-tooltip")
    expect(tooltip).to_contain_text(f"{MARKUP} Brigade")
    # Every line as text, the notes last: the markup is characters, not elements.
    assert tooltip.inner_text().splitlines() == [
        "2024-06-01 · Battles", f"{MARKUP} Brigade", f"{MARKUP} village, Idleb", "4 fatalities · precision 1",
        "source: Test <b>outlet</b>", MARKUP]
    assert tooltip.locator("*:not(br)").count() == 0  # innerText makes each line break a <br>
    assert page.locator("img").count() == 0
    tooltip.screenshot(path=ARTIFACTS / "explore_3_markup_tooltip_close.png")
    _shot(page, "3_markup_tooltip")
    table = page.get_by_test_id("stDataFrame")
    expect(table.get_by_test_id("glide-cell-7-0")).to_have_text(MARKUP)
    _click_dot(page, chart, x, y)
    details = page.get_by_test_id("event-details")
    expect(details.get_by_test_id("event-notes")).to_have_text(MARKUP)
    expect(details).to_contain_text("javascript:alert(3)")  # shown, not a link
    expect(details.locator("a")).to_have_count(0)
    _shot(page, "3_markup_details")
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("[data-testid=stMain] img").count() == 0
    assert alerts == []


def test_4_arabic_notes_read_right_to_left(page, app_url, our_events):
    page.goto(f"{app_url}/explore?text=كفرنبل")
    expect(_metric(page, "Events")).to_have_text("1")
    table = page.get_by_test_id("stDataFrame")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 52)  # the row's marker: opens the event
    notes = page.get_by_test_id("event-notes")
    expect(notes).to_have_text(ARABIC_NOTES)
    assert notes.evaluate("n => getComputedStyle(n).direction") == "rtl"
    # The link is an https link: shown as one, opening elsewhere.
    expect(page.get_by_test_id("event-details").locator("a")).to_have_attribute("href", "https://example.org/report/1")
    notes.scroll_into_view_if_needed()
    _shot(page, "4_arabic_notes")


def test_5_playback_steps_the_window_and_the_map_follows(page, app_url):
    page.goto(f"{app_url}/explore?date_from=2024-01-01&date_to=2024-06-30")
    expect(_metric(page, "Events")).to_be_visible()
    page.get_by_role("button", name="▶ Play").click()
    playing = page.get_by_text(re.compile(r"^Playing "))
    expect(playing).to_be_visible()
    first = playing.inner_text()
    first_map = _map_image(page)
    _shot(page, "5_playback_first")
    expect(playing).not_to_have_text(first)
    second = playing.inner_text()
    assert first.split(":")[0] != second.split(":")[0]
    _map_changes(page, first_map)
    _shot(page, "5_playback_second")
    page.get_by_role("button", name="■ Stop").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()


def test_a_span_dragged_on_the_timeline_sets_the_dates(page, app_url):
    page.goto(f"{app_url}/explore")
    expect(_metric(page, "Events")).to_have_text(re.compile(r"^[0-9,]+$"))
    everything = _count(page)
    chart = page.get_by_test_id("stVegaLiteChart")
    chart.scroll_into_view_if_needed()
    box = chart.locator("canvas, svg").first.bounding_box()
    y = box["y"] + box["height"] * 0.45
    page.mouse.move(box["x"] + box["width"] * 0.35, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"date_from=.*date_to="))
    params = parse_qs(urlsplit(page.url).query)
    first, last = dt.date.fromisoformat(params["date_from"][0]), dt.date.fromisoformat(params["date_to"][0])
    assert dt.date(2023, 1, 1) < first < last < dt.date(2024, 12, 31)
    expect(_metric(page, "Events")).not_to_have_text(f"{everything:,}")
    _shot(page, "timeline_span")


def test_6_switching_to_arabic_lays_the_page_right_to_left(page, app_url):
    page.goto(f"{app_url}/explore?admin1=Hama")
    expect(_metric(page, "Events")).to_be_visible()
    page.get_by_role("radio", name="العربية").click()
    expect(page.get_by_role("heading", name="استكشاف الأحداث")).to_be_visible()
    expect(_metric(page, "الأحداث")).to_be_visible()
    legend = page.get_by_test_id("map-legend")
    expect(legend).to_have_attribute("dir", "rtl")
    expect(legend).to_contain_text("نوع الحدث")
    main = page.get_by_test_id("stMain")
    assert main.evaluate("m => getComputedStyle(m).direction") == "rtl"
    assert parse_qs(urlsplit(page.url).query) == {"admin1": ["Hama"], "lang": ["ar"]}
    # The labels' shaping is asserted on the deck in tests/test_app.py; here, as drawn.
    _settled_map(page)
    _shot(page, "6_arabic")


@pytest.mark.parametrize("path, heading, words", [
    ("code", "ترميز تقرير", ("نص التقرير (بالعربية أو بالإنجليزية)", "تاريخ النشر", "صياغة مسودة حدث")),
    ("upload", "رفع الأحداث", ("ملف CSV من ACLED أو UCDP GED أو GDELT أو بصيغتنا", "الصيغة")),
])
def test_6_the_code_and_upload_pages_switch_to_arabic_too(page, app_url, path, heading, words):
    page.goto(f"{app_url}/{path}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)
    page.get_by_role("radio", name="العربية").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    for word in words:
        expect(page.get_by_text(word, exact=True).first).to_be_visible()
    # Polled: the page's right-to-left style may come a moment after its words.
    expect(page.get_by_test_id("stMain")).to_have_css("direction", "rtl")
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["ar"]}
    _shot(page, f"6_arabic_{path}")


def test_7_the_grid_and_heatmap_are_drawn_and_a_cell_says_its_count(page, app_url):
    # That the cells and the shaded regions add up to the count is asserted
    # on the deck itself in tests/test_app.py (AppTest holds the JSON sent);
    # here: the layers as drawn, and a cell's tooltip.
    page.goto(f"{app_url}/explore")
    expect(_metric(page, "Events")).to_be_visible()
    page.get_by_role("radio", name="Grid of cells").click()
    expect(page.get_by_text("Cell colour: events in the cell")).to_be_visible()
    chart = page.get_by_test_id("stDeckGlJsonChart")
    x, y = _dot_position(chart, (190, 30, 60), tolerance=90)  # a cell of the top quarter, over the region tint
    chart.hover(position={"x": x, "y": y})
    cell_tip = re.compile(r"^[0-9,]+ events, [0-9,]+ fatalities in this cell")
    expect(page.locator(".deck-tooltip")).to_contain_text(cell_tip)
    _shot(page, "7_grid")
    page.get_by_role("radio", name="Heatmap").click()
    expect(page.get_by_role("radio", name="Heatmap")).to_be_checked()
    time.sleep(3)
    _shot(page, "7_heatmap")


def test_8_clicking_an_event_on_the_map_opens_its_details(page, app_url, our_events):
    page.goto(f"{app_url}/explore?text=كفرنبل")
    expect(_metric(page, "Events")).to_have_text("1")
    expect(page.get_by_text("Click an event on the map")).to_be_visible()
    chart = page.get_by_test_id("stDeckGlJsonChart")
    x, y = _dot_position(chart, EXPLOSIONS)
    _click_dot(page, chart, x, y)
    details = page.get_by_test_id("event-details")
    expect(details).to_contain_text("e2e:arabic")
    expect(details).to_contain_text("Kafr Nabl")
    _shot(page, "8_map_click")


@pytest.fixture
def offline_page(browser):
    """A page in a Chromium that resolves no host but 127.0.0.1, recording
    every request through the DevTools protocol."""
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), args=OFFLINE_ARGS)
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: sent.setdefault(e["requestId"], e["request"]["url"]))
    cdp.on("Network.webSocketCreated", lambda e: sent.setdefault(e["requestId"], e["url"]))
    yield page, sent
    context.close()
    chromium.close()


def test_9_nothing_leaves_the_machine_in_any_state_of_explore(offline_page, app_url):
    page, sent = offline_page
    page.goto(f"{app_url}/explore?lang=ar")
    expect(page.get_by_role("heading", name="استكشاف الأحداث")).to_be_visible()
    for layer in ("شبكة خلايا", "خريطة حرارية", "أحداث منفردة"):
        page.get_by_role("radio", name=layer).click()
        expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible()
    page.get_by_role("button", name="▶ تشغيل").click()
    expect(page.get_by_text(re.compile("^العرض من"))).to_be_visible()
    page.get_by_role("button", name="■ إيقاف").click()
    page.goto(f"{app_url}/areas?lang=ar")
    expect(page.get_by_role("heading", name="المناطق والفترات")).to_be_visible()
    expect(page.get_by_test_id("stDeckGlJsonChart").first).to_be_visible()
    time.sleep(2)
    _shot(page, "9_offline_areas_arabic")
    app = urlsplit(app_url).netloc
    outside = sorted({url for url in sent.values() if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(url).netloc != app})
    (ARTIFACTS / "explore_requests.txt").write_text(
        "Every request of Explore (Arabic, each layer, playback) and Areas:\n" + "".join(
            f"{url[:160]}\n" for url in sorted(set(sent.values()))), encoding="utf-8")
    assert outside == []
    assert f"{app_url}/app/static/MapSans.ttf" in sent.values(), "the labels' font is not our own file"


def _bytes_of_a_run(app_url: str, query_string: str) -> int:
    """The bytes Streamlit sends for one run of Explore opened at `query_string`,
    over a websocket of our own (as the browser's: the same protocol)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    host = urlsplit(app_url).netloc
    with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=f"http://{host}",
                 max_size=None) as socket:
        socket.send(BackMsg(rerun_script=ClientState(query_string=query_string, page_name="explore"))
                    .SerializeToString())
        total = 0
        while True:
            data = socket.recv(timeout=60)
            total += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.WhichOneof("type") == "script_finished":
                return total


def test_the_data_sent_for_a_run_stays_under_a_megabyte(app_url):
    # A fresh session's first run sends every element: the most a rerun sends.
    sizes = {query: _bytes_of_a_run(app_url, query) for query in ("", "event_type=Battles", "admin1=Aleppo")}
    (ARTIFACTS / "explore_payload.txt").write_text("".join(
        f"?{query}: {size:,} bytes over the websocket for one run\n" for query, size in sizes.items()))
    assert all(size < 1_000_000 for size in sizes.values()), sizes


def test_the_export_holds_exactly_the_filtered_set_and_its_name_says_the_filter(page, app_url, app_db):
    [(count, _)] = _summaries(app_db, [EventQuery(admin1=("Hama",), event_type=("Battles",))])
    page.goto(f"{app_url}/explore?admin1=Hama&event_type=Battles")
    expect(_metric(page, "Events")).to_have_text(count)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the filtered events").click()
    assert download.value.suggested_filename == "events_event_type-Battles_admin1-Hama.csv"
    rows = download.value.path().read_text(encoding="utf-8").splitlines()
    assert len(rows) - 1 == int(count.replace(",", ""))


def test_the_areas_page_shades_areas_and_compares_two_periods(page, app_url):
    page.goto(f"{app_url}/areas")
    expect(page.get_by_role("heading", name="Areas and periods")).to_be_visible()
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_have_count(2)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    time.sleep(2)
    _shot(page, "areas")
