"""A small Graph API client for the Cloud API: base URL and version from settings, bearer token, timeouts."""

import logging
from dataclasses import dataclass
from datetime import timedelta

import requests
from urllib3.exceptions import NewConnectionError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AcceptedMessage:
    wamid: str
    wa_id: str


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
        document = self._post(f"{phone_number_id}/messages", body)
        try:
            return AcceptedMessage(wamid=document["messages"][0]["id"], wa_id=document["contacts"][0]["wa_id"])
        except (KeyError, IndexError, TypeError):
            # Meta answered 200, so it probably accepted the message; its status webhook will tell.
            raise GraphApiUnreachable("unreadable success body", request_may_have_arrived=True) from None

    def message_templates(self, *, waba_id: str) -> dict:
        """Every template of the WhatsApp Business Account, following Meta's cursor paging."""
        templates: list = []
        params: dict = {"limit": 100}
        while True:
            document = self._request("GET", f"{waba_id}/message_templates", params=params)
            templates.extend(document.get("data") or [])
            after = ((document.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (document.get("paging") or {}).get("next"):
                return {"data": templates}
            params = {"limit": 100, "after": after}

    def _post(self, path: str, body: dict) -> dict:
        return self._request("POST", path, json=body)

    def _request(self, method: str, path: str, **options) -> dict:
        url = f"{self._base_url}/{self._version}/{path}"
        try:
            response = requests.request(
                method,
                url,
                headers={"Authorization": f"Bearer {self._access_token}"},
                timeout=(min(self._timeout, 5.0), self._timeout),
                **options,
            )
        except requests.RequestException as problem:
            raise GraphApiUnreachable(
                f"no answer from the Graph API: {problem}",
                request_may_have_arrived=not _never_connected(problem),
            ) from problem
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.ok and isinstance(document, dict):
            return document
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
