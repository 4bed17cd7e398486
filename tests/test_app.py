"""AppTest smoke tests: each page runs, shows the right numbers, and the
Code page turns a report into a stored event."""

import datetime as dt

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from events.default_data import load_default
from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from tests.conftest import FIXTURES, ROOT


@pytest.fixture
def demo_store(tmp_path, monkeypatch):
    path = tmp_path / "events.duckdb"
    store = DuckDBStore(path)
    load_default(store)
    monkeypatch.setenv("EVENTS_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return store


def _page(name: str) -> AppTest:
    """The app at one page, entered through dashboard.py as a browser would."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if name != "explore.py":
        at.switch_page(f"pages/{name}")
    return at


def test_explore_shows_counts_and_the_demo_notice(demo_store):
    at = _page("explore.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2,401", "3,084"]
    assert "Demo data" in at.info[0].body
    assert at.caption[0].value == "Showing all events."


def _explore_at(**params: str):
    """Explore opened at an address with these query parameters."""
    at = _page("explore.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def test_explore_reads_filters_from_the_url(demo_store):
    at = _explore_at(admin1="Hama")
    assert [m.value for m in at.metric] == ["237", "248"]
    assert at.caption[0].value == "Showing events governorate is Hama\\."


def test_text_from_the_url_is_shown_as_text_not_markdown(demo_store):
    at = _explore_at(text="![x](http://example.invalid/a.png)")
    assert at.caption[0].value == "Showing events text contains '\\!\\[x\\]\\(http\\://example\\.invalid/a\\.png\\)'\\."


def test_code_page_drafts_and_saves(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input((FIXTURES / "reports" / "01_saraqib_shelling_en.txt").read_text())
    at.date_input(key="published").set_value(dt.date(2024, 5, 10))
    at.button[0].click().run()
    assert not at.exception
    assert at.selectbox(key="field_admin1").value == "Idleb"
    assert at.selectbox(key="field_sub_event_type").value == "Shelling/artillery/missile attack"
    assert at.number_input(key="field_fatalities").value == 2
    at.number_input(key="field_fatalities").set_value(3)
    at.text_input(key="field_actor1").set_value("Hayat Tahrir al-Sham")
    next(b for b in at.button if b.label == "Save event").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Saved event coded\\:")
    [saved] = list(demo_store.iter_events(EventQuery(admin1=("Idleb",), status="draft")))
    assert (saved["fatalities"], saved["actor1"], saved["inter1"], saved["actor2"], saved["inter2"],
            saved["civilian_targeting"]) == (3, "Hayat Tahrir al-Sham", "Rebel group", "Civilians (Syria)",
                                             "Civilians", "Civilians targeted")


def test_code_page_form_queue_and_save_messages_in_arabic(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input((FIXTURES / "reports" / "01_saraqib_shelling_en.txt").read_text())
    at.date_input(key="published").set_value(dt.date(2024, 5, 10))
    at.button[0].click().run()
    at.get("button_group")[-1].set_value("ar").run()  # the language switch, with a draft in the form
    assert not at.exception
    # The fields are named as Explore names them; ACLED's types stay ACLED's.
    assert (at.selectbox(key="field_event_type").label, at.selectbox(key="field_sub_event_type").label,
            at.text_input(key="field_actor1").label, at.text_input(key="field_assoc_actor_1").label,
            at.number_input(key="field_fatalities").label, at.selectbox(key="field_admin1").label,
            at.number_input(key="field_latitude").label, at.selectbox(key="field_geo_precision").label,
            at.selectbox(key="field_status").label) == (
        "نوع الحدث", "النوع الفرعي", "الفاعل الأول", "فاعل مرافق أول (افصل بينها بـ ;)", "القتلى", "المحافظة",
        "خط العرض", "دقة الموقع", "الحالة")
    assert at.selectbox(key="field_sub_event_type").value == "Shelling/artillery/missile attack"
    assert at.selectbox(key="field_geo_precision").options == ["١: المكان نفسه", "٢: قرب مكان", "٣: منطقة"]
    assert at.selectbox(key="field_status").options == ["مسودة", "مراجَع"]
    assert at.number_input(key="field_fatalities").value == 2  # the draft kept over the switch
    assert _button(at, "إضافة إلى قائمة المراجعة") and _button(at, "بحث")
    at.number_input(key="field_fatalities").set_value(3)
    _button(at, "حفظ الحدث").click().run()
    assert not at.exception
    [event_id] = demo_store.frame(EventQuery(origin=("coded",), status="draft"))["event_id"]
    escaped = event_id.replace(":", "\\:")  # as ui.plain writes it for Markdown
    assert at.success[0].value == f"حُفظ الحدث {escaped} (Idleb). وهو الآن في صفحة الاستكشاف."
    assert "ما غُيِّر في المسودة (سجل تعديلات الحدث):" in [c.value for c in at.caption]


def test_code_page_refuses_an_invalid_event_and_says_why(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input("The weather was pleasant today.")
    at.button[0].click().run()
    next(b for b in at.button if b.label == "Save event").click().run()
    assert not at.exception
    assert "latitude" in at.error[0].value and "is required" in at.error[0].value
    assert demo_store.summary(EventQuery()).count == 2401


def test_upload_shows_rejects_before_storing_then_stores_and_undoes(demo_store):
    at = _page("upload.py").run()
    assert not at.exception
    # AppTest cannot drive st.file_uploader; the page's own steps are called
    # with the file's bytes through the same core functions it uses.
    from events.importer import preview

    data = (FIXTURES / "formats" / "acled_current.csv").read_bytes()
    result = preview(data, "acled_current.csv", demo_store)
    at.session_state["preview"] = result
    at.run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["8", "3", "5", "0"]
    rejects = at.dataframe[0].value
    assert list(rejects["line"]) == [5, 6, 8, 9, 10]
    assert "ACLED" in at.warning[0].value
    assert demo_store.summary(EventQuery()).count == 2401  # nothing stored before the click
    next(b for b in at.button if b.label == "Store 3 accepted rows").click().run()
    assert not at.exception
    assert demo_store.summary(EventQuery()).count == 2404
    batch_id = demo_store.batches()["batch_id"].iloc[0]
    undo_box = next(s for s in at.selectbox if s.label == "Undo an import")
    undo_box.set_value(batch_id).run()
    next(b for b in at.button if b.label == "Undo this import").click().run()
    next(b for b in at.button if b.label == "Yes, undo it").click().run()
    assert not at.exception
    assert demo_store.summary(EventQuery()).count == 2401
    assert at.success[0].value.startswith("Removed 3 events")


def test_code_page_knows_places_learned_from_imports(demo_store):
    from events.importer import commit, preview

    data = (FIXTURES / "formats" / "learned_village.csv").read_bytes()
    commit(demo_store, preview(data, "learned_village.csv", demo_store))
    at = _page("code.py").run()
    at.text_area(key="report_text").input("Shelling hit the village of Kafr Mithal today.")
    at.button[0].click().run()
    assert not at.exception
    assert (at.text_input(key="field_location").value, at.selectbox(key="field_admin1").value,
            at.number_input(key="field_latitude").value) == ("Kafr Mithal", "Hama", 35.4333)


def test_code_page_saves_an_analysts_place(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input("Shelling hit the village today.")
    at.button[0].click().run()
    at.text_input(key="field_location").set_value("Tell Example")
    at.number_input(key="field_latitude").set_value(35.25)
    at.number_input(key="field_longitude").set_value(36.65)
    at.text_input(key="place_aliases").set_value("تل المثال; Tal Example")
    at.run()
    next(b for b in at.button if b.label == "Save place").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Saved Tell Example")
    [place] = demo_store.learned_places()[:1]
    assert (place["name"], place["aliases"]) == ("Tell Example", ["تل المثال", "Tal Example"])
    at.text_area(key="report_text").input("Clashes near Tal Example today.")
    at.button[0].click().run()
    assert (at.text_input(key="field_location").value, at.selectbox(key="field_admin1").value) == (
        "Tell Example", "Hama")


def test_code_page_shows_the_rule_and_lets_the_analyst_pick_another_place(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input("Shelling hit the town of Şūrān today.")
    at.button[0].click().run()
    assert not at.exception
    assert at.selectbox(key="field_admin1").value == "Hama"
    assert any("same name in another governorate" in c.value for c in at.caption)
    # GeoNames knows two places of the name in Aleppo governorate.
    assert at.selectbox(key="candidate").options == [
        "—", "Suran (Aleppo) 36.5658, 37.2127", "Sorane (Aleppo) 36.2634, 37.3741"]
    at.selectbox(key="candidate").select_index(1).run()
    assert (at.selectbox(key="field_admin1").value, at.number_input(key="field_latitude").value) == (
        "Aleppo", 36.5658)


def test_code_page_looks_up_a_phrase_the_coder_types(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input("Shelling hit the village today.")
    at.button[0].click().run()
    at.text_input(key="place_query").set_value("near Saraqib")
    next(b for b in at.button if b.label == "Look up").click().run()
    assert not at.exception
    assert (at.text_input(key="field_location").value, at.selectbox(key="field_admin1").value,
            at.number_input(key="field_latitude").value, at.selectbox(key="field_geo_precision").value) == (
        "Saraqib", "Idleb", 35.8645, 2)
    assert any("near a town" in c.value for c in at.caption), [c.value for c in at.caption if "rule" in c.value]
    # A name the gazetteer does not know, under the governorate in the form:
    # the governorate, at region precision, and the rule says so.
    at.text_input(key="place_query").set_value("Atlantis")
    next(b for b in at.button if b.label == "Look up").click().run()
    assert not at.exception
    assert (at.selectbox(key="field_admin1").value, at.selectbox(key="field_geo_precision").value) == ("Idleb", 3)
    assert any("'atlantis' is not in the gazetteer; coded to the area given" in c.value.replace("\\", "")
               for c in at.caption)


def test_a_place_picked_on_the_map_is_read_from_the_selection():
    import ui

    selection = {"selection": {"indices": {"nearby": [0]}, "objects": {"nearby": [
        {"name": "Sarmin", "admin1": "Idleb", "latitude": 35.904, "longitude": 36.725, "source": "geonames:1"}]}}}
    assert ui.place_from_selection(selection)["name"] == "Sarmin"
    assert ui.place_from_selection({"selection": {"indices": {}, "objects": {}}}) is None
    assert ui.place_from_selection(None) is None


TWO_EVENTS = ("قصفت قوات النظام بالمدفعية بلدة سراقب اليوم ما أدى لمقتل مدني، "
              "فيما شنت طائرات حربية روسية غارات على محيط مدينة أريحا دون وقوع إصابات.")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_code_page_offers_every_event_of_a_report_that_tells_of_two(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input(TWO_EVENTS)
    at.date_input(key="published").set_value(dt.date(2024, 5, 8))
    at.button[0].click().run()
    assert not at.exception
    choice = at.radio(key="draft_choice")
    assert choice.options == ["Event 1 of 2", "Event 2 of 2"]
    assert at.text_input(key="field_location").value == "Saraqib"
    _button(at, "Save event").click().run()
    assert not at.exception
    # The other event of the report is put in the form, to be saved too.
    assert at.text_input(key="field_location").value == "Ariha"
    assert at.radio(key="draft_choice").index == 1
    _button(at, "Save event").click().run()
    assert not at.exception
    saved = demo_store.frame(EventQuery(origin=("coded",), status="draft"))
    assert sorted(saved["location"]) == ["Ariha", "Saraqib"]


def test_code_page_puts_the_chosen_event_of_a_report_in_the_form(demo_store):
    at = _page("code.py").run()
    at.text_area(key="report_text").input(TWO_EVENTS)
    at.button[0].click().run()
    at.radio(key="draft_choice").set_value(at.radio(key="draft_choice").options[1]).run()
    assert not at.exception
    assert (at.text_input(key="field_location").value, at.selectbox(key="field_sub_event_type").value) == (
        "Ariha", "Air/drone strike")


def _two_imports(store):
    """Two uploads, the second replacing an event of the first."""
    from events.importer import commit, preview
    from events.native import native_csv
    from tests.helpers import make_event

    first = commit(store, preview(native_csv([make_event(1, timestamp=1), make_event(2)]).encode(), "v1.csv", store))
    second = commit(store, preview(native_csv([make_event(1, timestamp=2)]).encode(), "v2.csv", store))
    return first, second


def test_upload_page_says_which_import_to_undo_first(demo_store):
    first, second = _two_imports(demo_store)
    at = _page("upload.py").run()
    at.selectbox(key="undo_choice").set_value(first.batch_id).run()
    _button(at, "Undo this import").click().run()
    _button(at, "Yes, undo it").click().run()
    assert not at.exception
    assert second.batch_id in at.error[0].value.replace("\\", "") and "v2.csv" in at.error[0].value.replace("\\", "")
    assert demo_store.summary(EventQuery()).count == 2403


def test_upload_page_asks_before_undoing_and_offers_imports_only(demo_store):
    from events.coding import save_coded
    from tests.helpers import make_event

    save_coded(demo_store, make_event(9, origin="coded"))
    first, second = _two_imports(demo_store)
    at = _page("upload.py").run()
    assert at.selectbox(key="undo_choice").options[1:] == [second.batch_id, first.batch_id]
    at.selectbox(key="undo_choice").set_value(second.batch_id).run()
    _button(at, "Undo this import").click().run()
    assert not at.exception
    assert len(demo_store.imports()) == 2  # asked, not done
    assert "1 event" in at.warning[0].value and "v2.csv" in at.warning[0].value.replace("\\", "")
    _button(at, "Cancel").click().run()
    assert len(demo_store.imports()) == 2
    _button(at, "Undo this import").click().run()
    _button(at, "Yes, undo it").click().run()
    assert list(demo_store.imports()["batch_id"]) == [first.batch_id]
    assert at.success[0].value.startswith("Removed 1 event")


def test_the_coder_named_once_is_recorded_on_every_write_and_shown(demo_store):
    from events.importer import preview
    from events.native import native_csv
    from tests.helpers import make_event

    at = _page("code.py").run()
    at.sidebar.text_input(key="coder").input("Rana Haddad").run()
    at.text_area(key="report_text").input((FIXTURES / "reports" / "01_saraqib_shelling_en.txt").read_text())
    at.date_input(key="published").set_value(dt.date(2024, 5, 10))
    at.button[0].click().run()
    at.number_input(key="field_fatalities").set_value(3)
    _button(at, "Save event").click().run()
    assert not at.exception
    [saved] = demo_store.frame(EventQuery(origin=("coded",), status="draft")).to_dict(orient="records")
    assert saved["coder"] == "Rana Haddad"
    assert set(demo_store.edits(saved["event_id"])["coder"]) == {"Rana Haddad"}
    # The event's edit history is shown after saving, with who made it.
    history = next(d.value for d in at.dataframe if "drafted" in d.value.columns)
    assert list(history["coder"]) == ["Rana Haddad"] and list(history["field"]) == ["fatalities"]

    # Kept for the session: the Upload page records it without asking again.
    at.switch_page("pages/upload.py").run()
    assert at.sidebar.text_input(key="coder").value == "Rana Haddad"
    at.session_state["preview"] = preview(native_csv([make_event(1)]).encode(), "mine.csv", demo_store)
    at.run()
    _button(at, "Store 1 accepted rows").click().run()
    assert not at.exception
    batch = demo_store.imports().iloc[0]
    assert (batch["file_name"], batch["coder"]) == ("mine.csv", "Rana Haddad")
    assert "Rana Haddad" in list(at.dataframe[0].value["coder"])
    at.selectbox(key="undo_choice").set_value(batch["batch_id"]).run()
    _button(at, "Undo this import").click().run()
    _button(at, "Yes, undo it").click().run()
    assert not at.exception
    assert demo_store.undone()["undone_by"].tolist() == ["Rana Haddad"]


def test_code_page_warns_of_a_similar_stored_event_and_may_save_anyway(demo_store):
    report = (FIXTURES / "reports" / "01_saraqib_shelling_en.txt").read_text()
    at = _page("code.py").run()
    for _ in range(2):
        at.text_area(key="report_text").input(report)
        at.date_input(key="published").set_value(dt.date(2024, 5, 10))
        at.button[0].click().run()
        _button(at, "Save event").click().run()
    assert not at.exception
    [first] = demo_store.frame(EventQuery(origin=("coded",), status="draft"))["event_id"]
    warning = at.warning[0].value.replace("\\", "")
    assert "already stored" in warning and first in warning
    _button(at, "Save anyway").click().run()
    assert not at.exception
    assert len(demo_store.frame(EventQuery(origin=("coded",), status="draft"))) == 2


@pytest.mark.parametrize("bad", [{"status": "bogus"}, {"min_fatalities": "-5"},
                                 {"min_fatalities": "99999999999999999999"}, {"date_from": "16/03/2024"},
                                 {"event_type": "Picnic"}])
def test_a_bad_value_in_a_shared_address_is_ignored_with_a_warning_naming_it(demo_store, bad):
    import ui

    at = _explore_at(admin1="Hama", **bad)
    [(key, value)] = bad.items()
    assert [w.value for w in at.warning] == [
        ui.plain(f"Ignored in the address, as no filter takes it: {key}={value}. The other filters apply.")]
    # The other filters still apply: Hama's counts, as the store gives them.
    expected = demo_store.summary(EventQuery(admin1=("Hama",)))
    assert [m.value for m in at.metric] == [f"{expected.count:,}", f"{expected.fatalities:,}"]
    assert at.caption[0].value == "Showing events governorate is Hama\\."


def _demo_banner(at: AppTest) -> list[str]:
    return [i.body for i in at.info if "Demo data" in i.body]


def test_the_demo_banner_says_how_many_of_the_events_shown_are_demo(demo_store):
    demo = demo_store.summary(EventQuery(origin=("demo",))).count
    assert _demo_banner(_page("explore.py").run()) == [
        f"**Demo data.** {demo:,} of the 2,401 events shown are synthetic, generated by us from the gazetteer and "
        "the ACLED taxonomy. They are not real incidents."]
    hama = demo_store.summary(EventQuery(admin1=("Hama",), origin=("demo",))).count
    assert _demo_banner(_explore_at(admin1="Hama"))[0].startswith(f"**Demo data.** {hama:,} of the 237 events shown")


def test_no_demo_banner_when_the_view_holds_no_demo_events(demo_store):
    # The seed report, coded by hand, is the one default event that is not demo.
    assert demo_store.summary(EventQuery(text="Arab 48", origin=("demo",))).count == 0
    at = _explore_at(text="Arab 48")
    assert [m.value for m in at.metric] == ["1", "10"]
    assert _demo_banner(at) == []


def test_code_page_states_its_limit_on_report_length_and_refuses_a_longer_one(demo_store):
    from extract.draft import MAX_REPORT_CHARS

    at = _page("code.py").run()
    assert f"At most {MAX_REPORT_CHARS:,} characters a report; split a longer text." in [c.value for c in at.caption]
    at.text_area(key="report_text").input("قصف " * (MAX_REPORT_CHARS // 4 + 1))
    next(b for b in at.button if b.label == "Draft event").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"The report is {MAX_REPORT_CHARS + 4:,} characters long; at most {MAX_REPORT_CHARS:,} can be drafted at "
        "once\\. Paste the article's text alone, or split it into several reports\\."]


# Explore (issue 18): every filter, the map's layers, the table, details,
# playback, two languages; the Areas page.

def _deck(at: AppTest, number: int = 0) -> dict:
    import json

    return json.loads(at.get("deck_gl_json_chart")[number].proto.json)


def _layer(deck: dict, layer_id: str) -> dict | None:
    return next((layer for layer in deck["layers"] if layer["id"] == layer_id), None)


def _region_events(deck: dict) -> int:
    regions = _layer(deck, "regions")
    return sum(f["properties"]["events"] for f in regions["data"]["features"]) if regions else 0


@pytest.mark.parametrize("params", [
    {"sub_event_type": "Armed clash"}, {"actor": "Islamic State"}, {"max_fatalities": "1"},
    {"geo_precision": "3"}, {"source": "Arab"}, {"origin": "coded"},
    {"admin1": "Aleppo", "event_type": "Battles", "min_fatalities": "2", "date_from": "2024-01-01"},
])
def test_explore_applies_each_filter_from_the_address(demo_store, params):
    at = _explore_at(**params)
    expected = demo_store.summary(EventQuery.from_params(params))
    assert expected.count < 2401
    assert [m.value for m in at.metric] == [f"{expected.count:,}", f"{expected.fatalities:,}"]
    assert at.warning == [] or "No events" in at.warning[0].value
    assert dict(at.query_params) == {key: [value] for key, value in params.items()} or all(
        at.query_params[key] == value for key, value in params.items())


def test_one_button_resets_every_filter(demo_store):
    at = _explore_at(admin1="Hama", event_type="Battles", text="strike", geo_precision="1")
    assert at.metric[0].value != "2,401"
    next(b for b in at.button if b.key == "reset_filters").click().run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2,401", "3,084"]
    assert at.caption[0].value == "Showing all events."
    assert dict(at.query_params) == {}


def test_the_grid_and_the_shaded_regions_count_every_filtered_event_once(demo_store):
    at = _page("explore.py").run()
    deck = _deck(at)
    dots = sum(len(layer["data"]) for layer in deck["layers"] if layer["id"].startswith("events-"))
    assert dots + _region_events(deck) == 2401
    assert all(layer["radiusUnits"] == "pixels" for layer in deck["layers"] if layer["id"].startswith("events-"))
    for layer, cells in (("grid", "grid"), ("heatmap", "heatmap")):
        at.session_state["map_layer"] = layer
        at.run()
        deck = _deck(at)
        assert sum(row["events"] for row in _layer(deck, cells)["data"]) + _region_events(deck) == 2401
        assert not any(layer["id"].startswith("events-") for layer in deck["layers"])


def test_above_the_limit_the_map_draws_cells_and_says_so(demo_store, monkeypatch):
    import explore_map

    monkeypatch.setattr(explore_map, "MAP_LIMIT", 1000)
    at = _page("explore.py").run()
    assert not at.exception
    deck = _deck(at)
    assert _layer(deck, "grid") is not None
    assert any("too many to draw one by one (more than 1,000)" in c.value for c in at.caption)


def test_the_map_fits_the_governorates_chosen_and_keeps_its_view_for_other_filters(demo_store):
    syria = _deck(_explore_at())["initialViewState"]
    hama = _deck(_explore_at(admin1="Hama"))["initialViewState"]
    assert hama["zoom"] > syria["zoom"] + 1
    assert 34.5 < hama["latitude"] < 35.8 and 36.0 < hama["longitude"] < 38.0
    assert _deck(_explore_at(admin1="Hama", event_type="Battles", min_fatalities="3"))["initialViewState"] == hama


def test_the_tooltip_is_text_with_the_events_fields(demo_store):
    deck = _deck(_explore_at(text="Arab 48"))
    [feature] = _layer(deck, "regions")["data"]["features"]
    assert "1 events placed only at Hama (precision 3)" in feature["properties"]["tip"]
    import json

    tooltip = json.loads(_page("explore.py").run().get("deck_gl_json_chart")[0].proto.tooltip)
    assert tooltip["text"] == "{tip}" and "html" not in tooltip
    dots = next(layer for layer in _deck(_explore_at(admin1="Aleppo"))["layers"] if layer["id"].startswith("events-"))
    tip = dots["data"][0]["tip"]
    assert "fatalities · precision" in tip and "source:" in tip


def test_the_table_pages_and_sorts_the_whole_filtered_set(demo_store):
    at = _page("explore.py").run()
    assert at.caption[-2].value.startswith("Rows 1–50 of 2,401, sorted by Date") or any(
        c.value.startswith("Rows 1–50 of 2,401") for c in at.caption)
    at.number_input(key="table_page").set_value(49).run()
    assert any(c.value.startswith("Rows 2,401–2,401 of 2,401") for c in at.caption)
    at.number_input(key="table_page").set_value(1)
    at.selectbox(key="table_sort").set_value("fatalities")
    at.toggle(key="table_descending").set_value(True).run()
    table = next(d.value for d in at.dataframe if "Fatalities" in d.value.columns or "fatalities" in d.value.columns)
    most = demo_store.page(EventQuery(), 0, 1, "fatalities", True)["fatalities"].iloc[0]
    assert table.iloc[0][table.columns[5]] == most
    at.multiselect(key="table_columns").set_value(["event_id", "notes"]).run()
    table = next(d.value for d in at.dataframe if len(d.value.columns) == 2)
    assert list(table.columns) == ["event_id", "notes"]


def test_an_event_opened_shows_its_fields_as_text(demo_store):
    from events.coding import save_coded
    from tests.helpers import make_event

    save_coded(demo_store, make_event(77, origin="coded", notes="<img src=x onerror=alert(1)>",
                                      source_url="javascript:alert(1)"))
    at = _page("explore.py")
    at.session_state["open_event"] = "test:77"
    at.run()
    assert not at.exception
    [details] = [h.proto.body for h in at.get("html") if "event-details" in h.proto.body]
    assert "<img" not in details and "&lt;img src=x onerror=alert(1)&gt;" in details
    assert "<a " not in details  # javascript: is no link
    assert "No edits recorded" in " ".join(c.value for c in at.caption)


def test_playback_shows_the_first_window_and_steps_on(demo_store):
    at = _explore_at(date_from="2024-01-01", date_to="2024-03-31")
    next(b for b in at.button if b.key == "play_start").click().run()
    assert not at.exception
    assert at.info[-1].body.startswith("Playing 2024-01-01 – 2024-01-01:")
    assert at.session_state["play_at"] == 1  # the map of the next step is drawn on the next tick
    deck = _deck(at)
    window = demo_store.summary(EventQuery(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 1)))
    dots = sum(len(layer["data"]) for layer in deck["layers"] if layer["id"].startswith("events-"))
    assert dots + _region_events(deck) == window.count
    next(b for b in at.button if b.key == "play_stop").click().run()
    assert not any(i.body.startswith("Playing") for i in at.info)


def test_explore_in_arabic_from_the_address_and_by_the_switch(demo_store):
    at = _explore_at(lang="ar", admin1="Hama")
    assert at.title[0].value == "استكشاف الأحداث"
    assert [m.label for m in at.metric] == ["الأحداث", "القتلى"]
    assert [m.value for m in at.metric] == ["237", "248"]
    legend = next(h.proto.body for h in at.get("html") if "map-legend" in h.proto.body)
    assert 'dir="rtl"' in legend and "نوع الحدث" in legend
    assert any("direction: rtl" in h.proto.body for h in at.get("html"))
    labels = _layer(_deck(at), "governorate-labels")["data"]
    assert any("\ufe70" <= char <= "\ufeff" for label in labels for char in label["name"])
    assert dict(at.query_params) == {"admin1": ["Hama"], "lang": ["ar"]} or (
        at.query_params["lang"] == "ar" and at.query_params["admin1"] == "Hama")
    at.get("button_group")[-1].set_value("en").run()  # the language switch
    assert at.title[0].value == "Explore events"
    assert [m.value for m in at.metric] == ["237", "248"]  # the filters stay


def test_areas_page_shades_areas_and_compares_two_periods(demo_store):
    at = _page("areas.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2,401", "3,084"]
    areas = _layer(_deck(at, 0), "areas")["data"]["features"]
    assert len(areas) == 14
    assert sum(int(f["properties"]["tip"].split(": ")[1].split(" ")[0].replace(",", "")) for f in areas) == 2401
    comparison = at.dataframe[0].value
    first, second = demo_store.summary(EventQuery(date_from=dt.date(2024, 11, 1), date_to=dt.date(2024, 11, 30))), \
        demo_store.summary(EventQuery(date_from=dt.date(2024, 12, 1), date_to=dt.date(2024, 12, 31)))
    assert comparison.iloc[:, 1].sum() == first.count and comparison.iloc[:, 2].sum() == second.count
    at.session_state["areas_level"] = "admin2"
    at.run()
    assert not at.exception and len(_layer(_deck(at, 0), "areas")["data"]["features"]) == 61


def test_areas_page_in_arabic(demo_store):
    at = _page("areas.py")
    at.query_params["lang"] = "ar"
    at.run()
    assert not at.exception
    assert at.title[0].value == "المناطق والفترات"


def test_both_languages_have_every_key_with_the_same_values_put_in():
    import string

    import i18n

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english, arabic = i18n.STRINGS["en"], i18n.STRINGS["ar"]
    assert set(english) == set(arabic)
    assert [key for key in english if fields(english[key]) != fields(arabic[key])] == []


def test_arabic_labels_are_shaped_for_the_text_layer():
    import labels

    shaped = labels.shaped("حماة")
    assert shaped == "\ufe93\ufe8e\ufee4\ufea3"  # joined forms, last letter first
    assert labels.shaped("Hama") == "Hama"
    assert set(shaped) <= set(labels.character_set([shaped]))
    assert labels.direction("قصف on Hama") == "rtl" and labels.direction("Hama قصف") == "ltr"


def test_an_export_is_named_after_its_filter():
    import explore_table

    query = EventQuery(admin1=("Hama", "Idleb"), date_from=dt.date(2024, 1, 1), text="غارة")
    assert explore_table.file_name(query, "native") == "events_from-2024-01-01_admin1-Hama+Idleb_text-غارة.csv"
    assert explore_table.file_name(EventQuery(), "geojson") == "events.geojson"
    assert len(explore_table.file_name(EventQuery(text="x" * 500), "acled")) <= 124


def test_only_http_links_are_links():
    import explore_details

    assert explore_details.safe_link("https://example.org/a") == "https://example.org/a"
    assert explore_details.safe_link("javascript:alert(1)") is None
    assert explore_details.safe_link("data:text/html,x") is None
    assert explore_details.safe_link(None) is None


@pytest.mark.parametrize("page", ["explore.py", "areas.py", "code.py", "upload.py"])
def test_a_store_that_cannot_be_read_is_said_on_every_page_not_a_traceback(tmp_path, monkeypatch, page):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database " * 100)
    monkeypatch.setenv("EVENTS_DB", str(damaged))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = _page(page).run()
    assert not at.exception
    if page != "code.py":  # the Code page reads the store only when a draft is saved
        # The path and DuckDB's words, as text (ui.plain escapes Markdown).
        body = at.error[0].body
        assert body.startswith("This page cannot be shown now: cannot open the event store /")
        assert body.endswith("damaged\\.duckdb\" exists, but it is not a valid DuckDB database file\\!")
