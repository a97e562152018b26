"""A real Dovecot IMAP server on loopback for the inbound mail tests.

Dovecot runs in the foreground (`-F`) as a child of the test process, with its own
configuration, passwd-file and Maildir under tmp_path: nothing of the machine's own
Dovecot set-up is read or changed. Plain-text login without TLS is allowed because
it only listens on 127.0.0.1.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = Path("/usr/sbin/dovecot")
USER = "guichet"
PASSWORD = "secret-de-test"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
last_valid_uid = 0
first_valid_gid = 1
last_valid_gid = 0
mail_location = maildir:{base}/home/%u/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    log: Path

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple = ()) -> None:
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw, flags=flags)

    def flags(self, folder: str = "INBOX") -> list[set[bytes]]:
        """Flags of every message in the folder, in UID order."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            found = client.fetch(client.search(["ALL"]), ["FLAGS"])
            return [set(found[uid][b"FLAGS"]) for uid in sorted(found)]

    def folders(self) -> list[str]:
        with self.client() as client:
            return [name for _flags, _delimiter, name in client.list_folders()]

    def count(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            return client.select_folder(folder, readonly=True)[b"EXISTS"]


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            details = log.read_text() if log.exists() else ""
            raise RuntimeError(f"dovecot exited with {process.returncode}: {details}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on port {port} within 15 s")


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    if not DOVECOT.exists():
        pytest.skip(
            "Dovecot is not installed (Debian package dovecot-imapd, see scripts/install-system-deps.sh)"
        )
    # Not under pytest's tmp_path: its parents are private to the test user, and Dovecot's
    # unprivileged processes must reach the passwd-file and the Maildir. A short path also
    # keeps Dovecot's unix socket names under their length limit.
    base = Path(tempfile.mkdtemp(prefix="levier-imap-"))
    port = _free_port()
    (base / "run").mkdir()
    (base / "state").mkdir()
    (base / "home" / USER).mkdir(parents=True)
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    if os.getuid() == 0:
        # As root, Dovecot drops to unprivileged users; the mail user owns the Maildir.
        uid = gid = 65534
        shutil.chown(base / "home" / USER, uid, gid)
        internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
    else:
        uid, gid = os.getuid(), os.getgid()
        me = getpass.getuser()
        internal_user = login_user = me
        internal_group = me
    config = base / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            base=base,
            port=port,
            uid=uid,
            gid=gid,
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
        )
    )
    os.chmod(base, 0o755)
    log = base / "dovecot.log"
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(port, process, log)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)
