"""The WhatsApp network as the emulator plays it: Meta's servers and the customers' phones.

The Graph API and the control API both come here; this is where the 24-hour window, the limits and
the status sequence (`sent`, then `delivered` once the phone is online, then `read`) are decided.
"""

import random
import time
from collections import deque
from dataclasses import dataclass

from channels_whatsapp.emulator import envelopes
from channels_whatsapp.emulator.config import BusinessNumber, EmulatorConfig
from channels_whatsapp.emulator.errors import (
    RequestRejected,
    invalid_parameter,
    marketing_stopped_status_error,
    media_link_status_error,
    pair_rate_limit_hit,
    re_engagement_required,
    service_unavailable,
    throttled,
    throughput_reached,
    undeliverable,
    undeliverable_status_error,
)
from channels_whatsapp.emulator.identifiers import new_conversation_id, new_wamid
from channels_whatsapp.emulator.media import (
    MAX_INBOUND_BYTES,
    TYPE_FAMILIES,
    LinkUnusable,
    StoredMedia,
    UploadRequest,
    base_type,
    check_file,
    fetch_link,
    media_download_error,
    media_upload_error,
    new_media_id,
)
from channels_whatsapp.emulator.message_types import MarkReadRequest, SendRequest
from channels_whatsapp.emulator.scheduler import Scheduler
from channels_whatsapp.emulator.state import (
    ChatMessage,
    ConversationKey,
    Customer,
    Direction,
    EmulatorState,
    MessageStatus,
    ServiceConversation,
    status_can_advance,
)
from channels_whatsapp.emulator.templates import default_templates, resolve_template
from channels_whatsapp.emulator.webhooks import Webhook, WebhookDispatcher

SERVICE_WINDOW_SECONDS = 24 * 60 * 60
# The `Retry-After` of an injected 429 is drawn from this range (seconds), so some exceed the app's own backoff.
INJECTED_RETRY_AFTER_SECONDS = (1, 5)
CHANGE_TYPES = ("edit", "revoke")  # the customer changes an earlier message of theirs


class CustomerCannotSend(Exception):
    """A number that is not on WhatsApp has no phone to send from."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """What the phone page shows for one chat, changed since the cursor it last saw."""

    epoch: str
    cursor: int
    customer: Customer | None
    number: BusinessNumber
    messages: list[ChatMessage]
    business_typing_seconds: float


def service_window_is_open(*, last_inbound_at: float | None, now: float) -> bool:
    """Only the customer's messages open or extend the window; the business's never do."""
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW_SECONDS


class WhatsAppNetwork:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.state = EmulatorState(log_length=config.log_length)
        self._scheduler = Scheduler(workers=config.webhook_workers)
        self._webhooks = WebhookDispatcher(
            config=config, state=self.state, scheduler=self._scheduler, on_delivered=self._webhook_delivered
        )

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        self.state.close()
        self._scheduler.stop()

    def default_number(self) -> BusinessNumber:
        return self.config.business_numbers[0]

    # --- the business, through the Graph API ---

    def send_message(self, *, number: BusinessNumber, request: SendRequest, api_version: str | None) -> str:
        """Accepts a message or raises RequestRejected; its statuses follow by webhook."""
        key = (number.phone_number_id, request.wa_id)
        with self.state.lock:
            now = time.time()
            customer = self.state.customers.get(request.wa_id)
            on_whatsapp = customer is None or customer.on_whatsapp
            self._check_limits(number=number, key=key, now=now)
            if not on_whatsapp and self.state.faults.undeliverable_sync:
                raise RequestRejected(undeliverable())
            # Meta cannot know a window for a number that is not on WhatsApp: it accepts, then fails.
            last_inbound_at = customer.last_inbound_at if customer else None
            window_open = service_window_is_open(last_inbound_at=last_inbound_at, now=now)
            if on_whatsapp and request.type != "template" and not window_open:
                raise RequestRejected(re_engagement_required())
            text = request.body.get("text", {}).get("body")
            refused_as_marketing = False
            if request.type == "template":
                template, text = resolve_template(self.templates(number.waba_id), request.body["template"])
                refused_as_marketing = template["category"] == "MARKETING" and bool(
                    customer and customer.marketing_opted_out
                )
            self.state.sends_by_number.setdefault(number.phone_number_id, deque()).append(now)
            self.state.sends_by_pair.setdefault(key, deque()).append(now)
            self.state.typing_until.pop(key, None)
            context = request.body.get("context")
            media = self._media_for_send(number=number, request=request)
            message = self.state.add_message(
                wamid=new_wamid(wa_id=request.wa_id, outbound=True),
                phone_number_id=number.phone_number_id,
                wa_id=request.wa_id,
                direction=Direction.TO_CUSTOMER,
                type=request.type,
                text=text if media is None else media.pop("caption", None),
                body=request.body.get(request.type),
                created_at=now,
                status=MessageStatus.ACCEPTED,
                reply_to=context["message_id"] if context else None,
                request=request.body,
                api_version=api_version,
                media=media,
            )
            online = customer is None or customer.online
        wamid = message.wamid
        if refused_as_marketing:  # accepted, then failed: Meta tells by status webhook
            self._scheduler.call_later(
                self.config.delivered_after_seconds,
                lambda: self._advance(wamid, MessageStatus.FAILED, errors=[marketing_stopped_status_error()]),
            )
            return wamid
        if not on_whatsapp:
            self._scheduler.call_later(
                self.config.delivered_after_seconds,
                lambda: self._advance(wamid, MessageStatus.FAILED, errors=[undeliverable_status_error()]),
            )
            return wamid
        if media is not None and "link" in media:
            self._scheduler.call_later(0, lambda: self._fetch_link_then_send(wamid, number=number, online=online))
            return wamid
        self._send_to_phone(wamid, online=online)
        return wamid

    def _send_to_phone(self, wamid: str, *, online: bool) -> None:
        self._scheduler.call_later(0, lambda: self._advance(wamid, MessageStatus.SENT))
        if online:
            self._scheduler.call_later(self.config.delivered_after_seconds, lambda: self._deliver_to_phone(wamid))

    def _fetch_link_then_send(self, wamid: str, *, number: BusinessNumber, online: bool) -> None:
        """Meta fetches a media `link` after accepting the send; one it cannot use fails the message (131053)."""
        with self.state.lock:
            message = self.state.messages.get(wamid)
            if message is None:
                return  # the emulator was reset meanwhile
            link, message_type = message.media["link"], message.type
        try:
            fetched = fetch_link(url=link, message_type=message_type)
        except LinkUnusable as problem:
            self._advance(wamid, MessageStatus.FAILED, errors=[media_link_status_error(str(problem))])
            return
        media_id = self._store_media(
            number=number, content=fetched.content, mime_type=fetched.mime_type, filename=fetched.filename
        )
        with self.state.lock:
            message.media = {
                **message.media,
                "id": media_id,
                "mime_type": fetched.mime_type,
                "sha256": self.state.media[media_id].sha256,
                "filename": message.media.get("filename") or fetched.filename,
            }
            self.state.touch(message)
        self._send_to_phone(wamid, online=online)

    def _media_for_send(self, *, number: BusinessNumber, request: SendRequest) -> dict | None:
        """Call with the lock held: the uploaded file a media send names, which must fit the message type.

        A `link` is fetched later, after the send is accepted (`_fetch_link_then_send`)."""
        if request.type not in TYPE_FAMILIES:
            return None
        sent = request.body[request.type]
        if "link" in sent:
            return {"link": sent["link"], "filename": sent.get("filename"), "caption": sent.get("caption")}
        stored = self.state.media.get(sent["id"])
        if stored is None or stored.phone_number_id != number.phone_number_id:
            raise RequestRejected(invalid_parameter(f"Media with id {sent['id']} was not found for this number."))
        if stored.mime_type not in TYPE_FAMILIES[request.type]:
            raise RequestRejected(
                media_upload_error(f"Mismatched MIME type: a {request.type} cannot be a {stored.mime_type} file.")
            )
        return {
            "id": stored.id,
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "filename": sent.get("filename") or stored.filename,
            "caption": sent.get("caption"),
        }

    # --- media, through the Graph API and the phone page ---

    def upload_media(self, *, number: BusinessNumber, upload: UploadRequest) -> str:
        check_file(content=upload.content, mime_type=upload.mime_type)
        return self._store_media(
            number=number, content=upload.content, mime_type=upload.mime_type, filename=upload.filename
        )

    def _store_media(self, *, number: BusinessNumber, content: bytes, mime_type: str, filename: str | None) -> str:
        stored = StoredMedia(
            id=new_media_id(),
            phone_number_id=number.phone_number_id,
            content=content,
            mime_type=base_type(mime_type),
            filename=filename,
            created_at=time.time(),
        )
        with self.state.lock:
            self.state.media[stored.id] = stored
            self.state.changed()
        return stored.id

    def media(self, media_id: str) -> StoredMedia | None:
        with self.state.lock:
            return self.state.media.get(media_id)

    def delete_media(self, media_id: str) -> bool:
        with self.state.lock:
            return self.state.media.pop(media_id, None) is not None

    def customer_sends_media(
        self,
        *,
        wa_id: str,
        name: str | None,
        number: BusinessNumber,
        message_type: str,
        content: bytes,
        mime_type: str,
        filename: str | None,
        caption: str | None,
        voice: bool,
        reply_to: str | None = None,
    ) -> str:
        """The customer's phone uploads the file to Meta; the webhook names it by id (or by 131052 if too big)."""
        mime_type = base_type(mime_type)
        if mime_type not in TYPE_FAMILIES[message_type]:
            raise CustomerCannotSend(f"a {message_type} cannot be a {mime_type or 'file of no type'}")
        too_big = len(content) > MAX_INBOUND_BYTES or self.take_fault_count("media_too_big_next")
        media: dict = {"mime_type": mime_type, "filename": filename, "voice": voice}
        if too_big:
            media["error"] = media_download_error("Media file size too big. Max file size we currently support: 100MB.")
        else:
            media["id"] = self._store_media(number=number, content=content, mime_type=mime_type, filename=filename)
            media["sha256"] = self.media(media["id"]).sha256
        return self.customer_sends(
            wa_id=wa_id,
            name=name,
            number=number,
            message_type=message_type,
            text=caption,
            media=media,
            reply_to=reply_to,
        )

    def templates(self, waba_id: str) -> list[dict]:
        """The WABA's templates; call with the lock held."""
        return self.state.templates.setdefault(waba_id, default_templates(waba_id))

    def set_template_status(
        self, *, waba_id: str, name: str, language: str, status: str, reason: str = "", event: str | None = None
    ) -> dict | None:
        """Meta pauses, disables or deletes a template after a review; `DELETED` removes it. None: no such one.
        Meta tells the app by a `message_template_status_update` webhook (`event`, FLAGGED for instance, may say
        more than the status; a deletion sends none)."""
        with self.state.lock:
            templates = self.templates(waba_id)
            template = next((t for t in templates if t["name"] == name and t["language"] == language), None)
            if template is None:
                return None
            if status == "DELETED":
                templates.remove(template)
            else:
                template["status"] = status
            self.state.changed()
            template = dict(template)
        if status != "DELETED":
            value = envelopes.template_status_value(template=template, event=event or status, reason=reason)
            self._deliver_account_change(waba_id=waba_id, field="message_template_status_update", value=value)
        return template

    def set_template_quality(self, *, waba_id: str, name: str, language: str, quality: str) -> dict | None:
        """Meta rates a template's quality (GREEN, YELLOW, RED, UNKNOWN) and says so by webhook. None: no such one."""
        with self.state.lock:
            template = next(
                (t for t in self.templates(waba_id) if t["name"] == name and t["language"] == language), None
            )
            if template is None:
                return None
            previous = (template.get("quality_score") or {}).get("score", "UNKNOWN")
            template["quality_score"] = {"score": quality}
            self.state.changed()
            template = dict(template)
        value = envelopes.template_quality_value(template=template, previous=previous, new=quality)
        self._deliver_account_change(waba_id=waba_id, field="message_template_quality_update", value=value)
        return template

    def number_standing(self, number: BusinessNumber) -> dict[str, str]:
        """The number's quality rating and messaging limit as `GET /{phone-number-id}` tells them now."""
        with self.state.lock:
            standing = self.state.number_standing.get(number.phone_number_id, {})
            return {
                "quality_rating": standing.get("quality_rating", number.quality_rating),
                "messaging_limit": standing.get("messaging_limit", number.messaging_limit),
            }

    def change_number_standing(
        self, *, number: BusinessNumber, event: str, quality_rating: str | None, messaging_limit: str | None
    ) -> dict[str, str]:
        """Meta flags a number's quality, or raises or lowers its messaging limit: `GET /{phone-number-id}` tells
        the new values, and a `phone_number_quality_update` webhook says what happened."""
        old = self.number_standing(number)
        with self.state.lock:
            standing = self.state.number_standing.setdefault(number.phone_number_id, {})
            if quality_rating:
                standing["quality_rating"] = quality_rating
            if messaging_limit:
                standing["messaging_limit"] = messaging_limit
            self.state.changed()
        new = self.number_standing(number)
        value = envelopes.quality_update_value(
            number=number, event=event, current_limit=new["messaging_limit"], old_limit=old["messaging_limit"]
        )
        self._deliver_account_change(waba_id=number.waba_id, field="phone_number_quality_update", value=value)
        return new

    def _deliver_account_change(self, *, waba_id: str, field: str, value: dict) -> None:
        """Signed with the app secret of the account's first number: one app serves them all in the emulator."""
        number = next((n for n in self.config.business_numbers if n.waba_id == waba_id), self.default_number())
        envelope = envelopes.account_envelope(waba_id=waba_id, field=field, value=value, at=time.time())
        self._webhooks.deliver(Webhook.from_envelope(kind="account", number=number, wamid="", envelope=envelope))

    def set_marketing_preference(self, *, wa_id: str, stopped: bool, number: BusinessNumber) -> Customer:
        """The customer taps "Stop promotions" (or resumes) in WhatsApp; Meta tells the business by webhook."""
        with self.state.lock:
            customer = self.state.customers.get(wa_id) or self.save_customer(wa_id=wa_id, changes={})
            customer.marketing_opted_out = stopped
            self.state.changed((number.phone_number_id, wa_id))
            value = envelopes.user_preferences_value(customer=customer, stopped=stopped, at=time.time())
        envelope = envelopes.messages_envelope(number=number, value=value, field="user_preferences")
        self._webhooks.deliver(Webhook.from_envelope(kind="preference", number=number, wamid="", envelope=envelope))
        return customer

    def mark_read_by_business(self, *, number: BusinessNumber, request: MarkReadRequest) -> None:
        """Reading one message reads the earlier ones too; a typing indicator lasts 25 s or until a reply."""
        with self.state.lock:
            target = self.state.messages.get(request.message_id)
            if (
                target is None
                or target.direction is not Direction.TO_BUSINESS
                or target.phone_number_id != number.phone_number_id
            ):
                raise RequestRejected(invalid_parameter(f"Message with ID {request.message_id} was not found."))
            key = (target.phone_number_id, target.wa_id)
            now = time.time()
            for message in self.state.chat(key):
                if (
                    message.direction is Direction.TO_BUSINESS
                    and message.seq <= target.seq
                    and status_can_advance(current=message.status, new=MessageStatus.READ)
                ):
                    message.status = MessageStatus.READ
                    message.status_times[MessageStatus.READ] = now
                    self.state.touch(message)
            if request.typing:
                self.state.typing_until[key] = now + self.config.typing_indicator_seconds
                self.state.changed(key)

    def inject_send_fault(self) -> None:
        """Under the `send_fault_rate` fault, refuses that share of sends the ways Meta does when busy: a 429 with
        `Retry-After`, a 503 with Meta's transient error, or the pair rate limit (131056), in equal parts."""
        with self.state.lock:
            rate = self.state.faults.send_fault_rate
        if rate <= 0 or random.random() >= rate:
            return
        kind = random.randrange(3)
        if kind == 0:
            retry_after = random.randint(*INJECTED_RETRY_AFTER_SECONDS)
            raise RequestRejected(throttled(), retry_after_seconds=retry_after, injected=True)
        error = service_unavailable(http_status=503) if kind == 1 else pair_rate_limit_hit()
        raise RequestRejected(error, injected=True)

    def _check_limits(self, *, number: BusinessNumber, key: ConversationKey, now: float) -> None:
        if self.state.take_fault_count("force_rate_limit_next"):
            raise RequestRejected(throughput_reached())
        recent = self.state.sends_by_number.get(number.phone_number_id, deque())
        while recent and recent[0] <= now - 1:
            recent.popleft()
        if len(recent) >= self.config.messages_per_second:
            raise RequestRejected(throughput_reached())
        pair = self.state.sends_by_pair.get(key, deque())
        while pair and pair[0] <= now - self.config.pair_rate_window_seconds:
            pair.popleft()
        if len(pair) >= self.config.pair_rate_burst:
            raise RequestRejected(pair_rate_limit_hit())

    # --- the customer, through the control API and the phone page ---

    def save_customer(self, *, wa_id: str, changes: dict) -> Customer:
        with self.state.lock:
            customer = self.state.customers.get(wa_id) or Customer(wa_id=wa_id, name=changes.get("name") or wa_id)
            self.state.customers[wa_id] = customer
            came_online = changes.get("online") is True and not customer.online
            for name in ("name", "on_whatsapp", "online", "last_inbound_at"):
                if name in changes:
                    setattr(customer, name, changes[name])
            if changes.get("window_open") is not None:
                customer.last_inbound_at = time.time() if changes["window_open"] else None
            for number in self.config.business_numbers:
                self.state.changed((number.phone_number_id, wa_id))
            waiting = [
                m.wamid
                for m in self.state.messages.values()
                if m.wa_id == wa_id and m.direction is Direction.TO_CUSTOMER and m.status is MessageStatus.SENT
            ]
        if came_online:
            for wamid in waiting:
                self._scheduler.call_later(
                    self.config.delivered_after_seconds, lambda w=wamid: self._deliver_to_phone(w)
                )
        return customer

    def customer_sends(
        self,
        *,
        wa_id: str,
        name: str | None,
        number: BusinessNumber,
        message_type: str = "text",
        text: str | None = None,
        body: dict | list | None = None,
        media: dict | None = None,
        reply_to: str | None = None,
        group_id: str | None = None,
    ) -> str:
        """The customer sends a message of any type: `body` is the object under its type key (text's is built);
        a file the phone uploaded comes as `media` instead. An `edit` or `revoke` changes their earlier message on
        the phone too."""
        with self.state.lock:
            customer = self.state.customers.get(wa_id)
            if customer is not None and not customer.on_whatsapp:
                raise CustomerCannotSend(f"{wa_id} is marked as not on WhatsApp")
            if message_type in CHANGE_TYPES:
                self._change_own_message(
                    key=(number.phone_number_id, wa_id), change=message_type, body=body, new_text=text
                )
            if customer is None or (name and name != customer.name):
                customer = self.save_customer(wa_id=wa_id, changes={"name": name} if name else {})
            now = time.time()
            if message_type not in CHANGE_TYPES:  # as on the desk: changing a message opens no window
                customer.last_inbound_at = now
            message = self.state.add_message(
                wamid=new_wamid(wa_id=wa_id, outbound=False),
                phone_number_id=number.phone_number_id,
                wa_id=wa_id,
                direction=Direction.TO_BUSINESS,
                type=message_type,
                text=text,
                body=body if body is not None or media is not None else {"body": text},
                created_at=now,
                status=MessageStatus.SENT,
                reply_to=reply_to,
                media=media,
                group_id=group_id,
            )
            value = envelopes.inbound_message_value(customer=customer, message=message, number=number)
        envelope = envelopes.messages_envelope(number=number, value=value)
        self._webhooks.deliver(
            Webhook.from_envelope(kind="message", number=number, wamid=message.wamid, envelope=envelope)
        )
        return message.wamid

    def _change_own_message(self, *, key: ConversationKey, change: str, body: dict, new_text: str | None) -> None:
        """Call with the lock held: the customer edits or deletes (for everyone) one of their own messages."""
        original = self.state.messages.get(body["original_message_id"])
        if original is None or (original.phone_number_id, original.wa_id) != key or original.deleted:
            raise CustomerCannotSend("only your own messages can be changed, and not once deleted")
        if original.direction is not Direction.TO_BUSINESS:
            raise CustomerCannotSend("only your own messages can be changed")
        if change == "revoke":
            original.deleted = True
        else:
            original.text, original.edited = new_text, True
        self.state.touch(original)

    def customer_reads(self, *, wa_id: str, number: BusinessNumber) -> list[str]:
        """Reads every message the business sent that the customer has not read: one `read` each."""
        with self.state.lock:
            unread = [
                m.wamid
                for m in self.state.chat((number.phone_number_id, wa_id))
                if m.direction is Direction.TO_CUSTOMER and m.status in (MessageStatus.SENT, MessageStatus.DELIVERED)
            ]
        return [wamid for wamid in unread if self._advance(wamid, MessageStatus.READ)]

    # --- what tests and the phone page read ---

    def sent_messages(self, *, wa_id: str | None, min_count: int, timeout: float) -> list[ChatMessage]:
        def matching() -> list[ChatMessage]:
            return [
                m
                for m in self.state.messages.values()
                if m.direction is Direction.TO_CUSTOMER and (wa_id is None or m.wa_id == wa_id)
            ]

        with self.state.lock:
            self.state.wait_until(lambda: len(matching()) >= min_count, timeout=self._poll_timeout(timeout))
            return matching()

    def feed(self, *, wa_id: str, number: BusinessNumber, after: int, epoch: str | None, timeout: float) -> Feed:
        key = (number.phone_number_id, wa_id)
        with self.state.lock:
            if epoch != self.state.epoch:
                after, timeout = 0, 0.0  # the page's cursor predates a reset or restart: start over now
            self.state.wait_until(
                lambda: self.state.conversation_versions.get(key, 0) > after,
                timeout=self._poll_timeout(timeout),
            )
            typing_until = self.state.typing_until.get(key, 0.0)
            return Feed(
                epoch=self.state.epoch,
                cursor=self.state.version,
                customer=self.state.customers.get(wa_id),
                number=number,
                messages=[m for m in self.state.chat(key) if m.changed > after and self._shows_on_phone(m)],
                business_typing_seconds=max(0.0, typing_until - time.time()),
            )

    def wait_for_webhook_attempts(self, *, wamid: str | None, min_count: int, timeout: float) -> list[dict]:
        def matching() -> list[dict]:
            return [a for a in self.state.webhook_attempts if wamid is None or wamid in a["wamids"]]

        with self.state.lock:
            self.state.wait_until(lambda: len(matching()) >= min_count, timeout=self._poll_timeout(timeout))
            return matching()

    def record_request(self, entry: dict) -> None:
        with self.state.lock:
            self.state.requests.append(entry)
            self.state.changed()

    def requests(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.requests)

    # --- faults and reset ---

    def take_fault_count(self, name: str) -> bool:
        with self.state.lock:
            return self.state.take_fault_count(name)

    def slow_response_seconds(self) -> float:
        with self.state.lock:
            return self.state.faults.slow_response_seconds

    def faults(self) -> dict:
        with self.state.lock:
            return self.state.faults.as_dict()

    def update_faults(self, changes: dict) -> dict:
        with self.state.lock:
            was_reordering = self.state.faults.reorder_statuses or self.state.faults.reorder_share > 0
            self.state.faults.update(changes)
            self.state.changed()
            faults = self.state.faults.as_dict()
        if was_reordering and not faults["reorder_statuses"] and not faults["reorder_share"]:
            self._webhooks.release_held()
        return faults

    def token_is_revoked(self, token: str) -> bool:
        with self.state.lock:
            return token in self.state.revoked_tokens

    def set_token_revoked(self, *, number: BusinessNumber, revoked: bool) -> bool:
        """Revokes a number's access token (every Graph API call with it then gets error 190), or restores it."""
        with self.state.lock:
            if revoked:
                self.state.revoked_tokens.add(number.access_token)
            else:
                self.state.revoked_tokens.discard(number.access_token)
            self.state.changed()
            return revoked

    def reset(self) -> None:
        with self.state.lock:
            self.state.reset()
            self._webhooks.forget_pending()

    # --- statuses ---

    def _deliver_to_phone(self, wamid: str) -> None:
        with self.state.lock:
            message = self.state.messages.get(wamid)
            customer = self.state.customers.get(message.wa_id) if message else None
            if customer is not None and not customer.online:
                return  # it stays `sent` until the phone comes back online
        self._advance(wamid, MessageStatus.DELIVERED)

    def _advance(self, wamid: str, status: MessageStatus, errors: list[dict] | None = None) -> bool:
        """Moves a business message forward and reports it; False if it was already there or beyond."""
        with self.state.lock:
            message = self.state.messages.get(wamid)
            if message is None or not status_can_advance(current=message.status, new=status):
                return False
            previous = message.status
            now = time.time()
            message.status = status
            message.status_times[status] = now
            message.errors = errors or []
            self.state.touch(message)
            # Pricing rides on `sent` and on one of `delivered`/`read`: a read with no delivered before it
            # (the phone received and showed it at once) carries it, and Meta then sends no `delivered`.
            billing = status in (MessageStatus.SENT, MessageStatus.DELIVERED) or (
                status is MessageStatus.READ and previous is MessageStatus.SENT
            )
            conversation = self._service_conversation(message, now) if billing else None
            value = envelopes.status_value(
                message=message,
                status=status,
                at=now,
                billing=billing,
                conversation=conversation,
                errors=errors,
            )
            number = self.config.business_number(message.phone_number_id)
        envelope = envelopes.messages_envelope(number=number, value=value)
        self._webhooks.deliver(
            Webhook.from_envelope(
                kind="status", number=number, wamid=wamid, envelope=envelope, message_status=str(status)
            )
        )
        return True

    def _service_conversation(self, message: ChatMessage, now: float) -> ServiceConversation:
        key = (message.phone_number_id, message.wa_id)
        conversation = self.state.service_conversations.get(key)
        if conversation is None or conversation.expires_at <= now:
            conversation = ServiceConversation(id=new_conversation_id(), expires_at=now + SERVICE_WINDOW_SECONDS)
            self.state.service_conversations[key] = conversation
        return conversation

    def _webhook_delivered(self, webhook: Webhook) -> None:
        """The app answered 200 to a customer's message: two grey ticks on their phone."""
        if webhook.kind != "message":
            return
        with self.state.lock:
            message = self.state.messages.get(webhook.wamid)
            if message is not None and status_can_advance(current=message.status, new=MessageStatus.DELIVERED):
                message.status = MessageStatus.DELIVERED
                message.status_times[MessageStatus.DELIVERED] = time.time()
                self.state.touch(message)

    @staticmethod
    def _shows_on_phone(message: ChatMessage) -> bool:
        """The customer sees their own messages, and the business's once they reached the phone; an edit or a
        deletion shows on the message it changes, not as a bubble of its own."""
        if message.type in CHANGE_TYPES:
            return False
        return message.direction is Direction.TO_BUSINESS or message.status in (
            MessageStatus.DELIVERED,
            MessageStatus.READ,
        )

    def _poll_timeout(self, timeout: float) -> float:
        return min(max(timeout, 0.0), self.config.long_poll_max_seconds)
