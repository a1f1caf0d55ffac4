"""A real HTTP server on loopback that serves an ICS feed the test can make good, bad or slow."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Haninge//Natverk//SV\r\n"
    "BEGIN:VEVENT\r\nUID:grann-1@haninge.example.se\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20270112T120000Z\r\nDTEND:20270112T130000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
    "SUMMARY:Grannkommunernas nätverk\r\nLOCATION:Haninge kommunhus\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


@dataclass
class FeedBehaviour:
    """What the server does next: ``mode`` is good, malformed, gone, huge or slow."""

    mode: str = "good"
    etag: str = '"v1"'
    requests: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def feed_server() -> Iterator[tuple[str, FeedBehaviour]]:
    behaviour = FeedBehaviour()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            behaviour.requests.append(dict(self.headers.items()))
            mode = behaviour.mode
            if mode == "gone":
                self.send_response(410)
                self.end_headers()
                return
            if mode == "slow":
                time.sleep(2)
            if mode == "good" and self.headers.get("If-None-Match") == behaviour.etag:
                self.send_response(304)
                self.end_headers()
                return
            body = {
                "good": GOOD,
                "slow": GOOD,
                "malformed": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:not a date\r\n",
                "huge": GOOD[:-15] + b"X-PAD:" + b"x" * 200_000 + b"\r\nEND:VCALENDAR\r\n",
            }[mode]
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("ETag", behaviour.etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read ``behaviour.requests`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.ics", behaviour
    finally:
        server.shutdown()
        server.server_close()
