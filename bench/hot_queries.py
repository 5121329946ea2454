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
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interactions.api.outreach import channel_user_for_number
from interactions.models import (
    OPEN_STATES,
    ChannelUser,
    DeliveryStatusEvent,
    Interaction,
    InteractionState,
    LinkPreview,
    Message,
    MessageAttachment,
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


def _insert_series(model: type[models.Model], count: int, values: dict[str, str], *, start: int = 1) -> None:
    """INSERT … SELECT over generate_series: one statement for any number of rows. `values` maps columns to SQL
    expressions of the series value `i`; every other column gets its field's default, so a column added to the
    model later does not break the fill."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expressions.append(values[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        elif field.has_default() or not field.null:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            expressions.append("NULL")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM generate_series({int(start)}, {int(start) + int(count) - 1}) AS i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def fill(*, interactions: int, messages_per_interaction: int = 4) -> Sample:
    """Customers with a few interactions each, most closed; messages in both directions with external ids, delivery
    statuses and attachments; and one long interaction. Then ANALYZE, so the planner knows the sizes."""
    customers = max(interactions // 2, 1)
    open_count = max(int(interactions * OPEN_SHARE), 1)
    first_open = interactions - open_count + 1  # the newest interactions are the open ones, one per customer
    _insert_series(
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
    _insert_series(
        Interaction,
        interactions,
        {
            "number": "'IMS' || lpad(i::text, 10, '0')",
            "subtype": "'whatsapp'",
            "state": f"CASE WHEN i >= {first_open} THEN "
            f"(CASE WHEN mod(i, 2) = 0 THEN '{InteractionState.NEW}' ELSE '{InteractionState.WORK_IN_PROGRESS}' END) "
            f"ELSE '{InteractionState.CLOSED_COMPLETE}' END",
            "channel_user_id": f"{first_customer} + mod(i - 1, {customers})",
            "opened_at": f"now() - (({interactions} - i) || ' minutes')::interval",
            "last_message_at": f"now() - (({interactions} - i) || ' minutes')::interval",
            "revision": str(messages_per_interaction),
            "last_sequence": str(messages_per_interaction),
        },
    )
    first_interaction = Interaction.objects.order_by("pk").values_list("pk", flat=True).first()
    per = messages_per_interaction
    _insert_series(
        Message,
        interactions * per,
        {
            "interaction_id": f"{first_interaction} + (i - 1) / {per}",
            "sequence": f"1 + mod(i - 1, {per})",
            "revision": f"1 + mod(i - 1, {per})",
            "direction": "CASE WHEN mod(i, 2) = 1 THEN 'inbound' ELSE 'outbound' END",
            "text": "'message ' || i",
            "external_id": "'wamid.fill' || i",
            "status": "CASE WHEN mod(i, 2) = 1 THEN 'received' ELSE 'read' END",
            "sent_at": "now() - (i || ' seconds')::interval",
        },
    )
    long_interaction = Interaction.objects.get(pk=first_interaction + first_open - 1)
    _insert_series(
        Message,
        LONG_TIMELINE,
        {
            "interaction_id": str(long_interaction.pk),
            "sequence": "i",
            "revision": "i",
            "direction": "CASE WHEN mod(i, 2) = 1 THEN 'inbound' ELSE 'outbound' END",
            "text": f"'a long conversation ' || i || CASE WHEN mod(i, 10) = 0 THEN ' {PREVIEWED}' || i ELSE '' END",
            "status": "CASE WHEN mod(i, 2) = 1 THEN 'received' ELSE 'read' END",
            "sent_at": "now() - (i || ' seconds')::interval",
        },
        start=per + 1,
    )
    Interaction.objects.filter(pk=long_interaction.pk).update(
        last_sequence=per + LONG_TIMELINE, revision=per + LONG_TIMELINE
    )
    _insert_series(
        LinkPreview,
        interactions // 2,
        {
            "url": f"'{PREVIEWED}' || i",
            "url_hash": f"encode(sha256(('{PREVIEWED}' || i)::bytea), 'hex')",
            "state": "'ready'",
            "title": "'Item ' || i",
        },
    )
    first_message = Message.objects.order_by("pk").values_list("pk", flat=True).first()
    _insert_series(
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
    _insert_series(
        MessageAttachment,
        interactions * per // 10,
        {
            "message_id": f"{first_message} + i * 10",
            "state": "CASE WHEN mod(i, 500) = 0 THEN 'pending' ELSE 'stored' END",
            "file": "'messageattachment/' || i || '.jpg'",
            "mime_type": "'image/jpeg'",
            "updated_at": "now() - interval '1 hour'",
        },
    )
    with connection.cursor() as cursor:
        for model in (ChannelUser, Interaction, Message, DeliveryStatusEvent, MessageAttachment, LinkPreview):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    reader, _ = get_user_model().objects.get_or_create(username="explain-reader")
    reader.groups.add(Group.objects.get_or_create(name=AGENT)[0])
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
