"""The emulator's HTTP server: the Graph API, the control API and the customer phone page on one port."""

import logging
import re
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from channels_whatsapp.emulator.config import EmulatorConfig
from channels_whatsapp.emulator.control_api import PREFIX, control_routes
from channels_whatsapp.emulator.graph_api import graph_routes, unknown_graph_request
from channels_whatsapp.emulator.network import WhatsAppNetwork
from channels_whatsapp.emulator.routing import Request, Response, Route, match_route, route

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
_PAGE_FILES = {
    "/phone_page.js": ("phone_page.js", "text/javascript; charset=utf-8"),
    "/phone_page.css": ("phone_page.css", "text/css; charset=utf-8"),
    "/phone_rich.js": ("phone_rich.js", "text/javascript; charset=utf-8"),
    "/phone_media.js": ("phone_media.js", "text/javascript; charset=utf-8"),
    "/controls": ("controls_page.html", "text/html; charset=utf-8"),
    "/controls_page.js": ("controls_page.js", "text/javascript; charset=utf-8"),
    "/controls_page.css": ("controls_page.css", "text/css; charset=utf-8"),
}


class EmulatorServer:
    """Serves until stopped; `port=0` in the config picks a free port, read back from `url`."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.network = WhatsAppNetwork(config)
        routes = [*control_routes(self.network), *graph_routes(self.network), *_page_routes()]
        self._httpd = _HttpServer((config.host, config.port), _Handler, routes=routes, network=self.network)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.network.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.network.stop()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "EmulatorServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True  # long-polls must not keep a stopping process alive
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, *, routes: list[Route], network: WhatsAppNetwork):
        self.routes = routes
        self.network = network
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "WhatsAppCloudApiEmulator"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        found = match_route(self.server.routes, method=self.command, path=url.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query)),
            headers=self.headers,
            body=body,
            path_params=found[1] if found else {},
        )
        try:
            response = found[0].handler(request) if found else _unmatched(self.server.network, request)
        except Exception:
            logger.exception("emulator failed on %s %s", self.command, url.path)
            response = Response(status=500, body=b'{"error": "emulator bug, see its log"}')
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # A closed phone page leaves its long-poll behind; nobody is left to answer.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


def _unmatched(network: WhatsAppNetwork, request: Request) -> Response:
    if request.path.startswith(PREFIX + "/") or request.path in _PAGE_FILES:
        return Response(status=404, body=b'{"error": "no such endpoint"}')
    return unknown_graph_request(network, request)


def _page_routes() -> list[Route]:
    page = ("phone_page.html", "text/html; charset=utf-8")
    files = {"/": page, "/phone": page, **_PAGE_FILES}
    return [route("GET", re.escape(path), partial(_page_file, name, kind)) for path, (name, kind) in files.items()]


# The phone page keeps to the desk's own policy (README, "Security"): no inline script or style, nothing from elsewhere.
PHONE_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _page_file(name: str, content_type: str, request: Request) -> Response:
    """Read on every request, so the page can be edited while the emulator runs."""
    headers = (("Content-Security-Policy", PHONE_PAGE_POLICY),) if content_type.startswith("text/html") else ()
    return Response(status=200, body=(PACKAGE_DIR / name).read_bytes(), content_type=content_type, headers=headers)
