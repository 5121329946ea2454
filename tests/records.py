"""A conversation worth reviewing, as the interaction-record tests (page, exports, browser) read it: a customer's
text, photo, voice note, document and location; the agent's read reply, buttons and a message Meta refused; a
colleague's internal note and a supervisor's whisper; an opt-out, a linked case and a routing history."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
from customer_service.models import Case, CaseInteraction
from interactions.models import (
    AttachmentState,
    Direction,
    InteractionState,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from routing.models import WorkItemEventKind, WorkItemState
from routing.tests.factories import QueueFactory, WorkItemEventFactory, WorkItemFactory
from tests.factories import ChannelUserFactory, InteractionFactory, MessageFactory, agent, manager
from tests.media_samples import SAMPLES, sample

CUSTOMER_NUMBER = "447700900123"
META_ERROR = "Message failed to send because more than 24 hours have passed since the customer last replied."


def stored_file(message, kind: str, *, data: bytes | None = None, filename: str = "") -> MessageAttachment:
    name, mime_type = SAMPLES[kind]
    data = sample(name) if data is None else data
    path = default_storage.save(f"messageattachment/records/{name}", ContentFile(data))
    return MessageAttachment.objects.create(
        message=message,
        state=AttachmentState.STORED,
        file=path,
        mime_type=mime_type,
        size=len(data),
        filename=filename,
    )


def reviewed_conversation(*, alice=None, maya=None):
    """Returns (interaction, alice the agent, maya the manager)."""
    alice = alice or agent(username="alice", first_name="Alice", last_name="Agent")
    maya = maya or manager(username="maya", first_name="Maya", last_name="Manager")
    start = timezone.now() - timedelta(hours=2)
    billing = QueueFactory(key="billing", name="Billing")
    customer = ChannelUserFactory(external_id=CUSTOMER_NUMBER, display_name="Priya Raman")
    interaction = InteractionFactory(
        channel_user=customer,
        assigned_to=alice,
        queue=billing.key,
        opened_at=start,
        state=InteractionState.WORK_IN_PROGRESS,
    )

    def add(minute: int, **fields):
        return MessageFactory(interaction=interaction, sent_at=start + timedelta(minutes=minute), **fields)

    add(0, text="Hello, my parcel never arrived")
    photo = add(1, kind=MessageKind.IMAGE, text="This is the box I got")
    stored_file(photo, "image")
    voice = add(2, kind=MessageKind.AUDIO, text="")
    stored_file(voice, "audio")
    invoice = add(3, kind=MessageKind.DOCUMENT, text="")
    stored_file(invoice, "document", filename="invoice-2041.pdf")
    add(4, direction=Direction.OUTBOUND, status=MessageStatus.READ, author=alice, text="Sorry to hear that! Checking.")
    add(
        5,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        status=MessageStatus.RECORDED,
        author=alice,
        text="Courier lost two parcels this week",
        external_id=None,
    )
    add(
        6,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        status=MessageStatus.RECORDED,
        author=maya,
        text="Offer a refund straight away",
        content={"whisper_to": {"id": alice.pk, "name": "Alice Agent"}},
        external_id=None,
    )
    add(
        7,
        direction=Direction.OUTBOUND,
        status=MessageStatus.DELIVERED,
        author=alice,
        kind=MessageKind.INTERACTIVE,
        text="Refund or resend?",
        content={
            "type": "buttons",
            "header": "",
            "body": "Refund or resend?",
            "footer": "",
            "buttons": [{"id": "refund", "title": "Refund"}, {"id": "resend", "title": "Resend"}],
        },
    )
    add(
        8,
        kind=MessageKind.LOCATION,
        text="",
        content={"latitude": 51.50135, "longitude": -0.14189, "name": "Home", "address": "1 Mall Rd"},
    )
    add(
        60 * 25,
        direction=Direction.OUTBOUND,
        status=MessageStatus.FAILED,
        author=alice,
        text="Your refund is on its way",
        error_code="131047",
        error_title="Re-engagement message",
        error_detail=META_ERROR,
    )
    ConsentRecord.objects.create(
        channel_user=customer,
        status=ConsentStatus.OPTED_OUT,
        method=ConsentMethod.KEYWORD,
        recorded_at=start + timedelta(minutes=9),
        message_text="STOP",
    )
    case = Case.objects.create(number="CS0001042", short_description="Parcel lost in transit", channel_user=customer)
    CaseInteraction.objects.create(case=case, interaction=interaction)
    item = WorkItemFactory(interaction=interaction, queue=billing, state=WorkItemState.ACCEPTED, accepted_by=alice)
    WorkItemEventFactory(work_item=item, kind=WorkItemEventKind.QUEUED, at=start)
    WorkItemEventFactory(work_item=item, kind=WorkItemEventKind.ACCEPTED, agent=alice, actor=alice, at=start)
    return interaction, alice, maya
