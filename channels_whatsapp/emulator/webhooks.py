"""Posting signed webhooks to the app, with Meta's retries and the delivery faults.

Meta treats anything but HTTP 200, a refused connection or a timeout as a failed delivery and retries
with decreasing frequency; the schedule here is Meta's scaled down to seconds. Every attempt is logged.
"""

import hashlib
import hmac
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import requests

from channels_whatsapp.emulator.config import BusinessNumber, EmulatorConfig
from channels_whatsapp.emulator.scheduler import Scheduler
from channels_whatsapp.emulator.state import EmulatorState
from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value

USER_AGENT = "facebookexternalua"
# Statuses released by `reorder_statuses` go out this far apart, so they arrive in the reversed order.
REORDER_SPACING_SECONDS = 0.1
# A later duplicate (from `duplicate_share`) follows its original this long after, as Meta's redeliveries do.
DUPLICATE_LATER_SECONDS = 2.0
_FINAL_STATUSES = ("read", "failed")


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """One notification, serialised once: retries and duplicates send exactly these bytes."""

    kind: str  # "message", "status", "preference" or "account" (quality and template changes)
    number: BusinessNumber
    wamid: str
    message_status: str | None
    body: bytes

    @classmethod
    def from_envelope(
        cls,
        *,
        kind: str,
        number: BusinessNumber,
        wamid: str,
        envelope: dict,
        message_status: str | None = None,
    ) -> "Webhook":
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(kind=kind, number=number, wamid=wamid, message_status=message_status, body=body)

    def headers(self) -> dict[str, str]:
        secret = self.number.app_secret
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), self.body, hashlib.sha1).hexdigest(),
            SIGNATURE_HEADER: signature_header_value(body=self.body, app_secret=secret),
        }


class WebhookDispatcher:
    def __init__(
        self,
        *,
        config: EmulatorConfig,
        state: EmulatorState,
        scheduler: Scheduler,
        on_delivered: Callable[[Webhook], None],
    ) -> None:
        self._config = config
        self._state = state
        self._scheduler = scheduler
        self._on_delivered = on_delivered
        self._delivery_ids = itertools.count(1)
        # Guarded by the state's lock, like everything else.
        self._held: dict[str, list[Webhook]] = {}
        self._generation = 0
        self._random = random.Random()
        self._duplicate_turns = itertools.count()

    def deliver(self, webhook: Webhook) -> None:
        if not self._config.webhook_url:
            return  # no app subscribed to the WABA: Meta notifies nobody
        with self._state.lock:
            batch = [webhook]
            if webhook.kind == "status" and self._reordered(webhook):
                held = self._held.setdefault(webhook.wamid, [])
                held.append(webhook)
                if webhook.message_status not in _FINAL_STATUSES:
                    return
                batch = held[::-1]
                del self._held[webhook.wamid]
            self._schedule_first_attempts(batch)

    def _reordered(self, webhook: Webhook) -> bool:
        """Whether this status is held: all are under `reorder_statuses`; under `reorder_share`, a message's fate
        is drawn at its first status, and the rest follow it."""
        faults = self._state.faults
        if faults.reorder_statuses or webhook.wamid in self._held:
            return True
        return webhook.message_status == "sent" and self._random.random() < faults.reorder_share

    def release_held(self) -> None:
        """When `reorder_statuses` is switched off, what it held goes out, still newest first."""
        with self._state.lock:
            for held in self._held.values():
                self._schedule_first_attempts(held[::-1])
            self._held.clear()

    def forget_pending(self) -> None:
        """On reset: scheduled attempts and held statuses are dropped. Call with the state's lock held."""
        self._generation += 1
        self._held.clear()

    def _schedule_first_attempts(self, batch: list[Webhook]) -> None:
        faults = self._state.faults
        for position, webhook in enumerate(batch):
            delay = faults.webhook_delay_seconds + position * REORDER_SPACING_SECONDS
            self._schedule_attempt(webhook, delay=delay, duplicate=False)
            if faults.duplicate_deliveries:
                self._schedule_attempt(webhook, delay=delay, duplicate=True)
            elif faults.duplicate_share and self._random.random() < faults.duplicate_share:
                later = next(self._duplicate_turns) % 2 * DUPLICATE_LATER_SECONDS
                self._schedule_attempt(webhook, delay=delay + later, duplicate=True)

    def _schedule_attempt(self, webhook: Webhook, *, delay: float, duplicate: bool) -> None:
        attempt = partial(
            self._attempt,
            webhook,
            delivery_id=next(self._delivery_ids),
            duplicate=duplicate,
            attempt=1,
            generation=self._generation,
        )
        self._scheduler.call_later(delay, attempt)

    def _attempt(self, webhook: Webhook, *, delivery_id: int, duplicate: bool, attempt: int, generation: int) -> None:
        with self._state.lock:
            if generation != self._generation:
                return
            dropped = self._state.take_fault_count("drop_next_webhooks")
        started = time.time()
        status_code, error = None, None
        if dropped:
            outcome, error = "dropped", "lost on the way (fault drop_next_webhooks)"
        else:
            try:
                response = requests.post(
                    self._config.webhook_url,
                    data=webhook.body,
                    headers=webhook.headers(),
                    timeout=self._config.webhook_timeout_seconds,
                )
                status_code = response.status_code
                outcome = "delivered" if status_code == 200 else "rejected"
            except requests.RequestException as exception:
                outcome, error = "error", f"{type(exception).__name__}: {exception}"
        delivered = outcome == "delivered"
        retry = not delivered and attempt < self._config.webhook_max_attempts
        with self._state.lock:
            if generation != self._generation:
                return
            self._state.webhook_attempts.append(
                {
                    "delivery_id": delivery_id,
                    "attempt": attempt,
                    "kind": webhook.kind,
                    "wamids": [webhook.wamid] if webhook.wamid else [],
                    "message_status": webhook.message_status,
                    "duplicate": duplicate,
                    "at": started,
                    "duration_ms": round((time.time() - started) * 1000),
                    "outcome": outcome,
                    "status_code": status_code,
                    "error": error,
                    "final": not retry,
                }
            )
            self._state.changed()
        if delivered:
            self._on_delivered(webhook)
        elif retry:
            next_attempt = partial(
                self._attempt,
                webhook,
                delivery_id=delivery_id,
                duplicate=duplicate,
                attempt=attempt + 1,
                generation=generation,
            )
            self._scheduler.call_later(self._config.retry_delay(failed_attempts=attempt), next_attempt)
