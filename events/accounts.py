"""Team accounts and their sessions, kept in the store (either backend).

Passwords are hashed with argon2id (argon2-cffi's defaults) and never
stored or logged as typed. Signing in gives a random token that the app
keeps in the browser session; the store keeps only the token's SHA-256,
so that a copy of the database opens no session. Every use of a token
checks its expiry and reads the account's role afresh, so that removing
an account or its role takes effect at the next click.

The SQL is written once with `{name}` placeholders, which each backend
fills in its own dialect (`Store.account_rows` runs only these
statements, by name).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import argon2

from .access import ROLES, Account
from .exc import SignInRefused, StoreError, ValidationError
from .filters import Dialect

if TYPE_CHECKING:
    from .store import Store

# A working day and a bit: long enough not to interrupt a shift, short
# enough that a forgotten browser does not stay signed in for days.
SESSION_HOURS = 10
MIN_PASSWORD = 8
MAX_NAME = 120

DDL = [
    "CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,"
    " created_by TEXT, created_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TIMESTAMP,"
    " expires_at TIMESTAMP NOT NULL)",
]
STATEMENTS = {
    "add": "INSERT INTO accounts (name, role, password_hash, created_by, created_at)"
           " VALUES ({name}, {role}, {password_hash}, {created_by}, {created_at}) RETURNING name",
    "account": "SELECT name, role, password_hash FROM accounts WHERE name = {name}",
    "list": "SELECT name, role, created_by, created_at FROM accounts ORDER BY name",
    "rehash": "UPDATE accounts SET password_hash = {password_hash} WHERE name = {name} RETURNING name",
    "remove": "DELETE FROM accounts WHERE name = {name} RETURNING name",
    "end_sessions_of": "DELETE FROM sessions WHERE name = {name} RETURNING name",
    # Only for an account that exists still: one removed while its password
    # was being checked gets no session, which an account made later under
    # the same name would otherwise inherit.
    "start": "INSERT INTO sessions (token_hash, name, created_at, expires_at)"
             " SELECT {token_hash}, name, {created_at}, {expires_at} FROM accounts WHERE name = {name}"
             " RETURNING name",
    "session": "SELECT s.name, a.role, s.expires_at FROM sessions AS s JOIN accounts AS a ON a.name = s.name"
               " WHERE s.token_hash = {token_hash}",
    "end": "DELETE FROM sessions WHERE token_hash = {token_hash} RETURNING name",
    "end_expired": "DELETE FROM sessions WHERE expires_at <= {now} RETURNING name",
}

# The statements that only read: a backend may run them on a read connection.
READS = frozenset({"account", "list", "session"})


class _Placeholders(dict):
    def __init__(self, dialect: Dialect):
        super().__init__()
        self.dialect = dialect

    def __missing__(self, key: str) -> str:
        return self.dialect.parameter(key)


def statement(name: str, dialect: Dialect) -> str:
    """The statement `name` in `dialect`; StoreError for a name not ours."""
    if name not in STATEMENTS:
        raise StoreError(f"{name!r} is not a statement of the accounts")
    return STATEMENTS[name].format_map(_Placeholders(dialect))


@dataclass(frozen=True)
class Session:
    """A signed-in session: the token the browser keeps, whose it is, until when."""

    token: str
    account: Account
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_hasher = argon2.PasswordHasher()


@functools.cache
def _unknown_hash() -> str:
    # Checked against when the name is unknown, so that a wrong name takes
    # as long as a wrong password and does not tell which names exist.
    return _hasher.hash(secrets.token_hex(16))


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(not c.isprintable() for c in name):
        raise ValidationError(f"an account name is 1 to {MAX_NAME} printable characters")
    return name


def add_account(store: Store, name: str, role: str, password: str, by: str | None = None) -> Account:
    """Make an account. Raises ValidationError for a role not in
    access.ROLES, a name taken or empty, or a password shorter than
    MIN_PASSWORD characters."""
    name = _name(name)
    if role not in ROLES:
        raise ValidationError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"a password has at least {MIN_PASSWORD} characters")
    if store.account_rows("account", {"name": name}):
        raise ValidationError(f"there is already an account named {name}")
    store.account_rows("add", {"name": name, "role": role, "password_hash": _hasher.hash(password),
                               "created_by": by, "created_at": _now()})
    return Account(name, role)


def remove_account(store: Store, name: str) -> bool:
    """Remove an account and end its sessions; whether there was one."""
    # The account first: a sign-in finishing in between starts no session then ("start").
    removed = bool(store.account_rows("remove", {"name": name}))
    store.account_rows("end_sessions_of", {"name": name})
    return removed


def list_accounts(store: Store) -> list[dict]:
    """Every account (name, role, created_by, created_at), by name; no hashes."""
    return [dict(zip(("name", "role", "created_by", "created_at"), row, strict=True))
            for row in store.account_rows("list", {})]


def sign_in(store: Store, name: str, password: str, now: dt.datetime | None = None,
            hours: float = SESSION_HOURS) -> Session:
    """A new session for `name` if `password` is theirs; SignInRefused
    (which does not say whether the name exists) otherwise."""
    now = now or _now()
    rows = store.account_rows("account", {"name": name.strip()})
    try:
        _hasher.verify(rows[0][2] if rows else _unknown_hash(), password)
    except argon2.exceptions.VerificationError as err:  # a mismatch, or a hash we cannot read
        raise SignInRefused("Wrong name or password.") from err
    if not rows:
        raise SignInRefused("Wrong name or password.")
    account_name, role, stored_hash = rows[0]
    if _hasher.check_needs_rehash(stored_hash):  # argon2-cffi's defaults have grown since it was made
        store.account_rows("rehash", {"name": account_name, "password_hash": _hasher.hash(password)})
    store.account_rows("end_expired", {"now": now})
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    if not store.account_rows("start", {"token_hash": _hash_token(token), "name": account_name, "created_at": now,
                                        "expires_at": expires}):
        raise SignInRefused("Wrong name or password.")  # removed meanwhile
    return Session(token, Account(account_name, role), expires)


def signed_in(store: Store, token: str | None, now: dt.datetime | None = None) -> Account:
    """The account whose session `token` is, with its role as stored now.
    Raises SignInRefused when there is no such session (signed out, or
    the account removed) or it has expired (it is ended then)."""
    if not token:
        raise SignInRefused("Sign in first.")
    rows = store.account_rows("session", {"token_hash": _hash_token(token)})
    if not rows:
        raise SignInRefused("Your session has ended: sign in again.")
    name, role, expires = rows[0]
    if expires <= (now or _now()):
        store.account_rows("end", {"token_hash": _hash_token(token)})
        raise SignInRefused(f"Your session expired at {expires:%Y-%m-%d %H:%M} UTC: sign in again.")
    return Account(name, role)


def sign_out(store: Store, token: str | None) -> None:
    """End the session `token` (nothing when there is none)."""
    if token:
        store.account_rows("end", {"token_hash": _hash_token(token)})
