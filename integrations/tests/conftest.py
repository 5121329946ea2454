"""The `receiver` fixture: a subscriber's endpoint played by a local threaded HTTP server; it records every
request and answers as scripted."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Receiver:
    url: str
    host_port: str
    answers: list[tuple[int, dict]] = field(default_factory=list)  # scripted, in order; then 200
    received: list[tuple[dict, bytes]] = field(default_factory=list)  # headers, body


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state = holder["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status, headers = state.answers.pop(0) if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host_port = f"127.0.0.1:{server.server_address[1]}"
    holder["receiver"] = Receiver(url=f"http://{host_port}/hooks/whatsdesk", host_port=host_port)
    yield holder["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def verified() -> Callable[[str, str, bytes], bool]:
    """The README's signature check, run as an integrator would paste it: `verified(secret, header, body)`."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### Outbound webhooks for integrators") :]
    start = section.index("```python") + len("```python")
    namespace: dict = {}
    exec(section[start : section.index("```", start)], namespace)
    return namespace["verified"]
