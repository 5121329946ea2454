"""Every service that takes input from outside, given anything: it records, or it refuses with its documented
refusal and a reason, and it never half-writes (no customer without a conversation, no conversation without a
message, nothing kept from a refused request but the record of the refusal).

Channels hand the core events they parsed; agents, managers and outside systems reach it through the API's
serializers. Both are driven here with text at its edges (NUL, lone surrogates, right-to-left marks, emoji joined
by ZWJ, 70,000 characters), numbers past 64 bits, times from year 1 to 9999, and any JSON where JSON goes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from consent.models import ConsentMethod, ConsentRecord, ConsentScope, ConsentStatus, KeywordAction
from consent.policies import KeywordRule, match_consent_keyword
from consent.services import ConsentInvalid, record_consent
from interactions.api.consent import RecordConsentSerializer
from interactions.api.outreach import NotificationRequestSerializer, StartConversationSerializer
from interactions.api.views import CloseSerializer, SendRichMessageSerializer, SendTextSerializer
from interactions.events import (
    ChannelUserAddressChanged,
    DeliveryStatusUpdate,
    InboundMedia,
    InboundMessage,
    InboundMessageChanged,
    MarketingPreferenceChanged,
    RecipientSignal,
)
from interactions.models import (
    ChannelUser,
    DeliveryStatusEvent,
    Interaction,
    Message,
    MessageKind,
    MessageStatus,
    Notification,
    NotificationOutcome,
)
from interactions.services.conversations import start_conversation
from interactions.services.customer_changes import change_channel_user_address, record_inbound_message_change
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import ActionRefused, send_agent_reply
from interactions.services.recipient_signals import record_marketing_preference_change
from interactions.services.statuses import record_delivery_status
from interactions.services.system_messages import SystemMessageContent, send_system_message
from interactions.services.templates import TemplateValues
from tests.consent_factories import template
from tests.factories import ChannelUserFactory, InteractionFactory, agent
from tests.hostile_input import (
    aware_datetime,
    edge_number,
    edge_text,
    json_object,
    json_value,
    received_datetime,
    typed_text,
)

pytestmark = pytest.mark.django_db
# Each example runs in a savepoint rolled back at its end, so the examples share one test's fixtures safely.
per_example = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_nothing_half_written() -> None:
    assert not ChannelUser.objects.filter(interactions__isnull=True).exists()
    assert not Interaction.objects.filter(messages__isnull=True).exists()


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (ChannelUser, Interaction, Message, ConsentRecord))


@pytest.fixture
def desk_agent(db):
    return agent()


ACCOUNT = django_settings.WHATSAPP_PHONE_NUMBER_ID
identifiers = st.one_of(edge_text, st.sampled_from(("16505551234", "wamid.A", "wamid.B")))
kinds = st.sampled_from(MessageKind.values)  # the channel's translation chooses one, never the sender
media = st.none() | st.builds(
    InboundMedia, external_id=edge_text, mime_type=edge_text, sha256=edge_text, filename=edge_text, error=edge_text
)
inbound_messages = st.builds(
    InboundMessage,
    channel=st.just("whatsapp"),
    account_id=st.just(ACCOUNT),
    sender_id=identifiers,
    sender_name=edge_text,
    external_id=identifiers,
    sent_at=aware_datetime,
    kind=kinds,
    text=edge_text,
    content=json_object,
    reply_to_external_id=st.none() | identifiers,
    media=media,
    opens_service_window=st.booleans(),
    received_at=st.none() | received_datetime,
)


@per_example
@given(event=inbound_messages)
@example(  # made by another channel than WhatsApp's parser, which cleans the document first
    event=InboundMessage(
        channel="whatsapp", account_id=ACCOUNT, sender_id="1650\x00555", sender_name="\ud800Ana", external_id="w\x00",
        sent_at=datetime(2026, 1, 1, tzinfo=UTC), kind=MessageKind.TEXT, text="a\x00b",
        content={"k\x00": float("nan")}, media=InboundMedia(external_id="\udfff"),
    )
)  # fmt: skip
def test_an_inbound_message_of_any_content_is_recorded_whole(event):
    with rolled_back():
        message = record_inbound_message(event=event)

        assert message is not None
        message.refresh_from_db()
        assert_nothing_half_written()


@per_example
@given(update=st.builds(
    DeliveryStatusUpdate,
    channel=st.just("whatsapp"),
    account_id=st.just(ACCOUNT),
    external_id=identifiers,
    status=st.sampled_from(MessageStatus.values),  # the channel's translation chooses one, never the sender
    occurred_at=aware_datetime,
    correlation_id=st.one_of(edge_text, st.just("outbox-1"), st.integers().map(lambda n: f"outbox-{n}")),
    error_code=edge_text,
    error_title=edge_text,
    error_detail=edge_text,
    details=json_object,
    recipient_signal=st.none() | st.sampled_from(RecipientSignal),
    received_at=st.none() | received_datetime,
))  # fmt: skip
@example(
    update=DeliveryStatusUpdate(
        channel="whatsapp", account_id=ACCOUNT, external_id="wamid.A", status="failed",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC), correlation_id="x" * 512, error_title="y" * 300,
    ),
).via("callback data longer than its column, as another app on the account may send")  # fmt: skip
def test_a_status_of_any_content_is_recorded_once_and_moves_a_message_only_forwards(desk_agent, update):
    with rolled_back():
        sent = send_agent_reply(interaction=InteractionFactory(), author=desk_agent, text="Your order shipped.")
        Message.objects.filter(pk=sent.pk).update(external_id="wamid.A", status=MessageStatus.SENT)

        record_delivery_status(update=update)

        assert DeliveryStatusEvent.objects.count() == 1
        sent.refresh_from_db()
        assert sent.status in MessageStatus.values


@per_example
@given(
    change=st.builds(
        InboundMessageChanged,
        channel=st.just("whatsapp"),
        account_id=st.just(ACCOUNT),
        sender_id=identifiers,
        sender_name=edge_text,
        external_id=identifiers,
        target_external_id=identifiers,
        occurred_at=aware_datetime,
        deleted=st.booleans(),
        new_text=edge_text,
        received_at=st.none() | received_datetime,
    )
)
def test_an_edit_or_deletion_of_any_content_marks_the_message_or_is_noted(change):
    with rolled_back():
        record_inbound_message(
            event=InboundMessage(
                channel="whatsapp", account_id=ACCOUNT, sender_id="16505551234", sender_name="Ana",
                external_id="wamid.A", sent_at=change.occurred_at, kind=MessageKind.TEXT, text="Hello",
            )
        )  # fmt: skip

        record_inbound_message_change(event=change)

        assert_nothing_half_written()


@per_example
@given(
    move=st.builds(
        ChannelUserAddressChanged,
        channel=st.just("whatsapp"),
        account_id=st.just(ACCOUNT),
        old_sender_id=identifiers,
        new_sender_id=identifiers,
        external_id=identifiers,
        occurred_at=aware_datetime,
        notice=edge_text,
        received_at=st.none() | received_datetime,
    ),
    preference=st.builds(
        MarketingPreferenceChanged,
        channel=st.just("whatsapp"),
        account_id=st.just(ACCOUNT),
        sender_id=identifiers,
        stopped=st.booleans(),
        occurred_at=aware_datetime,
        detail=edge_text,
    ),
)
def test_a_new_address_or_a_marketing_preference_of_any_content_never_fails(move, preference):
    with rolled_back():
        for sender_id in ("16505551234", "wamid.A"):
            record_inbound_message(
                event=InboundMessage(
                    channel="whatsapp", account_id=ACCOUNT, sender_id=sender_id, sender_name="Ana",
                    external_id=f"wamid.{sender_id}", sent_at=move.occurred_at, kind=MessageKind.TEXT, text="Hi",
                )
            )  # fmt: skip

        change_channel_user_address(event=move)
        record_marketing_preference_change(event=preference)

        assert_nothing_half_written()


@per_example
@given(text=typed_text, reply_to_id=st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_an_agent_reply_of_any_text_is_queued_or_refused_with_a_reason(desk_agent, text, reply_to_id):
    with rolled_back():
        interaction = InteractionFactory()
        before = _counts()
        try:
            message = send_agent_reply(interaction=interaction, author=desk_agent, text=text, reply_to_id=reply_to_id)
        except ActionRefused as refusal:
            assert refusal.reason
            assert _counts() == before
            return
        message.refresh_from_db()
        assert message.text == text.strip()


template_values = st.one_of(
    st.builds(
        TemplateValues,
        header=st.lists(typed_text, max_size=3).map(tuple),
        body=st.lists(typed_text, max_size=3).map(tuple),
        buttons=st.dictionaries(st.integers(0, 3), st.lists(typed_text, max_size=2).map(tuple), max_size=2),
    ),
)


@per_example
@given(
    text=typed_text,
    template_choice=st.sampled_from(["approved", "none", "unknown"]),
    unknown_template_id=st.integers(min_value=1, max_value=2**63 - 1),
    values=template_values
    | st.builds(  # as many as the approved template (tests/consent_factories.py) has slots
        TemplateValues,
        header=st.tuples(typed_text),
        body=st.tuples(typed_text, typed_text, typed_text),
        buttons=st.fixed_dictionaries({0: st.tuples(typed_text)}),
    ),
    known_customer=st.sampled_from([True, False]),
    opted_in=st.sampled_from([True, False]),
)
def test_starting_a_conversation_with_anything_queues_it_or_refuses_without_a_trace(
    desk_agent, text, template_choice, unknown_template_id, values, known_customer, opted_in
):
    with rolled_back():
        channel_user = ChannelUserFactory(external_id="4915112345678") if known_customer else None
        if channel_user and opted_in:
            record_consent(channel_user=channel_user, status=ConsentStatus.OPTED_IN, method=ConsentMethod.KEYWORD)
        approved = template(channel_user or ChannelUserFactory.build())
        template_id = {"none": None, "approved": approved.pk, "unknown": unknown_template_id}[template_choice]
        before = _counts()
        try:
            start_conversation(
                agent=desk_agent, channel_user=channel_user, text=text, template_id=template_id, values=values
            )
        except ActionRefused as refusal:
            event(f"refused: {refusal.reason[:40]}")
            assert refusal.reason
            assert _counts() == before
            return
        event("queued")
        assert_nothing_half_written()


@per_example
@given(
    content=st.builds(
        SystemMessageContent,
        text=typed_text,
        template_name=typed_text,
        template_language=typed_text,
        template_values=template_values,
    ),
    reason=typed_text,
    key=typed_text,
    recipient=typed_text,
)
@example(
    content=SystemMessageContent(text="Your case is solved."), reason="case", key="k" * 256,
    recipient="1" * 70,
).via("a key longer than its column is refused, not cut into another request's key")  # fmt: skip
def test_a_system_message_of_any_content_is_sent_or_its_refusal_kept(desk_agent, content, reason, key, recipient):
    with rolled_back():
        customer = ChannelUserFactory()
        before = _counts()
        try:
            result = send_system_message(
                channel_user=customer,
                content=content,
                reason=reason,
                idempotency_key=key,
                recipient=recipient,
                requested_by=desk_agent,
            )
        except ActionRefused as refusal:
            assert refusal.reason
            assert _counts() == before
            return
        notification = Notification.objects.get(pk=result.notification.pk)
        if notification.outcome == NotificationOutcome.REFUSED:
            assert notification.refusal_reason
            assert _counts() == before
        else:
            assert_nothing_half_written()


@given(raw=st.one_of(json_value, st.fixed_dictionaries({}, optional={"header": json_value, "body": json_value,
                                                                      "buttons": json_value})))  # fmt: skip
@example(raw={"buttons": {"\u00b2": ["x"]}})  # "²" passes str.isdigit, then fails int()
def test_template_values_are_read_from_any_json_or_refused_with_a_reason(raw):
    try:
        values = TemplateValues.from_json(raw)
    except ActionRefused as refusal:
        assert refusal.reason
        return
    assert all(isinstance(value, str) for part in (values.header, values.body) for value in part)


@per_example
@given(
    status=st.one_of(st.sampled_from(ConsentStatus.values), edge_text),
    method=st.one_of(st.sampled_from(ConsentMethod.values), edge_text),
    scope=st.one_of(st.sampled_from(ConsentScope.values), edge_text),
    note=typed_text,
    language=st.sampled_from(["", "en", "es", "pt_BR"]),
)
def test_a_consent_record_of_any_content_is_kept_or_refused_with_a_reason(desk_agent, status, method, scope, note,
                                                                          language):  # fmt: skip
    with rolled_back():
        try:
            record = record_consent(
                channel_user=ChannelUserFactory(), status=status, method=method, scope=scope, recorded_by=desk_agent,
                note=note, language=language,
            )  # fmt: skip
        except ConsentInvalid as refusal:
            assert refusal.reason
            return
        record.refresh_from_db()


@given(text=edge_text, words=st.lists(edge_text, max_size=4), answers=st.booleans())
@example(text=" ", words=[""], answers=False)  # a blank message is no keyword, even beside a blank rule
def test_a_consent_keyword_is_matched_or_not_for_any_text(text, words, answers):
    rules = [
        KeywordRule(word=word, action=action, language="en")
        for word, action in zip(words, KeywordAction.values * 4, strict=False)
    ]

    match = match_consent_keyword(text=text, rules=rules, answers_opt_in_question=answers)

    assert match is None or match.word


SERIALIZERS = [
    SendTextSerializer,
    SendRichMessageSerializer,
    CloseSerializer,
    RecordConsentSerializer,
    StartConversationSerializer,
    NotificationRequestSerializer,
]


def _reasons(errors: object) -> list[str]:
    if isinstance(errors, dict):
        return [reason for value in errors.values() for reason in _reasons(value)]
    if isinstance(errors, list):
        return [reason for value in errors for reason in _reasons(value)]
    return [str(errors)]


def _storable(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= character <= "\udfff" for character in value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_storable(item) for item in value)
    if isinstance(value, TemplateValues):
        return _storable(value.as_json())
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    return True


@pytest.mark.parametrize("serializer", SERIALIZERS, ids=lambda serializer: serializer.__name__)
@given(data=st.one_of(json_object, json_value))
def test_a_request_body_is_valid_and_storable_or_each_fault_is_named(serializer, data):
    body = serializer(data=data)

    if body.is_valid():
        assert _storable(body.validated_data), body.validated_data
    else:
        assert body.errors and all(reason.strip() for reason in _reasons(body.errors))


@pytest.mark.parametrize("serializer", SERIALIZERS, ids=lambda serializer: serializer.__name__)
@given(data=st.data())
def test_each_field_of_a_request_body_takes_any_json_or_names_its_fault(serializer, data):
    fields = list(serializer().fields)
    body = data.draw(st.fixed_dictionaries({}, optional={name: json_value | edge_number for name in fields}))

    form = serializer(data=body)

    if form.is_valid():
        assert _storable(form.validated_data), form.validated_data
    else:
        assert form.errors and all(reason.strip() for reason in _reasons(form.errors))
