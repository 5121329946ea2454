"""Link previews: refused for every address inside our network (checked after DNS and on every redirect), fetched
and cached for a public page (played by a local server the tests allow by exact host:port)."""

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from interactions.links import first_link
from interactions.models import LinkPreview, LinkPreviewState
from interactions.safe_fetch import FetchRefused, address_refusal, fetch_public_resource
from interactions.services.link_previews import fetch_and_store_link_preview
from tests.media_samples import sample

PAGE = b"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Oak chair, teal">
<meta property="og:description" content="Solid oak, hand finished. &amp; ships in 3 days.">
<meta property="og:site_name" content="Chairs &amp; Co">
<meta property="og:image" content="/chair.jpg">
</head><body><script>document.title = "never run"</script></body></html>"""


class _Site(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict, bytes]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Site.routes = {
        "/chair": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
        "/chair.jpg": (200, {"Content-Type": "image/jpeg"}, sample("photo.jpg")),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/to-loopback": (301, {"Location": "http://127.0.0.1:9/admin"}, b""),
        "/to-ipv6-loopback": (307, {"Location": "http://[::1]/"}, b""),
        "/to-private": (302, {"Location": "http://10.0.0.5/"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/file": (200, {"Content-Type": "application/zip"}, b"PK\x03\x04"),
        "/fake-image-page": (
            200,
            {"Content-Type": "text/html"},
            b'<meta property="og:title" content="T"><meta property="og:image" content="/not-an-image">',
        ),
        "/not-an-image": (200, {"Content-Type": "image/png"}, b"<svg onload=alert(1)>"),
    }
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_site(settings, site):
    """The one narrow exception: the test server's exact host:port skips the private-address check."""
    settings.LINK_PREVIEW_ALLOWED_TEST_HOSTS = [site.removeprefix("http://")]
    return site


def fetch_page(url: str):
    return fetch_public_resource(url, accept=("text/html",), max_bytes=100_000, allow_truncated=True)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://localhost:8000/admin/", "loopback address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://192.168.0.1/", "private address"),
        ("http://172.16.5.4/", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata address"),
        ("http://[fe80::1]/", "link-local address"),
        ("http://[fd00:ec2::254]/", "cloud metadata address"),
        ("http://0.0.0.0/", "unspecified address"),
        ("http://224.0.0.1/", "multicast address"),
        ("http://100.64.0.1/", "not a public address"),
        ("http://2130706433/", "loopback address"),  # 127.0.0.1 written as one number
        ("ftp://example.com/", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
    ],
)
def test_links_into_our_own_network_are_refused(url, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch_page(url)


@pytest.mark.parametrize("path", ["/to-metadata", "/to-loopback", "/to-ipv6-loopback", "/to-private"])
def test_a_redirect_into_our_own_network_is_refused(settings, site, path):
    # Only the first hop is allowed (the test server); every redirect is checked again, with protections on.
    settings.LINK_PREVIEW_ALLOWED_TEST_HOSTS = [site.removeprefix("http://")]

    with pytest.raises(FetchRefused, match="resolves to"):
        fetch_page(site + path)


def test_the_test_server_itself_is_refused_when_not_allowed(site):
    with pytest.raises(FetchRefused, match="loopback"):
        fetch_page(site + "/chair")


def test_redirects_stop_after_three(allow_site):
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        fetch_page(allow_site + "/loop")


def test_only_html_is_read(allow_site):
    with pytest.raises(FetchRefused, match="not text/html"):
        fetch_page(allow_site + "/file")


def test_ipv4_addresses_inside_ipv6_are_judged_as_the_ipv4_address():
    assert address_refusal(ipaddress.ip_address("::ffff:10.0.0.1")) == "10.0.0.1 is a private address"
    assert address_refusal(ipaddress.ip_address("2002:7f00:1::")) == "127.0.0.1 is a loopback address"  # 6to4
    assert address_refusal(ipaddress.ip_address("64:ff9b::a9fe:a9fe")).endswith("cloud metadata address")
    assert address_refusal(ipaddress.ip_address("93.184.215.14")) == ""


@pytest.mark.django_db
def test_a_public_page_becomes_a_cached_preview_with_its_image_kept_by_us(allow_site):
    url = f"{allow_site}/chair"
    preview = LinkPreview.objects.create(url=url, url_hash="h1")

    fetch_and_store_link_preview(preview_id=preview.pk)
    fetch_and_store_link_preview(preview_id=preview.pk)  # a second run changes nothing

    preview.refresh_from_db()
    assert preview.state == LinkPreviewState.READY
    assert (preview.title, preview.description, preview.site_name) == (
        "Oak chair, teal",
        "Solid oak, hand finished. & ships in 3 days.",
        "Chairs & Co",
    )
    assert preview.image.read() == sample("photo.jpg")
    assert preview.image_mime_type == "image/jpeg"


@pytest.mark.django_db
def test_a_preview_image_that_is_not_an_image_is_dropped(allow_site):
    preview = LinkPreview.objects.create(url=f"{allow_site}/fake-image-page", url_hash="h2")

    fetch_and_store_link_preview(preview_id=preview.pk)

    preview.refresh_from_db()
    assert (preview.state, preview.title, bool(preview.image)) == (LinkPreviewState.READY, "T", False)


@pytest.mark.django_db
def test_a_refused_link_is_remembered_as_failed_with_the_reason():
    preview = LinkPreview.objects.create(url="http://169.254.169.254/latest/meta-data/", url_hash="h3")

    fetch_and_store_link_preview(preview_id=preview.pk)

    preview.refresh_from_db()
    assert preview.state == LinkPreviewState.FAILED
    assert "cloud metadata address" in preview.failure_reason


@pytest.mark.django_db
def test_an_address_that_cannot_even_be_parsed_ends_as_failed_not_pending():
    preview = LinkPreview.objects.create(url="http://[abc/x", url_hash="h4")

    fetch_and_store_link_preview(preview_id=preview.pk)

    preview.refresh_from_db()
    assert preview.state == LinkPreviewState.FAILED
    assert preview.failure_reason.startswith("The address cannot be fetched")


def test_the_first_link_is_the_one_previewed_and_trailing_punctuation_is_not_part_of_it():
    assert first_link("See https://example.com/chair. Or http://x.org") == "https://example.com/chair"
    assert first_link("no links here") is None


@pytest.mark.django_db
def test_the_api_previews_only_links_in_messages_the_user_may_see():
    from django.test import Client
    from django.utils import timezone

    from interactions.models import Message
    from tests.factories import InteractionFactory, UserFactory, agent

    reader, colleague = agent(), agent()
    interaction = InteractionFactory(assigned_to=reader)
    with_link, without_link = (
        Message.objects.create(
            interaction=interaction,
            sequence=number,
            revision=number,
            direction="inbound",
            text=text,
            status="received",
            sent_at=timezone.now(),
        )
        for number, text in ((1, "Is it this one? https://shop.example.com/chair"), (2, "Thanks"))
    )
    person, stranger, other_agent = Client(), Client(), Client()
    person.force_login(reader)
    stranger.force_login(UserFactory())
    other_agent.force_login(colleague)

    answer = person.get(f"/api/v1/messages/{with_link.pk}/link-preview/")

    assert answer.status_code == 200
    assert answer.json() | {"id": 0} == {
        "id": 0,
        "url": "https://shop.example.com/chair",
        "state": "pending",
        "title": "",
        "description": "",
        "site_name": "",
        "image_url": None,
    }
    assert person.get(f"/api/v1/messages/{with_link.pk}/link-preview/").json()["id"] == answer.json()["id"]  # cached
    assert person.get(f"/api/v1/messages/{without_link.pk}/link-preview/").status_code == 404
    assert stranger.get(f"/api/v1/messages/{with_link.pk}/link-preview/").status_code == 404
    assert other_agent.get(f"/api/v1/messages/{with_link.pk}/link-preview/").status_code == 404


@pytest.mark.django_db
def test_with_link_previews_switched_off_no_page_is_fetched_and_no_card_shown():
    from django.test import Client
    from django.utils import timezone

    from interactions.models import Message
    from properties.services import change_property
    from tests.factories import InteractionFactory, agent

    reader = agent()
    message = Message.objects.create(
        interaction=InteractionFactory(assigned_to=reader),
        sequence=1,
        revision=1,
        direction="inbound",
        text="Is it this one? https://shop.example.com/chair",
        status="received",
        sent_at=timezone.now(),
    )
    person = Client()
    person.force_login(reader)
    timeline_url = f"/api/v1/interactions/{message.interaction_id}/messages/"
    assert person.get(f"/api/v1/messages/{message.pk}/link-preview/").status_code == 200  # on: a preview is pending
    assert person.get(timeline_url).json()["messages"][0]["link_preview"]["state"] == "pending"

    change_property(key="interactions.link_previews", value="off")
    answer = person.get(f"/api/v1/messages/{message.pk}/link-preview/")

    assert (answer.status_code, answer.json()["detail"]) == (404, "Link previews are switched off.")
    assert person.get(timeline_url).json()["messages"][0]["link_preview"] is None
