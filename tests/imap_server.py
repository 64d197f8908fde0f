"""A private dovecot for the IMAP tests: free loopback ports, its own configuration, users
and Maildir under a temporary directory, plain IMAP and IMAPS with a certificate made at test
time. scripts/setup installs dovecot; where it is missing the tests skip, except in CI, where
they fail.
"""

from __future__ import annotations

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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# URL-special characters on purpose (no ':', which dovecot's passwd-file uses as a separator).
USER, PASSWORD = "amazon-copy", "p@ss/w0rd%secret"
PASSWORD_IN_URL = "p%40ss%2Fw0rd%25secret"


def _maildir(path: Path) -> mailbox.Maildir:
    return mailbox.Maildir(path, factory=None, create=True)




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


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """Start a private dovecot with an empty Maildir; stop it and remove its files afterwards.

    Its directory is not pytest's tmp_path: that is private to its user (0700), and dovecot
    drops privileges.
    """
    dovecot_root = Path(tempfile.mkdtemp(prefix="amz-guard-dovecot-"))
    dovecot_root.chmod(0o755)
    try:
        yield from _serve(dovecot_root)
    finally:
        shutil.rmtree(dovecot_root, ignore_errors=True)


def _serve(dovecot_root: Path) -> Iterator[Dovecot]:
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
