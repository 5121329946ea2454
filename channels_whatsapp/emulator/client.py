"""A Python client for the control API, for tests and the demo: `emulator.wait_for_sent_message(to=…)`."""

import base64

import requests


class EmulatorClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    def customer_sends(self, wa_id: str, text: str, name: str | None = None, **extra: object) -> str:
        """The customer writes to the business; returns the wamid the app's webhook will carry."""
        return self._post(f"/customers/{wa_id}/messages", {"text": text, "name": name, **extra})["id"]

    def customer_sends_message(self, wa_id: str, message_type: str, body: object, **extra: object) -> str:
        """The customer sends a rich message: `body` is the object under its type key, as in Meta's webhook."""
        return self._post(f"/customers/{wa_id}/messages", {"type": message_type, message_type: body, **extra})["id"]

    def customer_sends_media(
        self,
        wa_id: str,
        kind: str,
        content: bytes,
        mime_type: str,
        *,
        filename: str | None = None,
        caption: str | None = None,
        voice: bool = False,
        name: str | None = None,
    ) -> str:
        """The customer sends a photo, video, voice note, document or sticker; returns the wamid."""
        media = {"data": base64.b64encode(content).decode(), "mime_type": mime_type, "filename": filename}
        body = {"type": kind, "media": {k: v for k, v in media.items() if v is not None}, "caption": caption}
        return self._post(f"/customers/{wa_id}/messages", {**body, "name": name, "voice": voice or None})["id"]

    def media_content(self, media_id: str) -> bytes:
        """The bytes of a file the emulator holds (uploaded by the business or sent by a customer)."""
        response = self._session.get(f"{self.base_url}/_emulator/media/{media_id}", timeout=self.timeout)
        response.raise_for_status()
        return response.content

    def set_customer(self, wa_id: str, **fields: object) -> dict:
        """Creates or updates a customer: name, on_whatsapp, online, last_inbound_at, window_open."""
        return self._post("/customers", {"wa_id": wa_id, **fields})

    def customer_reads(self, wa_id: str) -> list[str]:
        return self._post(f"/customers/{wa_id}/read", {})["read"]

    def customer_sets_marketing(self, wa_id: str, *, stopped: bool) -> dict:
        """The customer taps "Stop promotions" (or resumes them) in WhatsApp; a user_preferences webhook follows."""
        return self._post(f"/customers/{wa_id}/marketing", {"value": "stop" if stopped else "resume"})

    def templates(self) -> list[dict]:
        return self._get("/templates", {})["templates"]

    def set_template_status(self, name: str, status: str, language: str = "en_US", **extra: object) -> dict:
        """As Meta does after a quality review: APPROVED, PAUSED, DISABLED, REJECTED, or DELETED to remove it; a
        `message_template_status_update` webhook follows (`reason`, `event` optional)."""
        return self._post("/templates", {"name": name, "language": language, "status": status, **extra})

    def set_template_quality(self, name: str, quality: str, language: str = "en_US") -> dict:
        """Meta rates the template GREEN, YELLOW, RED or UNKNOWN; a `message_template_quality_update` follows."""
        return self._post("/templates/quality", {"name": name, "language": language, "quality": quality})

    def change_number_quality(self, event: str, **fields: object) -> dict:
        """A `phone_number_quality_update` (FLAGGED, DOWNGRADE, UPGRADE…), with `quality_rating` and
        `messaging_limit` as `GET /{phone-number-id}` tells them from then on."""
        return self._post("/number-quality", {"event": event, **fields})

    def sent_messages(self, to: str | None = None, *, min_count: int = 0, timeout: float = 0) -> list[dict]:
        params = {"min_count": min_count, "timeout": timeout, **({"to": to} if to else {})}
        return self._get("/sent", params, wait=timeout)["messages"]

    def wait_for_sent_message(self, to: str, count: int = 1, timeout: float | None = None) -> dict:
        """The `count`-th message the business sent to `to`, waiting for it; AssertionError if it never comes."""
        messages = self.sent_messages(to, min_count=count, timeout=timeout or self.timeout)
        assert len(messages) >= count, f"{len(messages)} message(s) sent to {to}, expected {count}: {messages}"
        return messages[count - 1]

    def conversation(self, wa_id: str, *, after: int = 0, timeout: float = 0) -> dict:
        return self._get(f"/conversations/{wa_id}", {"after": after, "timeout": timeout}, wait=timeout)

    def webhook_log(self, *, wamid: str | None = None, min_count: int = 0, timeout: float = 0) -> list[dict]:
        """Every webhook delivery attempt, oldest first; waits until `min_count` exist."""
        params = {"min_count": min_count, "timeout": timeout, **({"wamid": wamid} if wamid else {})}
        return self._get("/webhooks", params, wait=timeout)["attempts"]

    def requests_log(self) -> list[dict]:
        """Every Graph API call the emulator answered, oldest first."""
        return self._get("/requests", {})["requests"]

    def faults(self) -> dict:
        return self._get("/faults", {})

    def set_faults(self, **switches: object) -> dict:
        return self._post("/faults", switches)

    def businesses(self) -> list[dict]:
        return self._get("/businesses", {})["businesses"]

    def set_token_revoked(self, revoked: bool = True, *, phone_number_id: str | None = None) -> dict:
        """Revokes (or restores) a business number's access token; the default number's without an id."""
        body: dict = {"revoked": revoked}
        if phone_number_id is not None:
            body["phone_number_id"] = phone_number_id
        return self._post("/token", body)

    def reset(self) -> None:
        self._post("/reset", {})

    def is_healthy(self) -> bool:
        try:
            return self._get("/health", {})["ok"] is True
        except requests.RequestException:
            return False

    def _get(self, path: str, params: dict, *, wait: float = 0) -> dict:
        response = self._session.get(f"{self.base_url}/_emulator{path}", params=params, timeout=self.timeout + wait)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict) -> dict:
        body = {key: value for key, value in body.items() if value is not None}
        response = self._session.post(f"{self.base_url}/_emulator{path}", json=body, timeout=self.timeout)
        response.raise_for_status()
        return response.json()
