"""A small Graph API client for the Cloud API: base URL and version from settings, bearer token, timeouts."""

import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import DefaultCookiePolicy
from typing import IO, NoReturn

import requests
from urllib3.exceptions import NewConnectionError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AcceptedMessage:
    wamid: str
    wa_id: str


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """`GET /{media-id}`: where to download the file (for 5 minutes) and what Meta says it is."""

    url: str
    mime_type: str
    sha256: str
    file_size: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneNumberInfo:
    """`GET /{phone-number-id}`: what Meta says about a business number ("" for a field Meta left out)."""

    display_phone_number: str
    verified_name: str
    quality_rating: str  # GREEN, YELLOW, RED, UNKNOWN
    messaging_limit: str  # whatsapp_business_manager_messaging_limit: TIER_250, TIER_2K, … TIER_UNLIMITED
    throughput_level: str  # STANDARD, HIGH, NOT_APPLICABLE
    name_status: str  # APPROVED, PENDING_REVIEW, DECLINED, …
    code_verification_status: str  # VERIFIED, NOT_VERIFIED, EXPIRED


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribedApp:
    """An app that receives the WhatsApp Business Account's webhooks (`GET /{waba-id}/subscribed_apps`)."""

    id: str
    name: str


PHONE_NUMBER_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,throughput,"
    "name_status,code_verification_status"
)


class MediaTooLarge(Exception):
    pass


class GraphApiError(Exception):
    """Meta answered with its error object (or with something that is not one)."""

    def __init__(
        self,
        *,
        http_status: int,
        code: int | None,
        message: str,
        details: str = "",
        fbtrace_id: str = "",
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(f"HTTP {http_status}, code {code}: {message}")
        self.http_status = http_status
        self.code = code
        self.message = message
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.retry_after = retry_after


class InvalidGraphId(GraphApiError):
    """An id that is not a Graph API node id, refused before any request: put into a URL, `../x` would take the
    bearer token to another path. Permanent, like Meta's own refusal of a bad id."""

    def __init__(self, value: str) -> None:
        super().__init__(http_status=400, code=None, message=f"{value[:80]!r} is not a valid WhatsApp id")


# Graph API node ids (phone number, WhatsApp Business Account, media) are decimal numbers.
_NODE_ID = re.compile(r"[0-9]{1,32}")


def is_graph_id(value: object) -> bool:
    return isinstance(value, str) and _NODE_ID.fullmatch(value) is not None


def _node(value: str) -> str:
    """The one way data becomes a path segment of a Graph API URL."""
    if not is_graph_id(value):
        raise InvalidGraphId(str(value))
    return value


class GraphApiUnreachable(Exception):
    """No answer from Meta. If the request may have been sent, its outcome is unknown."""

    def __init__(self, reason: str, *, request_may_have_arrived: bool) -> None:
        super().__init__(reason)
        self.request_may_have_arrived = request_may_have_arrived


def _never_connected(problem: requests.RequestException) -> bool:
    """Refused, unresolvable or timed out while connecting: nothing reached Meta, so a retry is safe."""
    if isinstance(problem, requests.ConnectTimeout):
        return True
    reason = getattr(problem.args[0], "reason", None) if problem.args else None
    return isinstance(problem, requests.ConnectionError) and isinstance(reason, NewConnectionError)


_local = threading.local()


def _session() -> requests.Session:
    """This thread's keep-alive session: one TLS handshake per connection, not per call. Per thread, as requests
    does not promise a shared one is safe; a forked child starts its own rather than share its parent's sockets."""
    session = getattr(_local, "session", None)
    if session is None or _local.pid != os.getpid():
        session, _local.pid = requests.Session(), os.getpid()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # no state from one call to the next
        _local.session = session
    return session


def _retry_after(response: requests.Response) -> timedelta | None:
    value = response.headers.get("Retry-After", "")
    return timedelta(seconds=int(value)) if value.isdigit() else None


class GraphApiClient:
    def __init__(self, *, base_url: str, version: str, access_token: str, timeout: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._version = version
        self._access_token = access_token
        self._timeout = timeout

    def send_message(self, *, phone_number_id: str, body: dict) -> AcceptedMessage:
        document = self._call("POST", phone_number_id, "messages", json=body)
        try:
            return AcceptedMessage(wamid=document["messages"][0]["id"], wa_id=document["contacts"][0]["wa_id"])
        except (KeyError, IndexError, TypeError):
            # Meta answered 200, so it probably accepted the message; its status webhook will tell.
            raise GraphApiUnreachable("unreadable success body", request_may_have_arrived=True) from None

    def mark_read(self, *, phone_number_id: str, wamid: str, typing: bool = False) -> None:
        """Marks a customer's message (and the earlier ones) read; `typing` also shows "typing…" for up to 25 s."""
        body: dict = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        self._call("POST", phone_number_id, "messages", json=body)

    def media_info(self, *, media_id: str) -> MediaInfo:
        document = self._call("GET", media_id)
        if not isinstance(document.get("url"), str):
            raise GraphApiError(http_status=200, code=None, message="media answer without a url")
        size = document.get("file_size")
        return MediaInfo(
            url=document["url"],
            mime_type=str(document.get("mime_type") or ""),
            sha256=str(document.get("sha256") or ""),
            file_size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        )

    def download_media(self, *, url: str, max_bytes: int) -> tuple[IO[bytes], int, str]:
        """The file at a media URL (with the bearer token, as Meta requires), spooled to disk past 5 MB.

        Returns (file at position 0, size, Content-Type). Raises MediaTooLarge past `max_bytes`.
        """
        try:
            response = _session().get(
                url,
                headers={"Authorization": f"Bearer {self._access_token}"},
                timeout=(min(self._timeout, 5.0), self._timeout),
                stream=True,
            )
        except requests.RequestException as problem:
            raise GraphApiUnreachable(
                f"no answer from the media URL: {problem}", request_may_have_arrived=False
            ) from problem
        with response:
            if not response.ok:
                self._raise_for(response, self._json_or_none(response))
            spool = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115 -- handed to the caller, who closes it
            size = 0
            try:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(f"over {max_bytes} bytes")
                    spool.write(chunk)
            except requests.RequestException as problem:
                spool.close()
                raise GraphApiUnreachable(
                    f"media download broke off: {problem}", request_may_have_arrived=False
                ) from problem
            except MediaTooLarge:
                spool.close()
                raise
        spool.seek(0)
        return spool, size, response.headers.get("Content-Type", "")

    def upload_media(self, *, phone_number_id: str, file: IO[bytes], mime_type: str, filename: str) -> str:
        """`POST /{phone-number-id}/media` (multipart); returns the media id to send by."""
        document = self._call(
            "POST",
            phone_number_id,
            "media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, file, mime_type)},
        )
        media_id = document.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise GraphApiError(http_status=200, code=None, message="upload answer without a media id")
        return media_id

    def message_templates(self, *, waba_id: str) -> dict:
        """Every template of the WhatsApp Business Account, following Meta's cursor paging."""
        templates: list = []
        params: dict = {"limit": 100}
        while True:
            document = self._call("GET", waba_id, "message_templates", params=params)
            templates.extend(document.get("data") or [])
            after = ((document.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (document.get("paging") or {}).get("next"):
                return {"data": templates}
            params = {"limit": 100, "after": after}

    def phone_number_info(self, *, phone_number_id: str) -> PhoneNumberInfo:
        document = self._call("GET", phone_number_id, params={"fields": PHONE_NUMBER_FIELDS})

        def text(value: object) -> str:
            return value if isinstance(value, str) else ""

        throughput = document.get("throughput")
        return PhoneNumberInfo(
            display_phone_number=text(document.get("display_phone_number")),
            verified_name=text(document.get("verified_name")),
            quality_rating=text(document.get("quality_rating")),
            messaging_limit=text(document.get("whatsapp_business_manager_messaging_limit")),
            throughput_level=text(throughput.get("level")) if isinstance(throughput, dict) else "",
            name_status=text(document.get("name_status")),
            code_verification_status=text(document.get("code_verification_status")),
        )

    def subscribed_apps(self, *, waba_id: str) -> list[SubscribedApp]:
        document = self._call("GET", waba_id, "subscribed_apps")
        apps = []
        for entry in document.get("data") or []:
            app = entry.get("whatsapp_business_api_data") if isinstance(entry, dict) else None
            if isinstance(app, dict):
                apps.append(SubscribedApp(id=str(app.get("id") or ""), name=str(app.get("name") or "")))
        return apps

    def _call(self, method: str, node: str, edge: str = "", **request_arguments) -> dict:
        """`node` is an id from data, checked here; `edge` is one of our literals."""
        url = f"{self._base_url}/{self._version}/{_node(node)}" + (f"/{edge}" if edge else "")
        try:
            response = _session().request(
                method,
                url,
                headers={"Authorization": f"Bearer {self._access_token}"},
                timeout=(min(self._timeout, 5.0), self._timeout),
                **request_arguments,
            )
        except requests.RequestException as problem:
            raise GraphApiUnreachable(
                f"no answer from the Graph API: {problem}",
                request_may_have_arrived=not _never_connected(problem),
            ) from problem
        document = self._json_or_none(response)
        if response.ok and isinstance(document, dict):
            return document
        self._raise_for(response, document)

    @staticmethod
    def _json_or_none(response: requests.Response) -> object:
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _raise_for(response: requests.Response, document: object) -> NoReturn:
        error = document.get("error") if isinstance(document, dict) else None
        if not isinstance(error, dict):
            raise GraphApiError(
                http_status=response.status_code,
                code=None,
                message=f"HTTP {response.status_code} without Meta's error object",
                retry_after=_retry_after(response),
            )
        error_data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
        raise GraphApiError(
            http_status=response.status_code,
            code=error.get("code") if isinstance(error.get("code"), int) else None,
            message=str(error.get("message") or ""),
            details=str(error_data.get("details") or ""),
            fbtrace_id=str(error.get("fbtrace_id") or ""),
            retry_after=_retry_after(response),
        )
