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


class UndoOrderError(StoreError):
    """A batch cannot be undone while later batches that replaced some of
    its events stand; `first` lists them, in the order to undo them."""

    def __init__(self, message: str, first: list[str]):
        super().__init__(message)
        self.first = first


class ConfigurationError(EventsError, ValueError):
    """A setting (an environment variable, a command-line option) has a value we cannot use."""
