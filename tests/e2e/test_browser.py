"""What a person sees in Chromium. Tests run in file order: the map test
sees the default data, the coding test then adds one event."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

def _map_pixels(page) -> dict[str, int]:
    """Pixels of governorate fill (its beige, or tinted by the regions'
    shade), of coloured dots, of red points and of the blue area, as drawn."""
    shot = np.asarray(Image.open(io.BytesIO(page.get_by_test_id("stDeckGlJsonChart").screenshot())).convert("RGB"))
    r, g, b = (shot[..., i].astype(int) for i in range(3))
    light = (r > 170) & (g > 160) & (b > 170) & ~((r > 250) & (g > 250) & (b > 250))
    colourful = (np.max(shot, axis=-1).astype(int) - np.min(shot, axis=-1).astype(int)) > 110
    return {"fill": int(light.sum()), "dots": int(colourful.sum()),
            "red": int(((r > 150) & (g < 110) & (b < 110)).sum()),
            "blue": int(((b - r > 15) & (b > 150)).sum())}


def _wait_for_map(page, least: dict[str, int]) -> dict[str, int]:
    """WebGL draws a few frames after the element appears: look until the
    map shows at least `least` pixels of each kind, within a bound."""
    deadline = time.monotonic() + 30
    while any((pixels := _map_pixels(page))[k] < n for k, n in least.items()) and time.monotonic() < deadline:
        pass
    return pixels


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_explore_draws_outlines_and_points(page, app_url):
    page.goto(f"{app_url}/explore")
    expect(_metric(page, "Events")).to_have_text("2,401")
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible()
    pixels = _wait_for_map(page, {"fill": 20_000, "dots": 500})
    page.screenshot(path=ARTIFACTS / "explore_default.png", full_page=True)
    assert pixels["fill"] > 20_000, "no governorate outlines drawn"
    assert pixels["dots"] > 500, "no event points drawn"


def _type_date(page, label: str, day: dt.date) -> None:
    for part, value in (("year", f"{day.year}"), ("month", f"{day.month:02d}"), ("day", f"{day.day:02d}")):
        page.get_by_role("spinbutton", name=f"{part}, {label}").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")


def test_code_the_seed_report_and_find_it_on_explore(page, app_url, seed_report):
    page.goto(f"{app_url}/explore?admin1=Hama")
    expect(_metric(page, "Events")).to_have_text("237")

    page.goto(f"{app_url}/code")
    page.get_by_label("Report text (Arabic or English)").fill(seed_report)
    _type_date(page, "Published on", dt.date(2024, 3, 16))
    page.get_by_role("button", name="Draft event").click()
    expect(page.get_by_test_id("report-evidence").locator("mark").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Actor 1", exact=True)).to_have_value("Military Forces of Syria")
    expect(page.get_by_role("spinbutton", name="Fatalities", exact=True)).to_have_value("10")
    # The place map shows Hama governorate, which "ريف حماة" stands for, in blue.
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible()
    pixels = _wait_for_map(page, {"blue": 5_000, "red": 50})
    page.screenshot(path=ARTIFACTS / "code_draft.png", full_page=True)
    assert pixels["blue"] > 5_000 and pixels["red"] > 50, pixels
    page.get_by_role("button", name="Save event").click()
    # The default data holds this report coded by hand: the page names it
    # and leaves the choice to the coder.
    expect(page.get_by_text("This event may be already stored")).to_be_visible()
    expect(page.get_by_text("coded:seed-arab48-20240316")).to_be_visible()
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Saved event coded:")).to_be_visible()

    page.goto(f"{app_url}/explore?admin1=Hama")
    expect(_metric(page, "Events")).to_have_text("238")

    page.goto(f"{app_url}/explore?admin1=Hama&status=draft")
    expect(_metric(page, "Events")).to_have_text("1")
    expect(_metric(page, "Fatalities")).to_have_text("10")
    table = page.get_by_test_id("stDataFrame")
    # Column 0 holds the row's marker (a click opens the event).
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("2024-03-16")
    expect(table.get_by_test_id("glide-cell-2-0")).to_have_text("Explosions/Remote violence")
    expect(table.get_by_test_id("glide-cell-3-0")).to_have_text("Military Forces of Syria")
    page.screenshot(path=ARTIFACTS / "explore_after_save.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the filtered events").click()
    text = download.value.path().read_bytes().decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["event_id"].startswith("coded:")
    assert {k: row[k] for k in ("event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
                                "admin1", "location", "latitude", "longitude", "geo_precision", "fatalities",
                                "source", "country", "origin", "status")} == {
        "event_date": "2024-03-16",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": "Military Forces of Syria",
        "assoc_actor_1": "Military Forces of Russia",
        "actor2": "Unidentified Armed Group (Syria)",
        "admin1": "Hama",
        "location": "Hama",
        "latitude": "35.1318",
        "longitude": "36.7578",
        "geo_precision": "3",
        "fatalities": "10",
        "source": "Arab 48",
        "country": "Syria",
        "origin": "coded",
        "status": "draft",
    }


def _count(page, app_url: str, query: str = "") -> int:
    page.goto(f"{app_url}/explore{query}")
    value = _metric(page, "Events")
    expect(value).to_have_text(re.compile(r"^[0-9,]+$"))
    return int(value.inner_text().replace(",", ""))


def test_upload_shows_rejects_then_stores_the_good_rows(page, app_url):
    before = _count(page, app_url, "?text=Test%20outlet")
    page.goto(f"{app_url}/upload")
    page.locator("input[type=file]").set_input_files(FIXTURES / "formats" / "acled_current.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Rejected rows")).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    expect(table.get_by_test_id("glide-cell-0-0")).to_have_text("5")
    expect(table.get_by_test_id("glide-cell-2-0")).to_have_text("latitude_out_of_range")
    expect(page.get_by_text("whose terms of use forbid")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "upload_preview.png", full_page=True)
    page.get_by_role("button", name="Store 3 accepted rows").click()
    expect(page.get_by_text("Stored 3 events as batch import-")).to_be_visible()
    assert _count(page, app_url, "?text=Test%20outlet") == before + 3
    expect(page.get_by_text("3 of these events come from ACLED")).to_be_visible()


def test_three_reports_uploaded_reviewed_in_the_queue_and_saved_appear_on_explore(page, app_url):
    february = "?date_from=2025-02-01&date_to=2025-02-28"
    assert _count(page, app_url, february) == 0
    page.goto(f"{app_url}/code")
    page.get_by_text("Upload many reports").click()
    page.locator("input[type=file]").set_input_files(FIXTURES / "reports" / "queue_three.jsonl")
    expect(page.get_by_text("queue_three.jsonl", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add to the review queue").click()
    page.get_by_role("button", name="Review the next report (3 waiting)").click()
    for number in (1, 2, 3):
        expect(page.get_by_text(f"Reviewing queue_three.jsonl:{number} from the queue.")).to_be_visible()
        expect(page.get_by_test_id("report-evidence")).to_be_visible()
        if number == 1:
            # The reviewer corrects what the draft got wrong, then saves.
            page.screenshot(path=ARTIFACTS / "queue_review.png", full_page=True)
        try:
            page.get_by_role("button", name="Save event").click()
            expect(page.get_by_text("Saved event coded:")).to_be_visible()
        except Exception:
            page.mouse.wheel(0, 3000)
            page.screenshot(path=ARTIFACTS / f"queue_failure_{number}.png", full_page=True)
            raise
    expect(page.get_by_role("button", name="Review the next report (0 waiting)")).to_be_disabled()
    assert _count(page, app_url, february) == 3
    assert _count(page, app_url, february + "&status=reviewed") == 3
    expect(_metric(page, "Fatalities")).to_have_text("3")
