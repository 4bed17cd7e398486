"""First use, tried as a new user would (issue 14): every change of a filter
takes, nothing is fetched from outside the machine, the table offers no
download around the export's guard, and a shared link opens where it
points. Expected counts come from the store the app serves."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from events.duckdb_store import DuckDBStore
from events.exc import StoreLockedError
from events.filters import EventQuery
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

# Every host name resolves to nothing but the app's own address: a request
# to anywhere else fails instead of reaching the internet.
OFFLINE_ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _metric(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _summaries(app_db, queries: list[EventQuery]) -> list[tuple[str, str]]:
    """The (events, fatalities) the page must show for each query, read
    before the page is opened: the app's server may hold the store's lock
    while it answers a page."""
    deadline = time.monotonic() + 30
    while True:
        try:
            store = DuckDBStore(app_db)
            return [(f"{s.count:,}", f"{s.fatalities:,}") for s in map(store.summary, queries)]
        except StoreLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _expect_counts(page: Page, counts: tuple[str, str]) -> None:
    expect(_metric(page, "Events")).to_have_text(counts[0])
    expect(_metric(page, "Fatalities")).to_have_text(counts[1])


def _typed(label: str, role: str) -> Callable[[Page, str], None]:
    def change(page: Page, value: str) -> None:
        box = page.get_by_role(role, name=label, exact=True)
        box.fill(value)
        box.press("Enter")
        expect(box).to_have_value(value)
    return change


def _picked(label: str) -> Callable[[Page, str], None]:
    """Change a multiselect: "+X" adds X, "-X" removes it."""
    def change(page: Page, value: str) -> None:
        sign, option = value[0], value[1:]
        if sign == "+":
            page.get_by_role("combobox", name=label, exact=True).click()
            page.get_by_role("option", name=option, exact=True).click()
            page.keyboard.press("Escape")
            expect(page.get_by_role("button", name=f"Remove {option}", exact=True)).to_be_visible()
        else:
            page.get_by_role("button", name=f"Remove {option}", exact=True).click()
            expect(page.get_by_role("button", name=f"Remove {option}", exact=True)).to_have_count(0)
    return change


def _chosen(label: str) -> Callable[[Page, str], None]:
    def change(page: Page, value: str) -> None:
        page.get_by_role("combobox", name=label, exact=True).click()
        page.get_by_role("option", name=value, exact=True).click()
    return change


# Per filter: how a person changes it, three changes, and the query after each.
CHANGES = {
    "text": (_typed("Text", "textbox"), ["drone", "Hama", "shelling"],
             [EventQuery(text="drone"), EventQuery(text="Hama"), EventQuery(text="shelling")]),
    "min_fatalities": (_typed("Minimum fatalities", "spinbutton"), ["2", "5", "1"],
                       [EventQuery(min_fatalities=2), EventQuery(min_fatalities=5), EventQuery(min_fatalities=1)]),
    "event_type": (_picked("Event type"), ["+Battles", "+Protests", "-Battles"],
                   [EventQuery(event_type=("Battles",)), EventQuery(event_type=("Battles", "Protests")),
                    EventQuery(event_type=("Protests",))]),
    "admin1": (_picked("Governorate"), ["+Hama", "+Idleb", "-Hama"],
               [EventQuery(admin1=("Hama",)), EventQuery(admin1=("Hama", "Idleb")), EventQuery(admin1=("Idleb",))]),
    # Drafts may be none (0, all, 0): the counts move either way.
    "status": (_chosen("Status"), ["draft", "reviewed", "draft"],
               [EventQuery(status="draft"), EventQuery(status="reviewed"), EventQuery(status="draft")]),
}


@pytest.mark.parametrize("key", CHANGES)
def test_three_successive_changes_of_a_filter_all_take_effect(page, app_url, app_db, key):
    change, values, queries = CHANGES[key]
    everything, *after = _summaries(app_db, [EventQuery(), *queries])
    # Each change must move the counts, or a lost change would pass unseen.
    assert all(a != b for a, b in zip([everything, *after], after, strict=False)), after
    page.goto(f"{app_url}/explore")
    _expect_counts(page, everything)
    for number, (value, counts, query) in enumerate(zip(values, after, queries, strict=True), start=1):
        change(page, value)
        _expect_counts(page, counts)
        # The address follows, so the view can be shared as it is.
        assert parse_qs(urlsplit(page.url).query) == query.to_params()
        if number == 3:
            page.screenshot(path=ARTIFACTS / f"filter_{key}_third_change.png", full_page=True)


def test_a_shared_link_opens_the_filtered_view_without_page_not_found(page, app_url, app_db):
    everything, hama = _summaries(app_db, [EventQuery(), EventQuery(admin1=("Hama",))])
    # The app's root, once visited, puts Streamlit in the mode where a page
    # of st.navigation is looked up by its address.
    page.goto(app_url)
    _expect_counts(page, everything)
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    page.goto(f"{app_url}/explore?admin1=Hama")
    _expect_counts(page, hama)
    expect(page.get_by_text("Showing events governorate is Hama.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Hama", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "shared_link_hama.png", full_page=True)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_test_id("stDialog")).to_have_count(0)


def test_the_table_has_no_download_button_of_its_own(page, app_url):
    # A small view: Streamlit offers its CSV download only on tables it
    # sends whole, and this one is.
    page.goto(f"{app_url}/explore?text=Arab+48")
    table = page.get_by_test_id("stDataFrame")
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("2024-03-16")
    table.hover()
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    page.screenshot(path=ARTIFACTS / "table_toolbar.png", full_page=True)
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    # The page's own download, which guards against formulas, is there.
    expect(page.get_by_role("button", name="Download the filtered events")).to_be_visible()


def _densest_red(chart) -> tuple[int, int]:
    """(x, y) within the map of the point where its red circles are densest."""
    shot = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB")).astype(int)
    red = ((shot[..., 0] > 150) & (shot[..., 1] < 110) & (shot[..., 2] < 110)).astype(int)
    if red.sum() == 0:
        return -1, -1
    window = np.ones(9)
    dense = np.apply_along_axis(np.convolve, 0, np.apply_along_axis(np.convolve, 1, red, window, "same"),
                                window, "same")
    y, x = np.unravel_index(int(dense.argmax()), dense.shape)
    return int(x), int(y)


def _hover_a_circle(page: Page) -> None:
    chart = page.get_by_test_id("stDeckGlJsonChart")
    expect(chart).to_be_visible()
    deadline = time.monotonic() + 30
    while (point := _densest_red(chart))[0] < 0 and time.monotonic() < deadline:
        pass  # WebGL draws a few frames after the element appears
    chart.hover(position={"x": point[0], "y": point[1]})
    expect(page.locator(".deck-tooltip")).to_contain_text("fatalities")


@pytest.fixture
def offline_page(browser):
    """A page in a Chromium that can resolve no host but 127.0.0.1, with
    every request it makes recorded through the DevTools protocol (which,
    unlike page.on("request"), also sees what the browser fetches itself)."""
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), args=OFFLINE_ARGS)
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent: dict[str, str] = {}
    failed: list[tuple[str, str]] = []
    cdp.on("Network.requestWillBeSent", lambda e: sent.setdefault(e["requestId"], e["request"]["url"]))
    cdp.on("Network.webSocketCreated", lambda e: sent.setdefault(e["requestId"], e["url"]))
    cdp.on("Network.loadingFailed",
           lambda e: failed.append((sent.get(e["requestId"], "?"), e["errorText"])))
    yield page, sent, failed
    context.close()
    chromium.close()


def test_no_page_fetches_anything_from_outside_the_machine(offline_page, app_url, seed_report):
    page, sent, failed = offline_page
    app = urlsplit(app_url).netloc
    icons = []

    page.goto(f"{app_url}/explore")
    expect(_metric(page, "Events")).to_be_visible()
    _hover_a_circle(page)
    page.screenshot(path=ARTIFACTS / "offline_explore_tooltip.png", full_page=True)
    icons += page.locator("link[rel~=icon]").evaluate_all("links => links.map(l => l.href)")

    page.goto(f"{app_url}/code")
    page.get_by_label("Report text (Arabic or English)").fill(seed_report)
    page.get_by_role("button", name="Draft event").click()
    expect(page.get_by_test_id("report-evidence").locator("mark").first).to_be_visible()
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "offline_code_draft.png", full_page=True)
    icons += page.locator("link[rel~=icon]").evaluate_all("links => links.map(l => l.href)")

    page.goto(f"{app_url}/upload")
    expect(page.locator("input[type=file]")).to_be_attached()
    page.screenshot(path=ARTIFACTS / "offline_upload.png", full_page=True)
    icons += page.locator("link[rel~=icon]").evaluate_all("links => links.map(l => l.href)")

    hosts = Counter(urlsplit(url).netloc or urlsplit(url).scheme for url in sent.values())
    outside = sorted({url for url in sent.values() if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(url).netloc != app})
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "requests.txt").write_text(
        "Hosts of every request the browser made (DevTools Network domain), opening Explore (map hovered),\n"
        "Code a report (the seed report drafted) and Upload; 'data' is inline data, not a request:\n"
        + "".join(f"{host}\t{n}\n" for host, n in sorted(hosts.items()))
        + "Outside requests:\n" + "".join(f"{url}\n" for url in outside)
        + "Failed requests:\n" + "".join(f"{url}\t{error}\n" for url, error in failed)
        + "Page icons:\n" + "".join(f"{icon[:120]}\n" for icon in icons),
        encoding="utf-8")
    assert outside == []
    assert set(hosts) <= {app, "data", "blob"}, hosts
    # A page left mid-load cancels its own requests (ERR_ABORTED); none may
    # fail for want of a host.
    assert [(url, error) for url, error in failed if error != "net::ERR_ABORTED"] == []
    assert icons and all(icon.startswith(("data:", f"{app_url}/")) for icon in icons), icons
