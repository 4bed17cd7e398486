"""The one exception tree of the events core.

Each error also inherits the builtin a caller would naturally catch, as
geopy's exceptions do, so `except ValueError` keeps working around us.
No other exception leaves the core on purpose: one that does is a bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only: the importer and problems import this module
    from .importer import ImportPreview
    from .problems import Problem
    from .store import Stored


class EventsError(Exception):
    """Base of every error raised by the events core."""


class ValidationError(EventsError, ValueError):
    """An event or a file does not satisfy the schema."""


class ImportFileError(ValidationError):
    """The file cannot be read as events at all (nothing was stored)."""


class StrictImportRefused(EventsError):
    """Strict mode: the file has rejected rows, so nothing was stored;
    `result` is the check's full report."""

    def __init__(self, message: str, result: ImportPreview):
        super().__init__(message)
        self.result = result


class CodedEventError(ValidationError):
    """A coded event is invalid; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.column}: {p.message}" for p in problems))


class QueryError(EventsError, ValueError):
    """A filter value (from a URL or the command line) or a column asked
    for cannot be read."""


class StoreError(EventsError, OSError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


class DuplicateEventError(EventsError, KeyError):
    """An event id is already stored."""


class UndoOrderError(StoreError):
    """A batch cannot be undone while later batches that replaced some of
    its events stand; `first` lists them, in the order to undo them."""

    def __init__(self, message: str, first: list[str]):
        super().__init__(message)
        self.first = first


class ConfigurationError(EventsError, ValueError):
    """A setting (an environment variable, a command-line option) has a value we cannot use."""


class StaleEditError(EventsError):
    """An edit was made on a version of the event that is no longer the
    stored one: nothing was written. `changed` holds what changed since
    ({field: (the value read, the value now)}), `changes` the editor's own
    changes and `current` the event as stored now (a `store.Stored`, or
    None when the event is gone), so that the changes can be applied again
    to the current version."""

    def __init__(self, message: str, changes: dict[str, object], current: Stored | None,
                 changed: dict[str, tuple[object, object]]):
        super().__init__(message)
        self.changes = changes
        self.current = current
        self.changed = changed


class AccessDenied(EventsError, PermissionError):
    """The signed-in account's role may not do this (or no one is signed in)."""


class SignInRefused(AccessDenied):
    """A wrong name or password, or a session that has expired or ended."""
