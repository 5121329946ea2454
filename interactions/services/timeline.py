"""Appending to and changing an interaction's timeline, with the revision clients catch up from.

The lock order. A transaction that locks more than one row takes them in this order, never the reverse:

    channel user → interaction (any of that channel user's) → message → its attachment, its delivery attempts

(Two channel users, as a merge after a number change takes them: in primary-key order.)

The inbound path has to start at the channel user: it finds or opens the interaction under the channel user's
lock. So every path that starts at an interaction (a reply, a status, a close, a download settling) locks its
channel user first, through `lock_interaction`; it may then write the channel user too (a number reported
unreachable). Holding the channel user also serialises a customer's interactions among themselves, so a reaction
to a message of an earlier interaction may lock that one second. A query that joins rows it must not lock says
`select_for_update(of=("self",))`. Rows locked on their own (an outbox message being planned, a webhook delivery,
a listener run, a case) are never held while waiting for another lock. `interactions/tests/test_lock_order.py`
races the paths on PostgreSQL.
"""

from collections.abc import Callable, Collection, Sequence
from contextlib import nullcontext

from django.db import connection, transaction

from interactions.live import (
    broadcast_on_commit,
    interaction_changed,
    interactions_changed,
    message_added,
    message_changed,
    messages_changed,
)
from interactions.models import ChannelUser, Direction, Interaction, Message

PREVIEW_LENGTH = 140

# Told of every saved message change (each with its locked interaction, the fields saved, and each message's status
# before the change: given by the callers that change a status, else its current one) inside its transaction, for
# what must commit with it (an outbox row); quick, and catching its own errors. Registered at start-up.
MessageChangeRecorder = Callable[[Sequence[tuple[Interaction, Message]], Collection[str], Sequence[str]], None]
_message_change_recorders: list[MessageChangeRecorder] = []


def register_message_change_recorder(recorder: MessageChangeRecorder) -> None:
    if recorder not in _message_change_recorders:
        _message_change_recorders.append(recorder)


def _record_message_changes(
    changes: Sequence[tuple[Interaction, Message]], fields: Collection[str], previous_statuses: Sequence[str]
) -> None:
    previous = list(previous_statuses) or [message.status for _, message in changes]
    for recorder in _message_change_recorders:
        recorder(changes, fields, previous)


def lock_channel_user(channel_user_id: int) -> ChannelUser:
    """The first lock of any change to a customer's conversations (see the lock order above)."""
    return ChannelUser.objects.select_for_update().get(pk=channel_user_id)


def lock_interaction(interaction_id: int) -> Interaction:
    """Locks the interaction's channel user, then the interaction: the order above, gap-free revisions.

    A merge of two customers (a number change) moves interactions to the surviving channel user and deletes the
    other while holding both; whoever waited for the deleted one reads the interaction's customer again. Once its
    channel user is held, an interaction cannot change hands. The channel user read along with it is current.
    """
    for _ in range(5):
        channel_user_id = Interaction.objects.values_list("channel_user_id", flat=True).get(pk=interaction_id)
        held = list(ChannelUser.objects.select_for_update().filter(pk=channel_user_id).values_list("pk", flat=True))
        if held:  # else it was merged away while we waited
            return (
                Interaction.objects.select_for_update(of=("self",))
                .select_related("channel_user")
                .get(pk=interaction_id)
            )
    raise RuntimeError(f"interaction {interaction_id} kept changing customers while waiting for its lock")


def lock_interactions_of_messages(message_ids: Collection[int]) -> dict[int, Interaction]:
    """`lock_interaction` for the interactions of many messages at once (a batch of statuses): their channel users,
    then the interactions, each kind in id order; returns the interactions, by id, with their channel users.

    Should a merge move one of them to another customer while we wait, that customer is locked too and the lot read
    again (out of id order then: were that to deadlock, PostgreSQL ends one side and the task is retried).
    """
    held: set[int] = set()
    for _ in range(5):
        of_messages = Interaction.objects.filter(messages__pk__in=list(message_ids))
        owners = dict(of_messages.values_list("pk", "channel_user_id").distinct())
        held |= set(
            ChannelUser.objects.select_for_update()
            .filter(pk__in=set(owners.values()) - held)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        interactions = {
            interaction.pk: interaction
            for interaction in Interaction.objects.select_for_update(of=("self",))
            .select_related("channel_user")
            .filter(pk__in=list(owners))
            .order_by("pk")
        }
        if all(interaction.channel_user_id in held for interaction in interactions.values()):
            return interactions
    raise RuntimeError("interactions kept changing customers while waiting for their locks")


def append_message(*, interaction: Interaction, in_savepoint: bool = True, **fields) -> Message:
    """Adds a message at the end of a locked interaction's timeline, and counts it as unread or not.
    Raises IntegrityError on a duplicate.

    The insert runs in a savepoint so that a duplicate leaves the interaction's counters untouched; a caller whose
    whole transaction ends on a duplicate anyway (an inbound message) saves the savepoint's two statements.
    """
    with transaction.atomic() if in_savepoint else nullcontext():
        message = Message.objects.create(
            interaction=interaction,
            sequence=interaction.last_sequence + 1,
            revision=interaction.revision + 1,
            **fields,
        )
    interaction.last_sequence += 1
    interaction.revision += 1
    if message.direction == Direction.INTERNAL:
        # A note is not conversation with the customer: the list's order, preview and unread count stay theirs.
        interaction.save(update_fields=["last_sequence", "revision"])
        broadcast_on_commit(message_added(message), interaction_changed(interaction))
        return message
    if message.direction == Direction.INBOUND:
        interaction.unread_count += 1
    elif message.author_id is not None:
        interaction.unread_count = 0  # an agent who writes has read what came before
    interaction.last_message_at = max(filter(None, [interaction.last_message_at, message.sent_at]))
    interaction.last_message_preview = {
        "direction": message.direction,
        "kind": message.kind,
        "text": message.text[:PREVIEW_LENGTH],
    }
    interaction.save(
        update_fields=[
            "last_sequence",
            "revision",
            "last_message_at",
            "last_message_preview",
            "unread_count",
        ]
    )
    broadcast_on_commit(message_added(message), interaction_changed(interaction))
    return message


def save_interaction_change(interaction: Interaction, *, fields: Sequence[str] = ()) -> None:
    """Saves a change to a locked interaction (its state, its agent, or a record that belongs to it such as a
    wrap-up) with the next revision, pushed once it commits: whoever has it open catches up from the revision."""
    interaction.revision += 1
    interaction.save(update_fields=[*fields, "revision"])
    broadcast_on_commit(interaction_changed(interaction))


def save_message_changes(
    changes: Sequence[tuple[Interaction, Message]], *, fields: list[str], previous_statuses: Sequence[str] = ()
) -> None:
    """`save_message_change` for many messages of locked interactions: each message gets the next revision of its
    own interaction, each interaction is saved once; one push per message, one per interaction (its latest state).
    `previous_statuses`, one per change, when the change moves statuses."""
    interactions: dict[int, Interaction] = {}
    for interaction, message in changes:
        interaction.revision += 1
        message.revision = interaction.revision
        interactions[interaction.pk] = interaction
    _save_messages([message for _, message in changes], fields=[*fields, "revision"])
    _record_message_changes(changes, fields, previous_statuses)
    for interaction in interactions.values():
        interaction.save(update_fields=["revision"])
    broadcast_on_commit(
        *messages_changed([message for _, message in changes]), *interactions_changed(interactions.values())
    )


def _save_messages(messages: list[Message], *, fields: list[str]) -> None:
    """On PostgreSQL one UPDATE … FROM (VALUES …) for all (Django's bulk_update builds a CASE per field and row,
    which costs more CPU than the statements it saves); elsewhere a plain UPDATE per row."""
    if connection.vendor != "postgresql" or len(messages) < 2:
        for message in messages:
            message.save(update_fields=fields)
        return
    columns = [Message._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    rows = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(messages))
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}" for field in columns
    )
    names = ", ".join(quote(field.column) for field in columns)
    parameters = [
        value
        for message in messages
        for value in (
            message.pk,
            *(field.get_db_prep_save(getattr(message, field.attname), connection) for field in columns),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Message._meta.db_table)} AS m SET {assignments} "
            f"FROM (VALUES {rows}) AS v(id, {names}) WHERE m.id = v.id",
            parameters,
        )


def save_message_change(
    *, interaction: Interaction, message: Message, fields: list[str], previous_status: str = ""
) -> None:
    """Saves a change to a message of a locked interaction and gives it the next revision; `previous_status` when
    the change moves its status (the status it had)."""
    interaction.revision += 1
    interaction.save(update_fields=["revision"])
    message.revision = interaction.revision
    message.save(update_fields=[*fields, "revision"])
    _record_message_changes([(interaction, message)], fields, [previous_status or message.status])
    broadcast_on_commit(message_changed(message), interaction_changed(interaction))
