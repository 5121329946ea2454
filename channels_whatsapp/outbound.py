"""The WhatsApp channel adapter: a core message in, a Cloud API send out, Meta's errors as DeliveryFailed."""

import re
from datetime import timedelta

from channels_whatsapp.client import GraphApiError, GraphApiUnreachable
from channels_whatsapp.connection import NumberUnavailable, active_business_numbers, business_number, graph_client_for
from channels_whatsapp.controls import render_control
from channels_whatsapp.errors import (
    NUMBER_UNAVAILABLE,
    failure_kind_for,
    recipient_signal_for,
    retry_can_help,
    title_for,
)
from channels_whatsapp.inbox import inbox_progress
from channels_whatsapp.media import (
    MEDIA_TYPES,
    download_inbound_media,
    media_object,
    uploaded_media_id,
)
from channels_whatsapp.message_limits import TEXT_BODY_MAX, content_problems
from channels_whatsapp.models import BusinessNumber
from channels_whatsapp.number_health import note_refused_send
from channels_whatsapp.properties import capped_media_rules
from channels_whatsapp.rich_messages import outbound_type_and_object
from channels_whatsapp.templates import template_definitions, template_object
from interactions.channel_adapters import (
    ChannelCapabilities,
    ChannelRequestFailed,
    DeliveryFailed,
    DownloadedMedia,
    FailureKind,
    InboxProgress,
    MediaUnavailable,
    RateLimit,
)
from interactions.controls import Control, RenderedMessage
from interactions.events import TemplateDefinition
from interactions.media_policies import MediaRule
from interactions.models import Message, MessageKind
from interactions.services.statuses import correlation_id_for

CHANNEL = "whatsapp"
_URL = re.compile(r"https?://", re.IGNORECASE)

# Meta's pair rate limit: about one message every 6 seconds to one customer, with short bursts allowed.
PAIR_RATE_PER_SECOND = 1 / 6
PAIR_BURST = 10
# Meta counts a number's sends in any one second. Sent evenly (no burst) at this share of the limit, no second holds
# more than the limit even when some sends reach Meta up to 1/0.96 - 1 s (~40 ms) later than others.
THROUGHPUT_SHARE = 0.96


def message_body(message: Message, *, media_id: str | None = None) -> dict:
    """The Cloud API request body for a core message; media kinds go by the id of their uploaded file."""
    if message.kind == MessageKind.TEXT:
        message_type, typed = "text", {"body": message.text, "preview_url": bool(_URL.search(message.text))}
    elif message.kind == MessageKind.TEMPLATE:
        message_type, typed = "template", template_object(message)
    elif message.kind in MEDIA_TYPES and media_id:
        message_type, typed = message.kind, media_object(message, media_id=media_id)
    else:
        try:
            message_type, typed = outbound_type_and_object(message)
        except LookupError as problem:
            raise DeliveryFailed(
                kind=FailureKind.PERMANENT, code="unsupported", title=f"Cannot send {message.kind}"
            ) from problem
    return {**_addressing(message), "type": message_type, message_type: typed}


def _addressing(message: Message) -> dict:
    """What every send carries besides its content: recipient, callback data and the quoted message."""
    body: dict = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.interaction.channel_user.external_id,
        "biz_opaque_callback_data": correlation_id_for(message),
    }
    # A reaction names its message inside; any other message may quote one.
    if message.kind != MessageKind.REACTION and message.reply_to_id and message.reply_to.external_id:
        body["context"] = {"message_id": message.reply_to.external_id}
    return body


def _delivery_failed(problem: GraphApiUnreachable | GraphApiError) -> DeliveryFailed:
    """Meta's answer, or its absence, as the core's failure: retry, give up, or reconcile first."""
    if isinstance(problem, GraphApiUnreachable):
        kind = FailureKind.UNKNOWN if problem.request_may_have_arrived else FailureKind.RETRYABLE
        return DeliveryFailed(kind=kind, code="unreachable", title="Graph API unreachable", detail=str(problem))
    kind = failure_kind_for(problem.code, http_status=problem.http_status)
    return DeliveryFailed(
        kind=kind,
        code=str(problem.code) if problem.code is not None else str(problem.http_status),
        title=title_for(problem.code, problem.message),
        detail=problem.details or problem.message,
        retry_after=problem.retry_after,
        recipient_signal=recipient_signal_for(problem.code),
    )


def _sending_number(message: Message) -> BusinessNumber:
    """The number the customer wrote to; if it is gone or deactivated, a permanent failure the agent can read."""
    try:
        return business_number(message.interaction.channel_user.account_id)
    except NumberUnavailable as problem:
        raise DeliveryFailed(
            kind=FailureKind.PERMANENT, code=NUMBER_UNAVAILABLE, title=problem.title, detail=problem.detail
        ) from problem


class WhatsAppAdapter:
    # M:messages/text-messages (body ≤ 4096), M:business-phone-numbers/media (caption ≤ 1024), and the
    # customer service window: free-form messages only within 24 hours of the customer's last message.
    capabilities = ChannelCapabilities(
        label="WhatsApp",
        text_limit=TEXT_BODY_MAX,
        caption_limit=1024,
        service_window=timedelta(hours=24),
        redelivery_period=timedelta(days=7),  # Meta retries a webhook for up to 7 days
    )

    def send(self, message: Message) -> str:
        number = _sending_number(message)
        client = graph_client_for(number)
        try:
            media_id = None
            if message.kind in MEDIA_TYPES:
                media_id = uploaded_media_id(client=client, number=number, message=message)
            accepted = client.send_message(
                phone_number_id=number.phone_number_id, body=message_body(message, media_id=media_id)
            )
        except (GraphApiUnreachable, GraphApiError) as problem:
            if isinstance(problem, GraphApiError):
                note_refused_send(number=number, error=problem)
            raise _delivery_failed(problem) from problem
        return accepted.wamid

    def content_problems(self, *, kind: str, content: dict) -> list[str]:
        return content_problems(kind=kind, content=content)

    def render_control(self, control: Control, *, page: int = 1) -> list[RenderedMessage]:
        return render_control(control, page=page)

    def mark_read(self, message: Message, *, typing: bool) -> None:
        number = _sending_number(message)
        try:
            graph_client_for(number).mark_read(
                phone_number_id=number.phone_number_id, wamid=message.external_id, typing=typing
            )
        except (GraphApiUnreachable, GraphApiError) as problem:
            raise _delivery_failed(problem) from problem

    def retry_can_help(self, *, error_code: str) -> bool:
        return retry_can_help(error_code)

    def media_rules(self) -> tuple[MediaRule, ...]:
        return capped_media_rules()

    def download_media(self, *, account_id: str, media_id: str, max_bytes: int) -> DownloadedMedia:
        try:
            number = business_number(account_id)
        except NumberUnavailable as problem:
            raise MediaUnavailable(f"{problem.title}. {problem.detail}", retryable=False) from problem
        client = graph_client_for(number)
        return download_inbound_media(client=client, media_id=media_id, max_bytes=max_bytes)

    def fetch_message_templates(self) -> list[TemplateDefinition]:
        numbers_by_waba: dict[str, list] = {}
        for number in active_business_numbers():
            if number.waba_id:
                numbers_by_waba.setdefault(number.waba_id, []).append(number)
        definitions = []
        for waba_id, numbers in numbers_by_waba.items():
            try:
                document = graph_client_for(numbers[0]).message_templates(waba_id=waba_id)
            except (GraphApiError, GraphApiUnreachable) as problem:
                raise ChannelRequestFailed(f"Could not fetch the templates of WABA {waba_id}: {problem}") from problem
            definitions += template_definitions(document, account_ids=[number.phone_number_id for number in numbers])
        return definitions

    def inbox_progress(self) -> InboxProgress:
        return inbox_progress()

    def rate_limits(self, message: Message) -> list[RateLimit]:
        channel_user = message.interaction.channel_user
        try:
            number = business_number(channel_user.account_id)
        except NumberUnavailable:
            return []  # nothing will be sent to pace: the send itself fails, with the reason
        return [
            RateLimit(
                f"whatsapp:{number.phone_number_id}", rate=number.messages_per_second * THROUGHPUT_SHARE, burst=1
            ),
            RateLimit(
                f"whatsapp:{number.phone_number_id}:{channel_user.external_id}",
                rate=PAIR_RATE_PER_SECOND,
                burst=PAIR_BURST,
            ),
        ]
