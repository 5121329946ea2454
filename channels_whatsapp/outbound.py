"""The WhatsApp channel adapter: a core message in, a Cloud API send out, Meta's errors as DeliveryFailed."""

import re

from channels_whatsapp.client import GraphApiError, GraphApiUnreachable
from channels_whatsapp.connection import active_business_numbers, business_number, graph_client_for
from channels_whatsapp.errors import failure_kind_for, recipient_signal_for, title_for
from channels_whatsapp.templates import template_definitions, template_object
from interactions.channel_adapters import ChannelRequestFailed, DeliveryFailed, FailureKind, RateLimit
from interactions.events import TemplateDefinition
from interactions.models import Message, MessageKind
from interactions.services.statuses import correlation_id_for

CHANNEL = "whatsapp"
_URL = re.compile(r"https?://", re.IGNORECASE)

# Meta's pair rate limit: about one message every 6 seconds to one customer, with short bursts allowed.
PAIR_RATE_PER_SECOND = 1 / 6
PAIR_BURST = 10


def message_body(message: Message) -> dict:
    """The Cloud API request body for a core message."""
    body: dict = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.interaction.channel_user.external_id,
    }
    if message.kind == MessageKind.TEXT:
        body["type"] = "text"
        body["text"] = {"body": message.text, "preview_url": bool(_URL.search(message.text))}
    elif message.kind == MessageKind.TEMPLATE:
        body["type"] = "template"
        body["template"] = template_object(message)
    else:
        raise DeliveryFailed(kind=FailureKind.PERMANENT, code="unsupported", title=f"Cannot send {message.kind}")
    body["biz_opaque_callback_data"] = correlation_id_for(message)
    if message.reply_to_id and message.reply_to.external_id:
        body["context"] = {"message_id": message.reply_to.external_id}
    return body


class WhatsAppAdapter:
    def send(self, message: Message) -> str:
        number = business_number(message.interaction.channel_user.account_id)
        try:
            accepted = graph_client_for(number).send_message(
                phone_number_id=number.phone_number_id, body=message_body(message)
            )
        except GraphApiUnreachable as problem:
            kind = FailureKind.UNKNOWN if problem.request_may_have_arrived else FailureKind.RETRYABLE
            raise DeliveryFailed(
                kind=kind, code="unreachable", title="Graph API unreachable", detail=str(problem)
            ) from problem
        except GraphApiError as error:
            kind = failure_kind_for(error.code)
            if error.code is None and error.http_status < 500:
                kind = FailureKind.PERMANENT
            raise DeliveryFailed(
                kind=kind,
                code=str(error.code or error.http_status),
                title=title_for(error.code, error.message),
                detail=error.details or error.message,
                retry_after=error.retry_after,
                recipient_signal=recipient_signal_for(error.code),
            ) from error
        return accepted.wamid

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

    def rate_limits(self, message: Message) -> list[RateLimit]:
        channel_user = message.interaction.channel_user
        number = business_number(channel_user.account_id)
        return [
            RateLimit(
                f"whatsapp:{number.phone_number_id}",
                rate=number.messages_per_second,
                burst=number.messages_per_second,
            ),
            RateLimit(
                f"whatsapp:{number.phone_number_id}:{channel_user.external_id}",
                rate=PAIR_RATE_PER_SECOND,
                burst=PAIR_BURST,
            ),
        ]
