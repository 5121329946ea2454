"""Media sent by `link`, as a client library written against Meta's API sends it (pywa found the emulator refused it).

Meta answers 200 with a wamid at once, fetches the link, and reports one it cannot use by a `failed` status with
131053; the phone shows a file it could fetch.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.emulator.conftest import CUSTOMER
from tests.media_samples import SAMPLES, sample


class FileServer:
    """A web server the business's files are linked from: `/<name>` serves a sample with its type."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                found = next(((file, mime) for file, mime in SAMPLES.values() if file == name), None)
                if found is None:
                    self.send_error(404, "Not Found")
                    return
                content = sample(found[0])
                self.send_response(200)
                self.send_header("Content-Type", "text/html" if self.headers.get("X-Wrong-Type") else found[1])
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    yield server
    server.stop()


def send_by_link(emulator, message_type: str, link: str, **extra) -> requests.Response:
    emulator.customer_writes()
    return emulator.post_messages(
        {"messaging_product": "whatsapp", "to": CUSTOMER, "type": message_type, message_type: {"link": link, **extra}}
    )


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_media_by_a_reachable_link_is_accepted_fetched_and_shown_on_the_phone(
    emulator, webhook_receiver, file_server, kind
):
    file, mime_type = SAMPLES[kind]
    extra = {"caption": f"Your {kind}"} if kind in ("image", "video", "document") else {}

    response = send_by_link(emulator, kind, f"{file_server.url}/{file}", **extra)

    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["sent", "delivered"]
    (shown,) = [m for m in emulator.control.conversation(CUSTOMER)["items"] if m["id"] == wamid]
    assert shown["media"]["mime_type"] == mime_type
    assert shown["media"]["filename"] == file
    assert requests.get(f"{emulator.url}{shown['media']['url']}", timeout=5).content == sample(file)
    assert shown["text"] == extra.get("caption")


@pytest.mark.parametrize(
    ("path", "details"),
    [
        ("/missing.jpg", "Downloading media from weblink failed with http code 404, status message Not Found"),
        ("/invoice.pdf", "Media type application/pdf is not supported for a image message."),
    ],
)
def test_media_by_a_link_meta_cannot_use_is_accepted_then_fails_with_131053(
    emulator, webhook_receiver, file_server, path, details
):
    response = send_by_link(emulator, "image", f"{file_server.url}{path}")

    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    assert webhook_receiver.wait_for_statuses(wamid, 1) == ["failed"]
    (failed,) = webhook_receiver.status_objects(wamid)
    (error,) = failed["errors"]
    assert (error["code"], error["title"], error["error_data"]["details"]) == (131053, "Media upload error", details)
    assert all(m["id"] != wamid for m in emulator.control.conversation(CUSTOMER)["items"])


def test_media_by_an_unreachable_link_fails_by_status_too(emulator, webhook_receiver):
    response = send_by_link(emulator, "document", "http://127.0.0.1:9/nowhere.pdf", filename="nowhere.pdf")

    wamid = response.json()["messages"][0]["id"]
    assert webhook_receiver.wait_for_statuses(wamid, 1, timeout=15) == ["failed"]
    assert webhook_receiver.status_objects(wamid)[0]["errors"][0]["code"] == 131053


def test_a_link_that_is_not_a_web_address_is_refused_at_once(emulator):
    response = send_by_link(emulator, "image", "file:///etc/passwd")

    assert response.status_code == 400
    assert response.json()["error"]["error_data"]["details"] == "Param image['link'] must be a valid URL."
