"""Fetching a web page a customer or agent linked to, without letting the link reach inside our network (SSRF).

Only http and https. The host is resolved once, every address it resolves to must be public (no loopback,
private, shared, link-local, multicast, reserved or unspecified address, IPv4 or IPv6, IPv4 inside IPv6
included, no cloud metadata address), and the connection goes to the address that was checked, so a second DNS
answer cannot swap in an internal one. Redirects are followed by hand, each checked the same way, at most three.
Timeouts are short and the body is capped.

Outbound webhooks (integrations/) post to their subscribers' URLs under the same rules, with no redirect.

Tests need a page to fetch and this machine has no internet: `settings.LINK_PREVIEW_ALLOWED_TEST_HOSTS` lists
exact `host:port` pairs (the tests' own local server) that skip the address check. It is empty unless a test sets
it, and the tests that prove the refusals run with it empty.
"""

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

MAX_REDIRECTS = 3
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 5.0
TOTAL_TIME_SECONDS = 10.0
USER_AGENT = "WhatsDesk-LinkPreview/1.0 (+https://github.com/whatsdesk)"
_REDIRECTS = (301, 302, 303, 307, 308)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Named for the record; each is also link-local, private or shared address space and refused as such.
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


class FetchRefused(Exception):
    """The address is not one we fetch, or the answer is not what we take; `reason` says which, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoAnswer(FetchRefused):
    """Nothing answered in time, or the name did not resolve (a moment to wait out, not a setting to fix: a DNS
    failure is often temporary, and a name that never resolves runs out of retries)."""


@dataclass(frozen=True, slots=True)
class FetchedResource:
    url: str  # after redirects
    content_type: str
    body: bytes
    truncated: bool


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why we will not connect to this address, or "" when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    if address in _METADATA:
        return f"{address} is a cloud metadata address"
    for flag, label in (
        ("is_loopback", "a loopback"),
        ("is_unspecified", "an unspecified"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_private", "a private"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(address, flag):
            return f"{address} is {label} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return ""


def _allowed_for_tests(host: str, port: int) -> bool:
    return f"{host}:{port}" in getattr(settings, "LINK_PREVIEW_ALLOWED_TEST_HOSTS", ())


def _checked_address(host: str, port: int) -> str:
    """Resolves once and returns the address to connect to; every address the name has must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as problem:
        raise FetchRefused(f"{host} is not a valid host name") from problem
    except OSError as problem:  # socket.gaierror among them
        raise NoAnswer(f"{host} could not be resolved") from problem
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise NoAnswer(f"{host} could not be resolved")
    if not _allowed_for_tests(host, port):
        for address in addresses:
            reason = address_refusal(address)
            if reason:
                raise FetchRefused(f"{host} resolves to {reason}")
    return str(addresses[0])


@dataclass(frozen=True, slots=True)
class CheckedTarget:
    """A URL whose host resolved to public addresses only; connect to `address`, never to the name again."""

    scheme: str
    host: str
    port: int
    address: str
    host_header: str
    path: str  # with the query


def checked_target(url: str) -> CheckedTarget:
    """The address rules every outgoing request to an address someone typed obeys (link previews, outbound
    webhooks). Raises FetchRefused with the reason."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https links are fetched, not {parts.scheme or 'this'}")
    if parts.username or parts.password:
        raise FetchRefused("links with a user name or password are not fetched")
    host = parts.hostname
    if not host:
        raise FetchRefused("the link has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as problem:
        raise FetchRefused("the link has an invalid port") from problem
    address = _checked_address(host, port)
    default_port = port == (443 if parts.scheme == "https" else 80)
    host_header = (f"[{host}]" if ":" in host else host) + ("" if default_port else f":{port}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedTarget(scheme=parts.scheme, host=host, port=port, address=address, host_header=host_header, path=path)


def _pool(
    target: CheckedTarget, *, connect: float = CONNECT_TIMEOUT_SECONDS, read: float = READ_TIMEOUT_SECONDS
) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=connect, read=read)
    if target.scheme == "https":
        # Connect to the checked address, but verify the certificate (and send SNI) for the name in the link.
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            maxsize=1,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1)


@dataclass(frozen=True, slots=True)
class PostAnswer:
    status: int
    headers: Mapping[str, str]  # urllib3's: names are case-insensitive, as in HTTP
    body: bytes  # its first `max_answer_bytes`


def post_to_public_address(
    url: str, *, body: bytes, headers: dict[str, str], connect: float, read: float, max_answer_bytes: int = 4096
) -> PostAnswer:
    """POSTs `body` to `url` under the address rules, following no redirect (a 3xx is the answer). Raises
    FetchRefused when the address is refused or nothing answered."""
    target = checked_target(url)
    pool = _pool(target, connect=connect, read=read)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            answer = response.read(max_answer_bytes)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as problem:
        raise NoAnswer(f"{target.host} did not answer ({type(problem).__name__})") from problem
    finally:
        pool.close()
    return PostAnswer(status=response.status, headers=response.headers, body=answer)


def fetch_public_resource(
    url: str, *, accept: tuple[str, ...], max_bytes: int, allow_truncated: bool
) -> FetchedResource:
    """GETs `url` safely; `accept` are Content-Type prefixes. Raises FetchRefused with the reason."""
    deadline = time.monotonic() + TOTAL_TIME_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        target = checked_target(url)
        host = target.host
        pool = _pool(target)
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers={"Host": target.host_header, "User-Agent": USER_AGENT, "Accept": ", ".join(accept)},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as problem:
            raise NoAnswer(f"{host} did not answer ({type(problem).__name__})") from problem
        try:
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchRefused(f"{host} redirected without saying where")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"{host} answered HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            if not content_type.startswith(accept):
                raise FetchRefused(f"{host} sent {content_type or 'no type'}, not {' or '.join(accept)}")
            body, truncated = _read_capped(response, max_bytes=max_bytes, deadline=deadline)
        finally:
            response.release_conn()
            pool.close()
        if truncated and not allow_truncated:
            raise FetchRefused(f"the file is larger than {max_bytes} bytes")
        return FetchedResource(url=url, content_type=content_type, body=body, truncated=truncated)
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _read_capped(response: urllib3.BaseHTTPResponse, *, max_bytes: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= max_bytes:
            if time.monotonic() > deadline:
                raise FetchRefused("the page took too long to load")
            chunk = response.read(min(64 * 1024, max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
            size += len(chunk)
    except urllib3.exceptions.HTTPError as problem:
        raise FetchRefused(f"the download broke off ({type(problem).__name__})") from problem
    return b"".join(chunks)[:max_bytes], True
