"""The queries the desk runs most, on a PostgreSQL database filled fast enough to show their plans.

Shared by `bench/explain_hot_queries.py` (100k interactions, plans printed) and the test that asserts, on fewer
rows, that each one is answered from an index (interactions/tests/test_hot_query_plans.py). The SQL explained is
the SQL the selectors and services really run, captured while they run, so a plan cannot drift from the code.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.sql_fill import insert_series, next_id
from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
from interactions.api.outreach import channel_user_for_number
from interactions.models import (
    OPEN_STATES,
    ChannelUser,
    DeliveryStatusEvent,
    Direction,
    Interaction,
    InteractionState,
    LinkPreview,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from interactions.roles import AGENT
from interactions.selectors import (
    interactions_visible_to,
    open_interactions_for,
    timeline_changes,
    timeline_page,
    with_reply_facts,
)
from interactions.services.media import pending_media_needing_download
from interactions.services.outbound import queued_messages_needing_delivery

OPEN_SHARE = 0.03  # of interactions still open: the workspace list is a small slice of a large table
LONG_TIMELINE = 3000  # messages in one long-running interaction, the one that is paged
PREVIEWED = "https://shop.example/items/"  # every tenth message of it links here, and every link has its preview
ACCOUNT = "100000000000001"  # the one business number every customer wrote to


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    reader: models.Model  # an agent
    long_interaction: Interaction
    customer_external_id: str
    message_external_id: str


def _message_mix(
    *, first_id: int, position: str, authors: tuple[int, int], previews: int, first_position: int = 1
) -> dict[str, str]:
    """Columns of a message at `position` (SQL, from 1) of its timeline, with id `first_id + i - 1`: a cycle of
    ten as a busy conversation reads, texts both ways, an image and a document, an inbound and an outbound
    reaction to the same message, a quote, a link with its preview, every status an outbound message takes.
    Messages from `first_position` on are in this insert; a reply never points before it."""
    cycle = f"mod({position}, 10)"
    previous = f"{first_id} + i - 2"  # the id of the message before it in the same timeline
    kind = (
        f"CASE {cycle} WHEN 3 THEN '{MessageKind.IMAGE}' WHEN 8 THEN '{MessageKind.DOCUMENT}' "
        f"WHEN 5 THEN '{MessageKind.REACTION}' WHEN 6 THEN '{MessageKind.REACTION}' ELSE '{MessageKind.TEXT}' END"
    )
    inbound = f"mod({position}, 2) = 1"
    return {
        "id": f"{first_id} + i - 1",
        "direction": f"CASE WHEN {inbound} THEN '{Direction.INBOUND}' ELSE '{Direction.OUTBOUND}' END",
        "kind": kind,
        "text": f"CASE {cycle} WHEN 5 THEN '' WHEN 6 THEN '' "
        f"WHEN 0 THEN 'Is this one still in stock? {PREVIEWED}' || (1 + mod(i, {max(previews, 1)})) "
        f"WHEN 7 THEN 'Yes, the one you asked about ships tomorrow.' "
        f"ELSE 'Hello, a question about my order number ' || i END",
        "content": f'CASE {cycle} WHEN 5 THEN \'{{"emoji": "👍"}}\'::jsonb '
        f"WHEN 6 THEN '{{\"emoji\": \"❤️\"}}'::jsonb ELSE '{{}}'::jsonb END",
        # The reactions both answer the message before the inbound one (so it has one from each side); the quote
        # quotes the message before it.
        "reply_to_id": f"CASE WHEN {cycle} = 5 AND {position} > {first_position} THEN {previous} "
        f"WHEN {cycle} = 6 AND {position} > {first_position + 1} THEN {first_id} + i - 3 "
        f"WHEN {cycle} = 7 AND {position} > {first_position} THEN {previous} END",
        "author_id": f"CASE WHEN {inbound} THEN NULL WHEN mod(i, 4) = 0 THEN {authors[0]} ELSE {authors[1]} END",
        "external_id": "'wamid.fill' || i",
        "status": f"CASE WHEN {inbound} THEN '{MessageStatus.RECEIVED}' WHEN mod(i, 97) = 0 THEN "
        f"'{MessageStatus.FAILED}' WHEN mod(i, 7) = 0 THEN '{MessageStatus.DELIVERED}' "
        f"ELSE '{MessageStatus.READ}' END",
        "error_code": "CASE WHEN mod(i, 97) = 0 AND mod(i, 2) = 0 THEN '131047' ELSE '' END",
        "sent_at": "now() - (i || ' seconds')::interval",
    }


def fill(*, interactions: int, messages_per_interaction: int = 4) -> Sample:
    """Customers with a few interactions each, most closed; messages of every shape the timeline shows
    (`_message_mix`) with external ids, delivery statuses, files and link previews; some customers opted in or out;
    and one long interaction. Then ANALYZE, so the planner knows the sizes."""
    customers = max(interactions // 2, 1)
    open_count = max(int(interactions * OPEN_SHARE), 1)
    first_open = interactions - open_count + 1  # the newest interactions are the open ones, one per customer
    previews = max(interactions // 2, 1)
    reader, _ = get_user_model().objects.get_or_create(username="explain-reader")
    colleague, _ = get_user_model().objects.get_or_create(username="explain-colleague", first_name="Kim")
    for agent in (reader, colleague):
        agent.groups.add(Group.objects.get_or_create(name=AGENT)[0])
    insert_series(
        ChannelUser,
        customers,
        {
            "channel": "'whatsapp'",
            "account_id": f"'{ACCOUNT}'",
            "external_id": "(15550000000 + i)::text",
            "display_name": "'Customer ' || i",
            "last_inbound_at": "now() - (i || ' seconds')::interval",
        },
    )
    first_customer = ChannelUser.objects.order_by("pk").values_list("pk", flat=True).first()
    per = messages_per_interaction
    insert_series(
        Interaction,
        interactions,
        {
            "number": "'IMS' || lpad(i::text, 10, '0')",
            "subtype": "'whatsapp'",
            "state": f"CASE WHEN i >= {first_open} THEN "
            f"(CASE WHEN mod(i, 2) = 0 THEN '{InteractionState.NEW}' ELSE '{InteractionState.WORK_IN_PROGRESS}' END) "
            f"ELSE '{InteractionState.CLOSED_COMPLETE}' END",
            "channel_user_id": f"{first_customer} + mod(i - 1, {customers})",
            "assigned_to_id": f"CASE WHEN mod(i, 3) = 0 THEN {reader.pk} WHEN mod(i, 3) = 1 THEN {colleague.pk} END",
            "opened_at": f"now() - (({interactions} - i) || ' minutes')::interval",
            "last_message_at": f"now() - (({interactions} - i) || ' minutes')::interval",
            "last_message_preview": "jsonb_build_object('direction', 'inbound', 'kind', 'text', 'text', "
            "'Hello, a question about my order number ' || i)",
            "unread_count": "mod(i, 4)",
            "revision": str(per),
            "last_sequence": str(per),
        },
    )
    first_interaction = Interaction.objects.order_by("pk").values_list("pk", flat=True).first()
    first_message = next_id(Message)
    authors = (reader.pk, colleague.pk)
    insert_series(
        Message,
        interactions * per,
        {
            "interaction_id": f"{first_interaction} + (i - 1) / {per}",
            "sequence": f"1 + mod(i - 1, {per})",
            "revision": f"1 + mod(i - 1, {per})",
            **_message_mix(
                first_id=first_message, position=f"(1 + mod(i - 1, {per}))", authors=authors, previews=previews
            ),
        },
    )
    long_interaction = Interaction.objects.get(pk=first_interaction + first_open - 1)
    long_first = next_id(Message)
    insert_series(
        Message,
        LONG_TIMELINE,
        {
            "interaction_id": str(long_interaction.pk),
            "sequence": "i",
            "revision": "i",
            **_message_mix(
                first_id=long_first - per, position="i", authors=authors, previews=previews, first_position=per + 1
            ),
            "external_id": "'wamid.long' || i",
        },
        start=per + 1,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Message._meta.db_table,
                       long_first + LONG_TIMELINE - 1])  # fmt: skip
    Interaction.objects.filter(pk=long_interaction.pk).update(
        last_sequence=per + LONG_TIMELINE, revision=per + LONG_TIMELINE
    )
    insert_series(
        LinkPreview,
        previews,
        {
            "url": f"'{PREVIEWED}' || i",
            "url_hash": f"encode(sha256(('{PREVIEWED}' || i)::bytea), 'hex')",
            "state": "'ready'",
            "title": "'Item ' || i",
            "description": "'A thing you can buy, number ' || i",
            "site_name": "'Shop'",
        },
    )
    insert_series(
        DeliveryStatusEvent,
        interactions * per // 2,
        {
            "channel": "'whatsapp'",
            "account_id": f"'{ACCOUNT}'",
            "external_id": "'wamid.fill' || (i * 2)",
            "status": "'delivered'",
            "occurred_at": "now()",
        },
    )
    media = f"{connection.ops.quote_name(Message._meta.db_table)}"
    insert_series(
        MessageAttachment,
        0,
        {
            "message_id": "i",
            "state": "CASE WHEN mod(i, 500) = 0 THEN 'pending' ELSE 'stored' END",
            "file": "CASE WHEN mod(i, 500) = 0 THEN '' ELSE 'messageattachment/' || i || '.jpg' END",
            "mime_type": f"CASE kind WHEN '{MessageKind.IMAGE}' THEN 'image/jpeg' ELSE 'application/pdf' END",
            "size": "20000 + mod(i, 100000)",
            "filename": f"CASE kind WHEN '{MessageKind.DOCUMENT}' THEN 'invoice-' || i || '.pdf' ELSE '' END",
            "updated_at": "now() - interval '1 hour'",
        },
        rows=f"(SELECT id AS i, kind FROM {media} WHERE kind IN ('{MessageKind.IMAGE}', '{MessageKind.DOCUMENT}')) m",
    )
    insert_series(
        ConsentRecord,
        customers // 5,
        {
            "channel_user_id": f"{first_customer} + (i - 1) * 5",
            "status": f"CASE WHEN mod(i, 10) = 0 THEN '{ConsentStatus.OPTED_OUT}' ELSE '{ConsentStatus.OPTED_IN}' END",
            "method": f"'{ConsentMethod.KEYWORD}'",
            "recorded_at": "now() - (i || ' minutes')::interval",
        },
    )
    with connection.cursor() as cursor:
        for model in (ChannelUser, Interaction, Message, DeliveryStatusEvent, MessageAttachment, LinkPreview,
                      ConsentRecord):  # fmt: skip
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    long_interaction.refresh_from_db()
    return Sample(
        reader=reader,
        long_interaction=long_interaction,
        customer_external_id=str(15550000000 + customers // 2),
        message_external_id=f"wamid.fill{interactions * per // 2}",
    )


def hot_queries(sample: Sample) -> dict[str, Callable[[], object]]:
    """Each entry runs one read as the desk runs it."""
    reader, long_interaction = sample.reader, sample.long_interaction
    return {
        # With whether an agent may reply to each (the customer's consent, and after a STOP when they last wrote).
        "workspace list: open interactions, newest activity first": lambda: list(
            with_reply_facts(open_interactions_for(reader))[:200]
        ),
        "workspace list: how many are open": lambda: open_interactions_for(reader).count(),
        "closed interactions, newest first": lambda: list(
            interactions_visible_to(reader).filter(state=InteractionState.CLOSED_COMPLETE)[:50]
        ),
        "a customer's interactions by wa_id": lambda: list(
            interactions_visible_to(reader).filter(
                channel_user__channel="whatsapp", channel_user__external_id=sample.customer_external_id
            )
        ),
        "a customer by number alone": lambda: channel_user_for_number(sample.customer_external_id),
        "a customer's open interaction": lambda: Interaction.objects.filter(
            channel_user__external_id=sample.customer_external_id, state__in=OPEN_STATES
        ).first(),
        "timeline: newest page with quotes and reactions": lambda: timeline_page(interaction=long_interaction),
        "timeline: an earlier page": lambda: timeline_page(
            interaction=long_interaction, before=long_interaction.last_sequence - 1000
        ),
        "timeline: catch-up after a revision": lambda: timeline_changes(
            interaction=long_interaction, after=long_interaction.revision - 5
        ),
        "webhook: a message by the channel's id": lambda: Message.objects.filter(
            external_id=sample.message_external_id
        ).first(),
        "webhook: statuses that came before their message": lambda: list(
            DeliveryStatusEvent.objects.filter(
                channel="whatsapp", account_id=ACCOUNT, external_id=sample.message_external_id
            )
        ),
        "outbox: queued messages whose task was lost": lambda: queued_messages_needing_delivery(
            now=timezone.now() + timedelta(minutes=5)
        ),
        "media: downloads whose task was lost": pending_media_needing_download,
    }


def explained(run: Callable[[], object]) -> Iterator[tuple[str, str]]:
    """(SQL, plan) for every statement on our tables that `run` executes."""
    with CaptureQueriesContext(connection) as captured:
        run()
    for query in captured.captured_queries:
        sql = query["sql"]
        if '"interactions_' not in sql:
            continue  # the permission check's auth tables: a handful of rows
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            yield sql, "\n".join(row[0] for row in cursor.fetchall())


def fill_and_vacuum(*, interactions: int, messages_per_interaction: int) -> Sample:
    """`fill` in one transaction, then VACUUM ANALYZE outside it: index-only scans need the visibility maps that
    only a vacuum writes, and a benchmark on a freshly filled table would otherwise read the heap."""
    with transaction.atomic():
        sample = fill(interactions=interactions, messages_per_interaction=messages_per_interaction)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return sample
