"""A real IMAP server (Debian's dovecot-imapd) on loopback for the reply tests: its own
configuration, mail directory and password file in a temporary directory, on a free port,
started in the foreground and stopped after the test. Needs root (dovecot drops to its own
users), as the test machine and CI run."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sync.smtp_sink import free_port

DOVECOT = "/usr/sbin/dovecot"
USER = "svar"
PASSWORD = "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
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
"""


@dataclass
class ImapServer:
    port: int
    user: str = USER
    password: str = PASSWORD


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists() or os.geteuid() != 0:
        pytest.fail("the reply tests need Debian's dovecot-imapd and root (make test installs it)")
    # Not under pytest's tmp_path: dovecot's own users must be able to reach the mail folder.
    root = Path(tempfile.mkdtemp(prefix="samverkan-dovecot-"))
    root.chmod(0o755)
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir(parents=True)
    owner = pwd.getpwnam("dovecot")
    port = free_port()
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, port=port, uid=owner.pw_uid, gid=owner.pw_gid)
    )
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    for path in (root / "mail", root / "home"):
        shutil.chown(path, owner.pw_uid, owner.pw_gid)
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                if probe.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            process.kill()
            raise AssertionError(f"dovecot did not start: {process.stderr.read()!r} {log}")  # type: ignore[union-attr]
        time.sleep(0.1)
    try:
        yield ImapServer(port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
