"""A real SMTP server on loopback (aiosmtpd) that keeps every message with its envelope and
can refuse chosen recipients with a 4xx or 5xx, as a throttling or refusing provider does."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from icalendar import Calendar

from directory.core.settings import get_settings


@dataclass
class Received:
    raw: bytes
    mail: EmailMessage
    mail_from: str
    recipients: list[str]
    mail_options: list[str]
    session: int

    @property
    def to(self) -> str:
        return self.recipients[0]


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)
    #: address -> answers to give its RCPT TO, one per try ("451 ..." / "550 ..."), then 250
    refuse: dict[str, list[str]] = field(default_factory=dict)
    rcpt_tries: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def messages(self) -> list[EmailMessage]:
        return [item.mail for item in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [item.mail for item in self.received if item.to == address]

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
            session.number = self.sessions
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.rcpt_tries[address] = self.rcpt_tries.get(address, 0) + 1
            answers = self.refuse.get(address, [])
            if answers:
                return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(
            Received(
                raw,
                parsed,  # type: ignore[arg-type]
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                list(envelope.mail_options),
                getattr(session, "number", 0),
            )
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "natverk@tyreso.example.se")
    monkeypatch.setenv("SMTP_PACE_MS", "0")
    get_settings.cache_clear()
    try:
        yield handler
    finally:
        controller.stop()
        monkeypatch.delenv("SMTP_HOST")
        get_settings.cache_clear()


def itip(mail: EmailMessage) -> tuple[str, Calendar]:
    """The inline calendar part's METHOD and the attached iTIP object."""
    attachment = next(
        part for part in mail.iter_attachments() if part.get_filename() == "invite.ics"
    )
    inline = next(part for part in mail.walk() if part.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(attachment.get_content())
    return str(inline.get_param("method")), calendar


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]
