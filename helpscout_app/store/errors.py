"""Errors the storage layer raises for callers to handle."""


class StoreError(Exception):
    """Base of the errors below."""


class DatabaseUnavailable(StoreError):
    """The database URL is unusable or the server cannot be reached; the message says which.

    The message shows the URL without its password.
    """


class UnknownDelivery(StoreError, LookupError):
    """No webhook delivery is recorded under the key given."""
