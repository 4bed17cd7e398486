"""Team accounts on both backends: hashed passwords, sign-in, sessions that
expire, removal; and the accounts command line."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from events import accounts
from events.__main__ import main
from events.access import Account
from events.duckdb_store import DuckDBStore
from events.exc import SignInRefused, StoreError, ValidationError

NOON = dt.datetime(2026, 5, 1, 12, 0)


def _rows(store, table: str) -> list[tuple]:
    """Every row of a table, read around the store (to see what it keeps)."""
    if isinstance(store, DuckDBStore):
        import duckdb

        with duckdb.connect(str(store.path), read_only=True) as con:
            return con.execute(f"SELECT * FROM {table}").fetchall()
    import psycopg

    with psycopg.connect(store.dsn) as con:
        return con.execute(f"SELECT * FROM {table}").fetchall()


def test_a_password_is_kept_as_an_argon2_hash_only(any_store):
    accounts.add_account(any_store, "rana", "coder", "correct horse", by="admin")
    [(name, role, password_hash, by, created)] = _rows(any_store, "accounts")
    assert (name, role, by) == ("rana", "coder", "admin")
    assert password_hash.startswith("$argon2id$") and "correct horse" not in password_hash
    assert accounts.list_accounts(any_store) == [
        {"name": "rana", "role": "coder", "created_by": "admin", "created_at": created}]


def test_signing_in_gives_a_session_whose_token_is_not_stored(any_store):
    accounts.add_account(any_store, "rana", "reviewer", "correct horse")
    session = accounts.sign_in(any_store, " rana ", "correct horse", now=NOON)
    assert (session.account, session.expires_at) == (Account("rana", "reviewer"), NOON + dt.timedelta(hours=10))
    assert accounts.signed_in(any_store, session.token, now=NOON + dt.timedelta(hours=9)) == session.account
    [(token_hash, name, _, expires)] = _rows(any_store, "sessions")
    assert (name, expires) == ("rana", NOON + dt.timedelta(hours=10))
    assert session.token not in token_hash and len(token_hash) == 64


@pytest.mark.parametrize("name, password", [("rana", "wrong horse"), ("nobody", "correct horse"),
                                            ("rana", "")])
def test_a_wrong_name_or_password_is_refused_alike(any_store, name, password):
    accounts.add_account(any_store, "rana", "coder", "correct horse")
    with pytest.raises(SignInRefused, match=r"^Wrong name or password\.$"):
        accounts.sign_in(any_store, name, password)
    assert _rows(any_store, "sessions") == []


def test_a_session_is_checked_on_every_use_and_expires(any_store):
    accounts.add_account(any_store, "rana", "coder", "correct horse")
    session = accounts.sign_in(any_store, "rana", "correct horse", now=NOON, hours=1)
    assert accounts.signed_in(any_store, session.token, now=NOON + dt.timedelta(minutes=59)).name == "rana"
    with pytest.raises(SignInRefused, match="Your session expired at 2026-05-01 13:00 UTC"):
        accounts.signed_in(any_store, session.token, now=NOON + dt.timedelta(hours=1))
    # Expired, it is ended: later uses are refused whatever the clock says.
    with pytest.raises(SignInRefused, match="Your session has ended"):
        accounts.signed_in(any_store, session.token, now=NOON)
    with pytest.raises(SignInRefused, match="Sign in first"):
        accounts.signed_in(any_store, None)


def test_signing_out_and_removing_an_account_end_its_sessions(any_store):
    accounts.add_account(any_store, "rana", "coder", "correct horse")
    accounts.add_account(any_store, "sami", "viewer", "battery staple")
    first = accounts.sign_in(any_store, "rana", "correct horse")
    second = accounts.sign_in(any_store, "rana", "correct horse")
    other = accounts.sign_in(any_store, "sami", "battery staple")
    accounts.sign_out(any_store, first.token)
    with pytest.raises(SignInRefused):
        accounts.signed_in(any_store, first.token)
    assert accounts.signed_in(any_store, second.token).name == "rana"
    assert accounts.remove_account(any_store, "rana") is True
    assert accounts.remove_account(any_store, "rana") is False
    with pytest.raises(SignInRefused):
        accounts.signed_in(any_store, second.token)
    assert accounts.signed_in(any_store, other.token) == Account("sami", "viewer")
    assert [a["name"] for a in accounts.list_accounts(any_store)] == ["sami"]


def test_a_role_changed_in_the_store_applies_to_a_session_at_once(any_store):
    accounts.add_account(any_store, "rana", "admin", "correct horse")
    session = accounts.sign_in(any_store, "rana", "correct horse")
    accounts.remove_account(any_store, "rana")
    accounts.add_account(any_store, "rana", "viewer", "correct horse")
    with pytest.raises(SignInRefused):  # the old session went with the old account
        accounts.signed_in(any_store, session.token)
    assert accounts.sign_in(any_store, "rana", "correct horse").account.role == "viewer"


@pytest.mark.parametrize("name, role, password, message", [
    ("rana", "owner", "correct horse", "role 'owner' is not one of viewer, coder, reviewer, admin"),
    ("rana", "coder", "short", "at least 8 characters"),
    ("  ", "coder", "correct horse", "1 to 120 printable characters"),
    ("ra\nna", "coder", "correct horse", "1 to 120 printable characters"),
    ("taken", "coder", "correct horse", "already an account named taken"),
])
def test_a_bad_account_is_refused(any_store, name, role, password, message):
    accounts.add_account(any_store, "taken", "viewer", "correct horse")
    with pytest.raises(ValidationError, match=message):
        accounts.add_account(any_store, name, role, password)
    assert len(accounts.list_accounts(any_store)) == 1


def test_only_the_accounts_statements_run(any_store):
    with pytest.raises(StoreError, match="'drop' is not a statement of the accounts"):
        any_store.account_rows("drop", {})


def _cli(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(args)
    return status, capsys.readouterr().out


def test_the_accounts_command_adds_lists_and_removes(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "events.duckdb")
    DuckDBStore(tmp_path / "events.duckdb")
    status, out = _cli(monkeypatch, capsys, ["accounts", "add", "rana", "--role", "reviewer", "--db", db, "--json"],
                       "correct horse\nignored\n")
    assert (status, json.loads(out)) == (0, {"name": "rana", "role": "reviewer"})
    session = accounts.sign_in(DuckDBStore(tmp_path / "events.duckdb"), "rana", "correct horse")
    assert session.account == Account("rana", "reviewer")
    status, out = _cli(monkeypatch, capsys, ["accounts", "list", "--db", db, "--json"])
    assert status == 0 and [(a["name"], a["role"]) for a in json.loads(out)] == [("rana", "reviewer")]
    status, out = _cli(monkeypatch, capsys, ["accounts", "remove", "rana", "--db", db, "--json"])
    assert (status, json.loads(out)) == (0, {"name": "rana", "removed": True})
    status, out = _cli(monkeypatch, capsys, ["accounts", "remove", "rana", "--db", db, "--json"])
    assert (status, json.loads(out)) == (2, {"error": "there is no account named rana"})


def test_the_accounts_command_takes_no_password_argument(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "events.duckdb")
    DuckDBStore(tmp_path / "events.duckdb")
    status, _ = _cli(monkeypatch, capsys, ["accounts", "add", "rana", "--role", "coder", "--password", "x",
                                           "--db", db])
    assert status == 2
    status, out = _cli(monkeypatch, capsys, ["accounts", "add", "rana", "--role", "coder", "--db", db, "--json"],
                       "short\n")
    assert (status, json.loads(out)) == (2, {"error": "a password has at least 8 characters"})


def test_an_account_removed_while_signing_in_gets_no_session_a_new_one_of_its_name_would_inherit(any_store):
    accounts.add_account(any_store, "rana", "admin", "correct horse")
    real = any_store.account_rows

    def removed_meanwhile(statement, params):
        if statement == "start":  # the password was checked; an admin removes the account now
            accounts.remove_account(any_store, "rana")
        return real(statement, params)

    any_store.account_rows = removed_meanwhile  # type: ignore[method-assign]  # this store only
    with pytest.raises(SignInRefused, match=r"^Wrong name or password\.$"):
        accounts.sign_in(any_store, "rana", "correct horse", now=NOON)
    del any_store.account_rows
    assert _rows(any_store, "sessions") == []
    accounts.add_account(any_store, "rana", "viewer", "another horse")
    assert _rows(any_store, "sessions") == []
