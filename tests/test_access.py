"""Roles checked in the core: a guarded store refuses the writes a role
lacks, before anything is touched, and records the account as the author
of those it allows; on both backends."""

from __future__ import annotations

import contextlib
import inspect
from typing import cast

import pyarrow as pa
import pytest

from events import access, accounts
from events.access import Account, GuardedStore
from events.coding import edit_stored, mark_reviewed, save_coded
from events.exc import AccessDenied, ConfigurationError
from events.filters import EventQuery
from events.importer import commit, import_path, preview
from events.native import native_csv
from events.store import Batch, Store, Stored, Summary
from tests.helpers import make_event

VIEWER, CODER = Account("dana", "viewer"), Account("rana", "coder")
REVIEWER, ADMIN = Account("lina", "reviewer"), Account("omar", "admin")


@pytest.mark.parametrize("role, allowed", [
    ("viewer", {"explore", "export"}),
    ("coder", {"explore", "export", "code", "upload", "edit", "places"}),
    ("reviewer", {"explore", "export", "code", "upload", "edit", "places", "review", "undo"}),
    ("admin", {"explore", "export", "code", "upload", "edit", "places", "review", "undo", "accounts"}),
])
def test_each_role_may_what_the_one_before_it_may_and_more(role, allowed):
    assert access.ALLOWED[role] == allowed
    assert {a for a in access.ALLOWED["admin"] if access.may(role, a)} == allowed


@pytest.mark.parametrize("environ, team", [
    ({}, False), ({"EVENTS_DSN": "postgresql://x@h/db"}, True), ({"EVENTS_TEAM": "yes"}, True),
    ({"EVENTS_TEAM": "1"}, True), ({"EVENTS_DSN": "postgresql://x@h/db", "EVENTS_TEAM": "no"}, False),
    ({"EVENTS_TEAM": ""}, False),
])
def test_team_mode_is_a_postgresql_store_or_the_setting(environ, team):
    assert access.team_mode(environ) is team


def test_a_bad_team_setting_is_named():
    with pytest.raises(ConfigurationError, match="EVENTS_TEAM must be yes or no"):
        access.team_mode({"EVENTS_TEAM": "maybe"})


def _filled(store):
    store.insert([make_event(1), make_event(2, status="draft")], Batch("b1", "native", file_name="t.csv"))
    return store


def test_a_viewer_reads_everything_and_writes_nothing(any_store, tmp_path):
    store = GuardedStore(_filled(any_store), VIEWER)
    assert store.summary(EventQuery()) == Summary(2, 20)
    assert len(list(store.iter_events(EventQuery()))) == 2
    read = store.stored("test:2")
    assert read is not None
    refusals = {
        "insert": lambda: store.insert([make_event(3)], Batch("b2", "native")),
        "save_coded": lambda: save_coded(store, make_event(4, origin="coded")),
        "edit": lambda: edit_stored(store, read, {"fatalities": 1}, "dana"),
        "review": lambda: mark_reviewed(store, read, "dana"),
        "undo": lambda: store.undo_batch("b1"),
        "place": lambda: store.save_place("Tell Example", 35.2, 36.6),
        "accounts": lambda: accounts.add_account(store, "eve", "admin", "correct horse"),
    }
    for name, write in refusals.items():
        with pytest.raises(AccessDenied, match="dana is a viewer"):
            write()
            pytest.fail(f"{name} was allowed")
    assert any_store.summary(EventQuery()) == Summary(2, 20)
    assert (any_store.stored("test:2") or read).version == 1
    assert list(any_store.batches()["batch_id"]) == ["b1"]
    assert any_store.learned_places() == [] and accounts.list_accounts(any_store) == []


def test_a_viewer_cannot_import_a_file(any_store, tmp_path):
    path = tmp_path / "more.csv"
    path.write_text(native_csv([make_event(3)]), encoding="utf-8")
    store = GuardedStore(any_store, VIEWER)
    with pytest.raises(AccessDenied, match="only a coder, reviewer or admin may upload files"):
        import_path(store, path)
    with pytest.raises(AccessDenied):
        commit(store, preview(path.read_bytes(), path.name, store))
    assert any_store.summary(EventQuery()).count == 0 and any_store.batches().empty


def test_no_one_signed_in_writes_nothing(any_store):
    with pytest.raises(AccessDenied, match="no one is signed in"):
        GuardedStore(any_store, None).insert([make_event(3)], Batch("b2", "native"))


def test_a_coder_codes_uploads_and_edits_under_their_own_name(any_store, tmp_path):
    store = GuardedStore(_filled(any_store), CODER)
    save_coded(store, make_event(4, origin="coded"), coder="someone else")
    path = tmp_path / "more.csv"
    path.write_text(native_csv([make_event(3)]), encoding="utf-8")
    _, batch = import_path(store, path, coder="someone else")
    read = store.stored("test:1")
    assert read is not None
    edit_stored(store, read, {"fatalities": 11}, "someone else")
    store.save_place("Tell Example", 35.2, 36.6, coder="someone else")
    batches = any_store.batches().set_index("batch_id")["coder"].to_dict()
    assert (batches["coded-test:4"], batches[batch.batch_id]) == ("rana", "rana")
    assert (any_store.stored("test:4") or read).event["coder"] == "rana"
    assert list(any_store.edits("test:1")["coder"]) == ["rana"]
    assert any_store.learned_places()[0]["source"].startswith("saved by rana on ")


def test_a_coder_may_not_review_or_undo(any_store):
    store = GuardedStore(_filled(any_store), CODER)
    read = store.stored("test:2")
    assert read is not None
    with pytest.raises(AccessDenied, match="only a reviewer or admin may mark events reviewed"):
        mark_reviewed(store, read, "rana")
    with pytest.raises(AccessDenied, match="rana is a coder"):  # nor by an edit of the status
        edit_stored(store, read, {"status": "reviewed", "fatalities": 1}, "rana")
    with pytest.raises(AccessDenied, match="only a reviewer or admin may undo imports"):
        store.undo_batch("b1")
    assert (any_store.stored("test:2") or read).event["status"] == "draft"


def test_an_event_a_coder_saves_as_reviewed_is_a_draft_until_a_reviewer_marks_it(any_store):
    save_coded(GuardedStore(any_store, CODER), make_event(5, origin="coded", status="reviewed"))
    save_coded(GuardedStore(any_store, REVIEWER), make_event(6, origin="coded", status="reviewed"))
    assert [(any_store.stored(f"test:{n}") or Stored({}, 0)).event["status"] for n in (5, 6)] == [
        "draft", "reviewed"]


def test_a_reviewer_marks_reviewed_and_undoes_but_manages_no_account(any_store):
    store = GuardedStore(_filled(any_store), REVIEWER)
    read = store.stored("test:2")
    assert read is not None
    assert mark_reviewed(store, read, "x").event["status"] == "reviewed"
    assert any_store.edits("test:2")[["field", "coder"]].values.tolist() == [["status", "lina"]]
    assert store.undo_batch("b1", coder="x") == 2
    assert any_store.undone()["undone_by"].tolist() == ["lina"]
    with pytest.raises(AccessDenied, match="only an admin may manage accounts"):
        accounts.list_accounts(store)


def test_an_admin_manages_accounts(any_store):
    store = GuardedStore(any_store, ADMIN)
    accounts.add_account(store, "eve", "viewer", "correct horse", by="omar")
    assert [(a["name"], a["role"]) for a in accounts.list_accounts(store)] == [("eve", "viewer")]
    assert accounts.remove_account(store, "eve") is True


class _Spy:
    """A store that records the name of every method called on it, and does nothing."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls.append(name)

        return call


# Every public method of Store, each a read or a write; the writes with
# arguments that would do something. A method added to Store fails the
# test below until it is put in one of these (and, a write, guarded).
_READ = Stored({**make_event(1), "batch_id": "b1"}, 1)
WRITES = {
    "insert": ([make_event(3)], Batch("b2", "native")),
    "insert (coded)": ([make_event(3, origin="coded")], Batch("coded-test:3", "coded")),
    "undo_batch": ("b1",),
    "edit_event": (_READ, {"fatalities": 1}, "dana"),
    "save_place": ("Tell Example", 35.2, 36.6),
    "account_rows": ("list", {}),
}
READS = {"edits", "stored", "stored_timestamps", "undone", "similar", "summary", "frame", "iter_events", "points",
         "timeline", "page", "event", "map_events", "grid", "regions", "areas", "compare", "view", "distinct",
         "date_span", "batches", "learned_places"}
# Reads Store builds from other reads, which GuardedStore passes on.
DERIVED = {"imports": "batches"}


def _public_methods(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def test_every_method_of_the_store_is_a_read_or_a_guarded_write():
    writes = {name.split(" ")[0] for name in WRITES}
    assert _public_methods(Store) == writes | READS | set(DERIVED)
    # Each is GuardedStore's own: none reaches the store unseen by it.
    assert {name for name in writes | READS if name not in vars(GuardedStore)} == set()


@pytest.mark.parametrize("account", [VIEWER, None], ids=["viewer", "no one"])
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_is_refused_before_the_store_is_touched(write, account):
    spy = _Spy()
    store = GuardedStore(cast(Store, spy), account)
    with pytest.raises(AccessDenied, match="Not allowed: "):
        getattr(store, write.split(" ")[0])(*WRITES[write])
    assert spy.calls == []


@pytest.mark.parametrize("read", sorted(READS | set(DERIVED)))
def test_every_read_is_passed_on_as_it_is(read):
    spy = _Spy()
    method = getattr(GuardedStore(cast(Store, spy), VIEWER), read)
    required = [p for p in inspect.signature(method).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    with contextlib.suppress(TypeError):  # a derived read uses what its read gave (None, from the spy)
        method(*[None] * len(required))
    assert spy.calls == [DERIVED.get(read, read)]


def test_a_coder_cannot_mark_reviewed_by_handing_in_a_read_that_says_reviewed(any_store):
    store = GuardedStore(_filled(any_store), CODER)
    read = store.stored("test:2")
    assert read is not None and read.event["status"] == "draft"
    forged = Stored({**read.event, "status": "reviewed"}, read.version)
    with pytest.raises(AccessDenied, match="only a reviewer or admin may mark events reviewed"):
        store.edit_event(forged, {"status": "reviewed"}, "rana")
    stored = any_store.stored("test:2")
    assert stored is not None and (stored.event["status"], stored.version) == ("draft", 1)


def test_a_coded_event_given_as_a_table_is_the_coders_draft_too(any_store):
    table = pa.Table.from_pylist([make_event(5, origin="coded", status="reviewed", coder="someone else")])
    assert GuardedStore(any_store, CODER).insert(table, Batch("coded-test:5", "coded")) == 1
    stored = any_store.stored("test:5")
    assert stored is not None and (stored.event["status"], stored.event["coder"]) == ("draft", "rana")


def _upload(tmp_path, how: str, store: Store) -> None:
    """Upload a file of a reviewed and a draft row into `store` as the page
    does (preview, then commit) or as `import_path` does."""
    path = tmp_path / "upload.csv"
    path.write_text(native_csv([make_event(7, status="reviewed"), make_event(8, status="draft")]), encoding="utf-8")
    if how == "preview+commit":
        result = preview(path.read_bytes(), path.name, store)
        commit(store, result)
    else:
        import_path(store, path)


@pytest.mark.parametrize("how", ["preview+commit", "import_path"])
@pytest.mark.parametrize("account, statuses", [
    (CODER, ["draft", "draft"]), (REVIEWER, ["reviewed", "draft"]), (ADMIN, ["reviewed", "draft"]),
    (None, ["reviewed", "draft"]),  # single-user mode: the store itself (on DuckDB, import_path's own path)
], ids=["coder", "reviewer", "admin", "single user"])
def test_a_coders_upload_stores_its_reviewed_rows_as_drafts(any_store, tmp_path, how, account, statuses):
    _upload(tmp_path, how, any_store if account is None else GuardedStore(any_store, account))
    assert [(any_store.stored(f"test:{n}") or _READ).event["status"] for n in (7, 8)] == statuses


def test_a_coders_upload_is_made_drafts_in_the_check_itself(any_store, tmp_path):
    # The preview's accepted rows are drafts already, made so in SQL: so
    # whichever way they are stored (insert, or DuckDB's store_checked).
    path = tmp_path / "upload.csv"
    path.write_text(native_csv([make_event(7, status="reviewed")]), encoding="utf-8")
    result = preview(path.read_bytes(), path.name, GuardedStore(any_store, CODER))
    assert result.accepted is not None and result.accepted.column("status").to_pylist() == ["draft"]


def test_an_uploaded_table_is_the_coders_draft_too(any_store):
    table = pa.Table.from_pylist([make_event(5, status="reviewed"), make_event(6, status="draft")])
    assert GuardedStore(any_store, CODER).insert(table, Batch("an-upload", "native")) == 2
    assert [(any_store.stored(f"test:{n}") or _READ).event["status"] for n in (5, 6)] == ["draft", "draft"]
    table = pa.Table.from_pylist([make_event(9, status="reviewed")])
    assert GuardedStore(any_store, REVIEWER).insert(table, Batch("another", "native")) == 1
    assert (any_store.stored("test:9") or _READ).event["status"] == "reviewed"


@pytest.mark.parametrize("account", [VIEWER, None], ids=["viewer", "no one"])
def test_an_import_the_account_may_not_make_is_refused_before_the_file_is_read(any_store, tmp_path, monkeypatch,
                                                                               account):
    def read(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("events.importer._check", read)
    monkeypatch.setattr("events.importer.fast_reading.file_bytes", read)
    path = tmp_path / "never-written.csv"  # nor read: it is not there
    store = GuardedStore(any_store, account)
    progress: list[str] = []
    with pytest.raises(AccessDenied, match="Not allowed: .* only a coder, reviewer or admin may upload files"):
        import_path(store, path, progress=lambda fraction, message: progress.append(message))
    with pytest.raises(AccessDenied, match="Not allowed: "):
        preview(b"", path.name, store, progress=lambda fraction, message: progress.append(message))
    assert progress == [] and any_store.batches().empty
