"""Notification sources: a Maildir of real files, and a real IMAP server (a private dovecot).

The dovecot runs on free loopback ports with its own configuration, users and Maildir under a
temporary directory, for plain IMAP and for IMAPS with a certificate made at test time.
scripts/setup installs it; where it is missing the IMAP tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import json
import logging
import mailbox
from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_server import PASSWORD, PASSWORD_IN_URL, USER, Dovecot, running_dovecot
from imapclient import IMAPClient

from helpscout_app.amazon.errors import NotificationSourceError
from helpscout_app.amazon.notification_email import parse_notification
from helpscout_app.amazon.notification_sources import (
    FetchedMessage,
    ImapSource,
    MaildirSource,
    open_source,
)

NOTIFICATIONS_DIR = Path(__file__).parents[1] / "fixtures" / "amazon" / "notifications"
FIRST, SECOND, THIRD = (
    NOTIFICATIONS_DIR / "buyer-message.en-us.eml",
    NOTIFICATIONS_DIR / "buyer-message.de-de.eml",
    NOTIFICATIONS_DIR / "return-request.en-us.eml",
)


# Maildir


def _maildir(path: Path) -> mailbox.Maildir:
    return mailbox.Maildir(path, factory=None, create=True)


def _files(path: Path) -> dict[str, bytes]:
    """Every file under the Maildir, by relative path: proof that nothing moved or changed."""
    return {
        str(file.relative_to(path)): file.read_bytes() for file in path.rglob("*") if file.is_file()
    }


def test_maildir_fetches_new_messages_once_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "amazon"
    folder = _maildir(path)
    first_key = folder.add(FIRST.read_bytes())  # lands in new/
    second = mailbox.MaildirMessage(SECOND.read_bytes())
    second.set_subdir("cur")  # one already seen by a mail client
    second_key = folder.add(second)
    before = _files(path)

    source = open_source(f"maildir:{path}")
    messages, cursor = source.fetch_new(None)

    assert sorted(messages, key=lambda message: message.source_id) == sorted(
        [
            FetchedMessage(f"maildir:{first_key}", FIRST.read_bytes()),
            FetchedMessage(f"maildir:{second_key}", SECOND.read_bytes()),
        ],
        key=lambda message: message.source_id,
    )
    assert source.fetch_new(cursor) == ([], cursor)

    third_key = folder.add(THIRD.read_bytes())
    messages, next_cursor = source.fetch_new(cursor)
    assert messages == [FetchedMessage(f"maildir:{third_key}", THIRD.read_bytes())]
    assert parse_notification(messages[0].raw).order_ids == ("112-6650913-4408127",)

    folder.remove(first_key)  # deleted by someone else: forgotten by the cursor, not re-read
    messages, last_cursor = source.fetch_new(next_cursor)
    assert messages == []
    assert sorted(json.loads(last_cursor)["maildir_seen"]) == sorted([second_key, third_key])
    del before[next(name for name in before if name.endswith(first_key))]
    assert {name: body for name, body in _files(path).items() if third_key not in name} == before


def test_maildir_missing_folder_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(NotificationSourceError, match=r"cannot read the Maildir .*nowhere"):
        MaildirSource(tmp_path / "nowhere").fetch_new(None)


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ("not json", "not JSON"),
        ('{"imap_uidvalidity": 1, "imap_last_uid": 2}', "no 'maildir_seen'"),
        ('{"maildir_seen": [1]}', "not a Maildir cursor"),
    ],
)
def test_maildir_rejects_a_foreign_cursor(tmp_path: Path, cursor: str, message: str) -> None:
    _maildir(tmp_path / "amazon")
    with pytest.raises(NotificationSourceError, match=message):
        MaildirSource(tmp_path / "amazon").fetch_new(cursor)


# open_source


def test_open_source_reads_imap_urls_without_connecting() -> None:
    source = open_source("imaps://amazon-copy:p%40ss@imap.example.com/Amazon%20Copies")
    assert isinstance(source, ImapSource)
    assert (source.host, source.port, source.username, source.folder, source.use_ssl) == (
        "imap.example.com",
        993,
        "amazon-copy",
        "Amazon Copies",
        True,
    )
    assert "p@ss" not in repr(source) and "p%40ss" not in repr(source)
    plain = open_source("imap://u:p@127.0.0.1:1143")
    assert isinstance(plain, ImapSource)
    assert (plain.port, plain.folder, plain.use_ssl) == (1143, "INBOX", False)


@pytest.mark.parametrize(
    "url", ["pop3://u:secret@host/", "imaps://host/INBOX", "imaps://u@host/", "maildir:"]
)
def test_open_source_refuses_other_urls_without_echoing_them(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        open_source(url)
    assert "secret" not in str(caught.value)


# IMAP, against a private dovecot


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """A private dovecot for this module (its UIDs start at 1), stopped afterwards."""
    with running_dovecot() as server:
        yield server


def _lf(raw: bytes) -> bytes:
    """IMAP sends CRLF line ends; the fixture files have LF."""
    return raw.replace(b"\r\n", b"\n")


def _server_flags(dovecot: Dovecot) -> dict[int, tuple[bytes, ...]]:
    """Every message's flags, read read-only from a separate connection."""
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False, timeout=10) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        return {
            # \Recent is the server's own session flag (RFC 3501 §2.3.2), no client sets it.
            uid: tuple(flag for flag in data[b"FLAGS"] if flag != b"\\Recent")
            for uid, data in client.fetch(uids, ["FLAGS"]).items()
        }


def test_imap_fetches_new_messages_once_and_changes_nothing(dovecot: Dovecot, caplog) -> None:
    caplog.set_level(logging.DEBUG)  # imapclient logs every command at DEBUG
    dovecot.deliver(FIRST.read_bytes())
    dovecot.deliver(SECOND.read_bytes())
    source = open_source(dovecot.url("imap"))

    messages, cursor = source.fetch_new(None)
    assert [_lf(message.raw) for message in messages] == [FIRST.read_bytes(), SECOND.read_bytes()]
    uidvalidity = json.loads(cursor)["imap_uidvalidity"]
    assert [message.source_id for message in messages] == [
        f"imap:{uidvalidity}:1",
        f"imap:{uidvalidity}:2",
    ]
    assert json.loads(cursor) == {"imap_uidvalidity": uidvalidity, "imap_last_uid": 2}

    assert source.fetch_new(cursor) == ([], cursor)  # "3:*" still matches UID 2: filtered

    dovecot.deliver(THIRD.read_bytes())
    messages, cursor = source.fetch_new(cursor)
    assert [_lf(message.raw) for message in messages] == [THIRD.read_bytes()]
    assert json.loads(cursor)["imap_last_uid"] == 3

    # Nothing flagged (no \Seen from PEEK or EXAMINE, no \Deleted), nothing removed.
    assert _server_flags(dovecot) == {1: (), 2: (), 3: ()}
    assert PASSWORD not in caplog.text
    assert PASSWORD_IN_URL not in caplog.text


def test_imap_uidvalidity_change_reads_everything_again(dovecot: Dovecot) -> None:
    source = open_source(dovecot.url("imap"))
    _, cursor = source.fetch_new(None)
    count = json.loads(cursor)["imap_last_uid"]
    stale = json.dumps({"imap_uidvalidity": 1, "imap_last_uid": 10_000})
    messages, _ = source.fetch_new(stale)
    assert len(messages) == count > 0


def test_imaps_with_a_verified_certificate(dovecot: Dovecot) -> None:
    dovecot.deliver(FIRST.read_bytes())
    source = open_source(dovecot.url("imaps"), ssl_context=dovecot.ssl_context())
    messages, cursor = source.fetch_new(None)
    assert messages and _lf(messages[0].raw) == FIRST.read_bytes()
    assert source.fetch_new(cursor) == ([], cursor)


def test_imaps_refuses_an_unknown_certificate(dovecot: Dovecot) -> None:
    source = open_source(dovecot.url("imaps"))  # the system's CAs: the test cert is not there
    with pytest.raises(NotificationSourceError, match="cannot connect") as caught:
        source.fetch_new(None)
    assert PASSWORD not in str(caught.value)


def test_imap_wrong_password_names_user_and_host_not_password(dovecot: Dovecot) -> None:
    source = open_source(f"imap://{USER}:wrong-secret@127.0.0.1:{dovecot.imap_port}/INBOX")
    with pytest.raises(NotificationSourceError) as caught:
        source.fetch_new(None)
    message = str(caught.value)
    assert f"'{USER}'" in message and f"127.0.0.1:{dovecot.imap_port}" in message
    assert "wrong-secret" not in message


def test_imap_missing_folder_is_an_error(dovecot: Dovecot) -> None:
    source = open_source(dovecot.url("imap", folder="NoSuchFolder"))
    with pytest.raises(NotificationSourceError, match="'NoSuchFolder'"):
        source.fetch_new(None)


def test_imap_rejects_a_maildir_cursor(dovecot: Dovecot) -> None:
    source = open_source(dovecot.url("imap"))
    with pytest.raises(NotificationSourceError, match="no 'imap_uidvalidity'"):
        source.fetch_new('{"maildir_seen": []}')


def test_maildir_hands_over_at_most_the_limit_and_the_rest_next_time(tmp_path: Path) -> None:
    folder = _maildir(tmp_path / "amazon")
    for path in (FIRST, SECOND, THIRD):
        folder.add(path.read_bytes())
    source = MaildirSource(tmp_path / "amazon")

    first, cursor = source.fetch_new(None, limit=2)
    rest, cursor = source.fetch_new(cursor, limit=2)
    nothing, _ = source.fetch_new(cursor, limit=2)

    assert [len(first), len(rest), len(nothing)] == [2, 1, 0]
    assert sorted(m.raw for m in first + rest) == sorted(
        p.read_bytes() for p in (FIRST, SECOND, THIRD)
    )


def test_maildir_continues_a_cut_short_read_from_its_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _maildir(tmp_path / "amazon")
    first_key, second_key, third_key = (folder.add(p.read_bytes()) for p in (FIRST, SECOND, THIRD))
    source = MaildirSource(tmp_path / "amazon")
    listings: list[int] = []
    keys = mailbox.Maildir.keys
    monkeypatch.setattr(mailbox.Maildir, "keys", lambda box: listings.append(1) or keys(box))

    first, cursor = source.fetch_new(None, limit=1)
    late_key = folder.add(FIRST.read_bytes().replace(b"Message-ID: <", b"Message-ID: <late."))
    second, cursor = source.fetch_new(cursor, limit=1)
    third, cursor = source.fetch_new(cursor, limit=1)
    late, cursor = source.fetch_new(cursor, limit=1)
    restarted, _ = MaildirSource(tmp_path / "amazon").fetch_new(None, limit=1)

    by_key = sorted([first_key, second_key, third_key])
    assert [m.source_id for m in first + second + third] == [f"maildir:{k}" for k in by_key]
    assert len(listings) == 3  # the first read, the read after the listing ran out, the restart
    assert [m.source_id for m in late] == [f"maildir:{late_key}"]
    assert sorted(json.loads(cursor)["maildir_seen"]) == sorted([*by_key, late_key])
    assert [m.source_id for m in restarted] == [f"maildir:{min([*by_key, late_key])}"]


def test_imap_hands_over_at_most_the_limit_lowest_uids_first(dovecot: Dovecot) -> None:
    dovecot.deliver(FIRST.read_bytes())
    source = open_source(dovecot.url("imap"))
    everything, _ = source.fetch_new(None)

    one_at_a_time: list[FetchedMessage] = []
    cursor = None
    while True:
        batch, cursor = source.fetch_new(cursor, limit=1)
        if not batch:
            break
        assert len(batch) == 1
        one_at_a_time += batch

    assert [m.source_id for m in one_at_a_time] == [m.source_id for m in everything]
