"""Where Amazon's notification emails are read from: an IMAP folder or a Maildir, read-only.

`AMAZON_NOTIFICATIONS_URL` names the mailbox that receives the seller's second copy of Amazon's
notifications (reference/amazon.md §3.1). Both kinds hand back the same `FetchedMessage` records,
raw bytes for `parse_notification`, and neither ever changes the mailbox: no flags, no deletes, no
moves. What has been read is remembered in a cursor the caller keeps (in its store) and passes
back, so a restart carries on where the last pass stopped.

    source = open_source(settings.amazon_notifications_url.get_secret_value())
    messages, cursor = source.fetch_new(stored_cursor)   # then store `cursor`
"""

from __future__ import annotations

import contextlib
import json
import mailbox
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from helpscout_app.amazon.errors import NotificationSourceError

IMAP_FETCH_BATCH = 100
"""Messages fetched per IMAP FETCH command: bounds the memory one response can take."""

IMAP_TIMEOUT_S = 30.0
"""Socket timeout for the IMAP connection, so a silent server cannot hang a pass."""


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the mailbox holds it; `source_id` is stable for this mailbox."""

    source_id: str  # "maildir:<key>" or "imap:<uidvalidity>:<uid>"
    raw: bytes


@dataclass(frozen=True)
class MailboxStatus:
    """What a mailbox holds, for `amz-guard doctor`: how many messages, and when the newest came.

    `newest_at` is the arrival time (IMAP INTERNALDATE of the highest UID, or the newest Maildir
    file's modification time), not the Date header a sender writes; None when empty.
    """

    message_count: int
    newest_at: datetime | None


class NotificationSource(Protocol):
    """A mailbox of notification emails that can be read again and again without changing it."""

    def fetch_new(
        self, cursor: str | None, limit: int | None = None
    ) -> tuple[list[FetchedMessage], str]:
        """The messages not seen under `cursor` (None: all of them), oldest first, at most
        `limit` of them, and the cursor to keep: the next call hands over the rest.

        Raises `NotificationSourceError` when the mailbox cannot be read; the old cursor then
        still holds, so nothing is skipped.
        """
        ...

    def status(self) -> MailboxStatus:
        """Open the mailbox, read-only, and say what it holds; reads no message.

        Raises `NotificationSourceError` when it cannot be opened (login, folder, path).
        """
        ...


def open_source(
    url: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
    timeout_s: float = IMAP_TIMEOUT_S,
) -> NotificationSource:
    """The source `url` names: `maildir:/path`, `imaps://user:pass@host[:port]/FOLDER`.

    `imap://` (no TLS) is accepted for local test servers; the settings only let `imaps://`
    through. `ssl_context` overrides the default verifying context (tests with their own CA);
    `timeout_s` bounds each IMAP socket operation.
    Nothing connects until `fetch_new`. Raises `ValueError` for a URL of another shape; the
    message never contains the URL, which may hold a password.
    """
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        if not parts.path:
            raise ValueError("a Maildir URL needs a path, as in maildir:/var/mail/amazon")
        return MaildirSource(Path(unquote(parts.path)))
    if parts.scheme in ("imap", "imaps"):
        if not (parts.hostname and parts.username and parts.password):
            raise ValueError(
                "an IMAP URL needs a user, a password and a host, "
                "as in imaps://user:password@imap.example.com/FOLDER"
            )
        use_ssl = parts.scheme == "imaps"
        return ImapSource(
            host=parts.hostname,
            port=parts.port or (993 if use_ssl else 143),
            username=unquote(parts.username),
            password=unquote(parts.password),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            use_ssl=use_ssl,
            ssl_context=ssl_context,
            timeout_s=timeout_s,
        )
    raise ValueError(
        f"a notifications URL must be imaps://… or maildir:…, got scheme {parts.scheme!r}"
    )


class MaildirSource:
    """A Maildir (new/ and cur/), read through the standard library without moving a file.

    The cursor lists the keys already handed out that are still in the folder: Maildir keys
    are unique and never reused, so keys of deleted files can be forgotten and the cursor stays
    as large as the folder. A read cut short by `limit` is continued from the same listing when
    the next call passes back the cursor it got: a first read of a large folder lists it once,
    not once per read (a listing costs two `stat` calls a file). Files added meanwhile are
    found by the next listing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._continuation: _MaildirContinuation | None = None

    def __repr__(self) -> str:
        return f"MaildirSource({str(self.path)!r})"

    def fetch_new(
        self, cursor: str | None, limit: int | None = None
    ) -> tuple[list[FetchedMessage], str]:
        """Messages whose keys the cursor does not list, oldest key first, at most `limit`."""
        continuation, self._continuation = self._continuation, None
        if continuation is not None and continuation.cursor == cursor:
            folder, kept, pending = continuation.folder, continuation.kept, continuation.pending
        else:
            folder, kept, pending = self._listing(_maildir_seen(cursor))
        messages: list[FetchedMessage] = []
        while pending and (limit is None or len(messages) < limit):
            key = pending.pop()
            try:
                raw = folder.get_bytes(key)
            except (FileNotFoundError, KeyError):
                continue  # moved or deleted since the listing: the next pass sees it again
            except OSError as err:
                raise NotificationSourceError(
                    f"cannot read message {key} in the Maildir {self.path}: {err}"
                ) from err
            messages.append(FetchedMessage(source_id=f"maildir:{key}", raw=raw))
            kept.append(key)
        new_cursor = json.dumps({"maildir_seen": kept})
        if pending:
            self._continuation = _MaildirContinuation(new_cursor, folder, kept, pending)
        return messages, new_cursor

    def status(self) -> MailboxStatus:
        """How many messages new/ and cur/ hold, and the newest file's modification time."""
        try:
            mailbox.Maildir(self.path, factory=None, create=False)  # no such Maildir: raises
            times = [
                entry.stat().st_mtime
                for subdir in ("new", "cur")
                for entry in (self.path / subdir).iterdir()
                if entry.is_file() and not entry.name.startswith(".")
            ]
            count = len(times)  # one listing for both figures
        except (OSError, mailbox.Error) as err:
            raise NotificationSourceError(
                f"cannot read the Maildir {self.path}: {type(err).__name__}: {err}"
            ) from err
        newest_at = datetime.fromtimestamp(max(times), UTC) if times else None
        return MailboxStatus(message_count=count, newest_at=newest_at)

    def _listing(self, seen: set[str]) -> tuple[mailbox.Maildir, list[str], list[str]]:
        """The folder, the keys of `seen` still in it, and the others newest first (popped
        from the end, oldest first)."""
        try:
            folder = mailbox.Maildir(self.path, factory=None, create=False)
            keys = sorted(folder.keys())
        except (OSError, mailbox.Error) as err:
            raise NotificationSourceError(
                f"cannot read the Maildir {self.path}: {type(err).__name__}: {err}"
            ) from err
        kept = [key for key in keys if key in seen]
        pending = [key for key in reversed(keys) if key not in seen]
        return folder, kept, pending


@dataclass
class _MaildirContinuation:
    """Where a read cut short by its limit stopped: the cursor it handed out, and the rest."""

    cursor: str
    folder: mailbox.Maildir
    kept: list[str]
    pending: list[str]


def _maildir_seen(cursor: str | None) -> set[str]:
    if cursor is None:
        return set()
    seen = _cursor_field(cursor, "maildir_seen")
    if not isinstance(seen, list) or not all(isinstance(key, str) for key in seen):
        raise NotificationSourceError("the stored cursor is not a Maildir cursor")
    return set(seen)


class ImapSource:
    """One IMAP folder, opened read-only (EXAMINE) and read with `BODY.PEEK[]`.

    EXAMINE and PEEK together mean the server sets no `\\Seen` flag, and this class sends no
    STORE, EXPUNGE, COPY or MOVE. The cursor holds UIDVALIDITY and the last UID handed out; when
    the server's UIDVALIDITY changes the old UIDs mean nothing, so every message is handed out
    again and the caller's Message-ID de-duplication absorbs the repeats. Each `fetch_new`
    connects, reads and logs out: a pass every few minutes needs no long-lived connection.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        password: str,
        folder: str,
        use_ssl: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        timeout_s: float = IMAP_TIMEOUT_S,
        batch_size: int = IMAP_FETCH_BATCH,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.folder = folder
        self.use_ssl = use_ssl
        self.ssl_context = ssl_context
        self.timeout_s = timeout_s
        self.batch_size = batch_size

    def __repr__(self) -> str:  # never the password
        scheme = "imaps" if self.use_ssl else "imap"
        return f"ImapSource({scheme}://{self.username}@{self.host}:{self.port}/{self.folder})"

    def fetch_new(
        self, cursor: str | None, limit: int | None = None
    ) -> tuple[list[FetchedMessage], str]:
        """Messages with a UID above the cursor's (all of them after a UIDVALIDITY change),
        lowest UID first, at most `limit`."""
        uidvalidity, last_uid = _imap_position(cursor)
        with self._examined() as (client, selected):
            server_uidvalidity = int(selected[b"UIDVALIDITY"])
            if server_uidvalidity != uidvalidity:
                last_uid = 0
            # "N:*" always includes the highest UID, even below N (RFC 3501 §6.4.8): filter.
            uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]))
            uids = [uid for uid in uids if uid > last_uid][:limit]
            messages = list(self._fetch(client, server_uidvalidity, uids))
        new_last_uid = max((uid for uid in uids), default=last_uid)
        return messages, json.dumps(
            {"imap_uidvalidity": server_uidvalidity, "imap_last_uid": new_last_uid}
        )

    def status(self) -> MailboxStatus:
        """Log in, EXAMINE the folder, and read the INTERNALDATE of its highest UID."""
        with self._examined(normalise_times=False) as (client, selected):
            count = int(selected[b"EXISTS"])
            newest_at = None
            if count:
                # "*" is the highest UID in use: the message that arrived last.
                arrivals = [
                    fields[b"INTERNALDATE"]
                    for fields in client.fetch("*", ["INTERNALDATE"]).values()
                ]
                newest_at = max(arrivals).astimezone(UTC) if arrivals else None
        return MailboxStatus(message_count=count, newest_at=newest_at)

    @contextlib.contextmanager
    def _examined(
        self, *, normalise_times: bool = True
    ) -> Iterator[tuple[IMAPClient, dict[bytes, Any]]]:
        """A logged-in connection with the folder opened read-only (EXAMINE), and what the
        server said of the folder; logged out after. Raises `NotificationSourceError` for
        anything the server or the network does wrong, inside the block too.
        `normalise_times=False` keeps the server's offsets (aware datetimes)."""
        try:
            client = IMAPClient(
                self.host,
                port=self.port,
                ssl=self.use_ssl,
                ssl_context=self.ssl_context,
                timeout=self.timeout_s,
            )
        except (IMAPClientError, OSError) as err:
            raise self._error("cannot connect", err) from err
        try:
            client.normalise_times = normalise_times
            client.login(self.username, self._password)
            yield client, client.select_folder(self.folder, readonly=True)
        except (IMAPClientError, OSError, KeyError, ValueError) as err:
            raise self._error("cannot read", err) from err
        finally:
            _logout_quietly(client)

    def _fetch(
        self, client: IMAPClient, uidvalidity: int, uids: list[int]
    ) -> Iterable[FetchedMessage]:
        for start in range(0, len(uids), self.batch_size):
            batch = uids[start : start + self.batch_size]
            response = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                raw = response.get(uid, {}).get(b"BODY[]")
                if raw is None:  # expunged between SEARCH and FETCH
                    continue
                yield FetchedMessage(source_id=f"imap:{uidvalidity}:{uid}", raw=bytes(raw))

    def _error(self, what: str, err: Exception) -> NotificationSourceError:
        # Host, port, user and folder only: the password never goes into a message.
        return NotificationSourceError(
            f"{what} the IMAP folder {self.folder!r} on {self.host}:{self.port} as "
            f"{self.username!r}: {type(err).__name__}: {err}"
        )


def _imap_position(cursor: str | None) -> tuple[int | None, int]:
    if cursor is None:
        return None, 0
    uidvalidity = _cursor_field(cursor, "imap_uidvalidity")
    last_uid = _cursor_field(cursor, "imap_last_uid")
    if not (isinstance(uidvalidity, int) and isinstance(last_uid, int) and last_uid >= 0):
        raise NotificationSourceError("the stored cursor is not an IMAP cursor")
    return uidvalidity, last_uid


def _cursor_field(cursor: str, name: str) -> Any:
    try:
        fields = json.loads(cursor)
    except ValueError as err:
        raise NotificationSourceError("the stored cursor is not JSON") from err
    if not isinstance(fields, dict) or name not in fields:
        raise NotificationSourceError(f"the stored cursor has no {name!r}: another source's?")
    return fields[name]


def _logout_quietly(client: IMAPClient) -> None:
    """Log out; a connection that already broke has nothing left to close cleanly."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        with contextlib.suppress(IMAPClientError, OSError):
            client.shutdown()
