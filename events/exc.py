"""The one exception tree of the events core.

Each error also inherits the builtin a caller would naturally catch, as
geopy's exceptions do, so `except ValueError` keeps working around us.
"""


class EventsError(Exception):
    """Base of every error raised by the events core."""


class ValidationError(EventsError, ValueError):
    """An event or a file does not satisfy the schema."""


class StoreError(EventsError, OSError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


class DuplicateEventError(EventsError, KeyError):
    """An event id is already stored."""
