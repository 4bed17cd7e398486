"""AppTests of team mode: signing in, pages by role, a viewer refused by
page and by the core, a stale edit refused and applied again, marking
reviewed; and the edit form in single-user mode."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
from events import access, accounts
from events.access import GuardedStore
from events.coding import save_coded
from events.default_data import load_default
from events.duckdb_store import DuckDBStore
from events.exc import AccessDenied
from events.filters import EventQuery
from events.native import native_csv
from events.store import Batch, Store, Stored
from tests.conftest import ROOT
from tests.helpers import make_event
from ui import plain

ROLES = {"dana": "viewer", "rana": "coder", "lina": "reviewer"}


def _store(tmp_path, monkeypatch, team: bool) -> DuckDBStore:
    path = tmp_path / "events.duckdb"
    store = DuckDBStore(path)
    load_default(store)
    monkeypatch.setenv("EVENTS_DB", str(path))
    monkeypatch.delenv("EVENTS_DSN", raising=False)
    monkeypatch.setenv("EVENTS_TEAM", "yes" if team else "no")
    st.cache_data.clear()
    st.cache_resource.clear()
    return store


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.database)])
def team_store(request, tmp_path, monkeypatch) -> Store:
    """The demo data with three accounts, in a DuckDB file shared by a team
    (EVENTS_TEAM=yes), then on PostgreSQL (EVENTS_DSN: team mode itself)."""
    if request.param == "duckdb":
        store: Store = _store(tmp_path, monkeypatch, team=True)
    else:
        from events.postgres_store import PostgresStore

        dsn = request.getfixturevalue("postgres_dsn")
        store = PostgresStore(dsn)
        load_default(store)
        monkeypatch.setenv("EVENTS_DSN", dsn)
        monkeypatch.delenv("EVENTS_TEAM", raising=False)
        st.cache_data.clear()
        st.cache_resource.clear()
    for name, role in ROLES.items():
        accounts.add_account(store, name, role, f"{name}-password")
    return store


def _app(page: str = "explore.py", app: Path = ROOT) -> AppTest:
    """The app (its folder: `app`), run at a page through dashboard.py as a
    browser's address would (AppTest runs a page switched to before the
    first run without the entry script)."""
    at = AppTest.from_file(str(app / "dashboard.py"), default_timeout=60).run()
    if page != "explore.py":
        at.switch_page(f"pages/{page}").run()
    assert not at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    _button(at, "Sign in").click().run()
    assert not at.exception
    return at


def _signed_in(name: str, page: str = "explore.py", app: Path = ROOT) -> AppTest:
    """Signed in as `name` on the way to `page`, and at it. AppTest keeps
    running the page it was last switched to, so it is switched to the
    sign-in page the app sent it to, then to `page` again once there."""
    at = _app(page, app)
    assert [t.value for t in at.title] == ["Sign in"] and at.query_params["next"] == page.removesuffix(".py")
    at = _sign_in(at.switch_page("pages/login.py").run(), name, f"{name}-password")
    assert "session_token" in at.session_state
    return at.switch_page(f"pages/{page}").run()


def test_no_one_signed_in_is_sent_to_sign_in_and_a_wrong_password_is_refused(team_store):
    at = _app()
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.metric.len == 0  # no events shown before signing in
    _sign_in(at, "rana", "wrong-password")
    assert [e.value for e in at.error] == ["Wrong name or password\\."]
    assert ui_token(at) is None
    _sign_in(at, "nobody", "rana-password")
    assert [e.value for e in at.error] == ["Wrong name or password\\."]


def ui_token(at: AppTest) -> str | None:
    try:
        return at.session_state["session_token"]
    except KeyError:
        return None


def test_signing_in_goes_on_to_the_page_asked_for(team_store):
    at = _signed_in("rana", "upload.py")
    assert [t.value for t in at.title] == ["Upload events"]
    assert at.sidebar.caption[0].value == "Signed in as rana \\(coder\\)"
    _button(at, "Sign out").click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.warning[0].value == "You have signed out\\."


def test_a_viewer_is_offered_no_write_page_and_refused_one_by_address(team_store):
    at = _signed_in("dana")
    assert [m.value for m in at.metric] == ["2,401", "3,084"]
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert links == ["Explore", "Areas and periods"]
    for page, sentence in (("upload.py", "upload files"), ("code.py", "code reports")):
        at.switch_page(f"pages/{page}").run()
        assert not at.exception
        assert [e.value for e in at.error] == [
            f"Not allowed\\: dana is a viewer, and only a coder, reviewer or admin may {sentence}\\."]
        assert at.text_area.len == 0 and at.get("file_uploader") == []


def test_a_viewer_session_cannot_write_in_the_core(team_store):
    at = _signed_in("dana")
    event_id = next(team_store.iter_events(EventQuery()))["event_id"]
    at.session_state["open_event"] = event_id
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label in ("Save changes", "Mark reviewed")]
    # The store this session's token opens, as ui.store builds it, refuses writes.
    session_store = GuardedStore(team_store, accounts.signed_in(team_store, ui_token(at)))
    read = session_store.stored(event_id)
    assert read is not None
    with pytest.raises(AccessDenied, match="dana is a viewer"):
        session_store.edit_event(read, {"fatalities": 99}, "dana")
    with pytest.raises(AccessDenied, match="dana is a viewer"):
        session_store.insert([make_event(1)], Batch("b1", "native"))
    assert team_store.summary(EventQuery()).count == 2401


def _open(at: AppTest, event_id: str) -> AppTest:
    at.session_state["open_event"] = event_id
    at.run()
    assert not at.exception
    return at


def test_a_stale_edit_is_refused_and_applied_again_on_the_current_version(team_store):
    at = _signed_in("rana")
    event_id = next(team_store.iter_events(EventQuery()))["event_id"]
    read = team_store.stored(event_id)
    assert read is not None
    _open(at, event_id)
    assert not [b for b in at.button if b.label == "Mark reviewed"]  # a coder's is no review
    at.number_input(key=f"edit.{event_id}.1.fatalities").set_value(read.event["fatalities"] + 5)
    # Meanwhile another coder edits the same event.
    team_store.edit_event(read, {"notes": "Corrected by Sami"}, "sami")
    _button(at, "Save changes").click().run()
    assert not at.exception
    [warning] = at.warning
    # Shown as text (ui.plain escapes markdown).
    assert warning.value.startswith(plain(f"Event {event_id} was changed since you opened it (by sami): notes: “"))
    assert warning.value.endswith(plain(f"→ “Corrected by Sami”. Nothing of yours was saved. Your changes: "
                                        f"fatalities → {read.event['fatalities'] + 5}."))
    stored = team_store.stored(event_id)
    assert stored is not None and (stored.version, stored.event["fatalities"]) == (2, read.event["fatalities"])
    _button(at, "Apply my changes to the current version").click().run()
    assert not at.exception
    stored = team_store.stored(event_id)
    assert stored is not None
    assert (stored.version, stored.event["fatalities"], stored.event["notes"]) == (
        3, read.event["fatalities"] + 5, "Corrected by Sami")
    assert list(team_store.edits(event_id)["coder"]) == ["sami", "rana"]
    assert at.success[0].value == plain(f"Saved: event {event_id} is at version 3 now.")
    assert at.warning.len == 0


def test_a_reviewer_marks_a_draft_reviewed(team_store):
    save_coded(team_store, make_event(70, origin="coded", status="draft", event_date=dt.date(2024, 3, 20)),
               coder="rana")
    at = _open(_signed_in("lina"), "test:70")
    _button(at, "Mark reviewed").click().run()
    assert not at.exception
    stored = team_store.stored("test:70")
    assert stored is not None and (stored.event["status"], stored.version) == ("reviewed", 2)
    assert team_store.edits("test:70")[["field", "saved", "coder"]].values.tolist() == [
        ["status", "reviewed", "lina"]]
    assert not [b for b in at.button if b.label == "Mark reviewed"]


def test_an_expired_session_is_sent_to_sign_in_again(team_store):
    session = accounts.sign_in(team_store, "rana", "rana-password", now=dt.datetime(2026, 1, 1, 8), hours=1)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["session_token"] = session.token
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.warning[0].value == "Your session expired at 2026\\-01\\-01 09\\:00 UTC\\: sign in again\\."


def test_single_user_mode_asks_no_one_and_edits(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch, team=False)
    event_id = next(store.iter_events(EventQuery()))["event_id"]
    at = _open(_app(), event_id)
    assert [m.value for m in at.metric] == ["2,401", "3,084"]
    at.number_input(key=f"edit.{event_id}.1.fatalities").set_value(40)
    _button(at, "Save changes").click().run()
    assert not at.exception
    stored = store.stored(event_id)
    assert stored is not None and (stored.version, stored.event["fatalities"]) == (2, 40)


def test_the_edit_form_speaks_arabic_too(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch, team=False)
    event_id = next(store.iter_events(EventQuery()))["event_id"]
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "ar"
    at = _open(at.run(), event_id)
    assert {"حفظ التعديلات"} <= {b.label for b in at.button}
    assert at.number_input(key=f"edit.{event_id}.1.fatalities").label == "القتلى"


@pytest.mark.parametrize("page", ["areas.py", "code.py", "upload.py"])
def test_each_page_asks_for_sign_in_and_comes_back_to_itself(tmp_path, monkeypatch, page):
    store = _store(tmp_path, monkeypatch, team=True)
    accounts.add_account(store, "rana", "coder", "rana-password")
    at = _signed_in("rana", page)  # it checks the sign-in page was asked to come back to `page`
    assert at.title.len == 1 and at.title[0].value != "Sign in"


@pytest.mark.parametrize("name, offered", [("rana", False), ("lina", True)])
def test_undo_is_offered_to_a_reviewer_not_to_a_coder(team_store, name, offered):
    # Undoing an import is a reviewer's (events.access); the core refuses a
    # coder's, and the page does not offer it.
    team_store.insert([make_event(1)], Batch("an-import", "native"))
    at = _signed_in(name, "upload.py")
    assert not at.exception
    assert ("undo_choice" in [box.key for box in at.selectbox]) is offered


def _file(*statuses: str) -> bytes:
    return native_csv([make_event(80 + n, status=status) for n, status in enumerate(statuses)]).encode("utf-8")


@pytest.mark.parametrize("name, stored", [("rana", ["draft", "draft"]), ("lina", ["reviewed", "draft"])])
def test_an_upload_is_stored_reviewed_only_by_a_reviewer(team_store, name, stored):
    # A file's "reviewed" is a coder's claim: their upload stores drafts,
    # for a reviewer to mark, as an event they code does.
    at = _signed_in(name, "upload.py")
    at.file_uploader[0].set_value(("upload.csv", _file("reviewed", "draft"), "text/csv")).run()
    _button(at, "Check the file").click().run()
    assert not at.exception and at.error.len == 0
    _button(at, "Store 2 accepted rows").click().run()
    assert not at.exception and at.error.len == 0
    assert [(team_store.stored(f"test:{n}") or Stored({}, 0)).event["status"] for n in (80, 81)] == stored


def test_the_upload_page_refuses_a_viewers_file_before_reading_it(team_store, monkeypatch):
    # Were the page open to a viewer (its own refusal lost), the core's is
    # asked before the file is read, and said.
    monkeypatch.setitem(ui.PAGE_NEEDS, "pages/upload.py", access.EXPLORE)

    def read(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("events.importer.preview", read)  # the page's reading of the file
    monkeypatch.setattr("events.importer._check", read)
    at = _signed_in("dana", "upload.py")
    at.file_uploader[0].set_value(("upload.csv", _file("reviewed"), "text/csv")).run()
    _button(at, "Check the file").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["The file cannot be imported: " + plain(
        "Not allowed: dana is a viewer, and only a coder, reviewer or admin may upload files.")]
    assert at.metric.len == 0 and at.session_state["preview"] is None
    assert set(team_store.batches()["origin"]) == {"demo"}


def _retitled(tmp_path: Path) -> Path:
    """A copy of the app whose Code and Upload pages have other titles (as a
    rewording or a translation would give them), in the page and in the
    navigation."""
    app = tmp_path / "app"
    (app / "pages").mkdir(parents=True)
    shutil.copy(ROOT / "dashboard.py", app)
    for page in (ROOT / "pages").glob("*.py"):
        shutil.copy(page, app / "pages")
    for file, old, new in (("pages/upload.py", '"Upload"', '"Téléverser"'),
                           ("dashboard.py", '"Upload"', '"Téléverser"'),
                           ("pages/code.py", '"Code a report"', '"رمّز تقريراً"'),
                           ("dashboard.py", '"Code a report"', '"رمّز تقريراً"')):
        text = (app / file).read_text(encoding="utf-8")
        assert old in text
        (app / file).write_text(text.replace(old, new), encoding="utf-8")
    return app


def test_a_page_is_refused_by_its_script_whatever_its_title(team_store, tmp_path):
    app = _retitled(tmp_path)
    at = _signed_in("dana", app=app)
    for page, sentence in (("upload.py", "upload files"), ("code.py", "code reports")):
        at.switch_page(f"pages/{page}").run()
        assert not at.exception
        assert [e.value for e in at.error] == [
            f"Not allowed\\: dana is a viewer, and only a coder, reviewer or admin may {sentence}\\."]
        assert at.text_area.len == 0 and at.file_uploader.len == 0
    # And a role that may use them still does.
    at = _signed_in("rana", "upload.py", app=app)
    assert at.error.len == 0 and at.file_uploader.len == 1
