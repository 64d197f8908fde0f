"""Notification sources: a Maildir of real files, and a real IMAP server (a private dovecot).

The dovecot runs on free loopback ports with its own configuration, users and Maildir under a
temporary directory, for plain IMAP and for IMAPS with a certificate made at test time.
scripts/setup installs it; where it is missing the IMAP tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import json
import logging
import mailbox
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
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
# URL-special characters on purpose (no ':', which dovecot's passwd-file uses as a separator).
USER, PASSWORD = "amazon-copy", "p@ss/w0rd%secret"
PASSWORD_IN_URL = "p%40ss%2Fw0rd%25secret"


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


@dataclass
class Dovecot:
    """A running dovecot: its ports, the Maildir it serves to USER, and its CA file."""

    imap_port: int
    imaps_port: int
    maildir: Path
    cert_file: Path
    mail_uid: int
    mail_gid: int

    def deliver(self, raw: bytes) -> None:
        """Drop a message into new/ as a delivery agent would, owned by the mail user."""
        key = _maildir(self.maildir).add(raw)
        for file in self.maildir.rglob(f"{key}*"):
            os.chown(file, self.mail_uid, self.mail_gid)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))

    def url(self, scheme: str = "imap", folder: str = "INBOX") -> str:
        port = self.imap_port if scheme == "imap" else self.imaps_port
        return f"{scheme}://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{port}/{folder}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dovecot exited ({process.returncode}): {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"dovecot did not listen on 127.0.0.1:{port}: {log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def dovecot_root() -> Iterator[Path]:
    """A world-readable temporary directory, removed afterwards.

    Not pytest's tmp_path: that is private to its user (0700), and dovecot drops privileges.
    """
    root = Path(tempfile.mkdtemp(prefix="amz-guard-dovecot-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def dovecot(dovecot_root: Path) -> Iterator[Dovecot]:
    """A private dovecot for this module, stopped afterwards."""
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if binary is None or shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot or openssl is missing: scripts/setup installs them")
        pytest.skip("dovecot is not installed (scripts/setup installs dovecot-imapd)")
    root = dovecot_root
    if os.geteuid() == 0:  # dovecot refuses to serve mail as root, and to log in as root
        mail_user, login_user, internal_user = "nobody", "dovenull", "dovecot"
    else:  # a rootless dovecot runs every process as the current user
        mail_user = login_user = internal_user = pwd.getpwuid(os.geteuid()).pw_name
    mail_uid, mail_gid = pwd.getpwnam(mail_user).pw_uid, pwd.getpwnam(mail_user).pw_gid
    cert_file, key_file = root / "cert.pem", root / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key_file), "-out", str(cert_file),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key_file.chmod(0o644)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    home = root / "home"
    maildir = root / "mail" / USER
    maildir.parent.mkdir()
    _maildir(maildir)
    home.mkdir()
    for path in (root / "mail", maildir, home, *maildir.iterdir()):
        os.chown(path, mail_uid, mail_gid)
    imap_port, imaps_port = _free_port(), _free_port()
    log = root / "dovecot.log"
    config = root / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {log}
ssl = yes
ssl_cert = <{cert_file}
ssl_key = <{key_file}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {mail_uid}
last_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={home}
}}
mail_location = maildir:{maildir}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(imap_port, process, log)
        _wait_for_port(imaps_port, process, log)
        yield Dovecot(imap_port, imaps_port, maildir, cert_file, mail_uid, mail_gid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
