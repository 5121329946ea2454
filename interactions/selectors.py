"""Reads for the workspace and the API, with their joins and permissions applied once."""

import copy
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
    prefetch_related_objects,
)

from consent.models import ConsentStatus
from consent.policies import ConsentState
from consent.selectors import consent_records_of, consent_state, consent_states
from interactions.audience import visible_interactions
from interactions.links import first_link, url_hash
from interactions.models import (
    OPEN_STATES,
    AttachmentState,
    ChannelUser,
    Direction,
    Interaction,
    LinkPreview,
    LinkPreviewState,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from interactions.roles import may_view_interactions


def interactions_visible_to(user: AbstractBaseUser) -> QuerySet[Interaction]:
    """The interactions the user may see (the audience policy's answer), with what every serializer reads: every
    read of interactions, their messages and files starts here, so another agent's is a 404, never a 403."""
    return visible_interactions(user, Interaction.objects.select_related("channel_user", "assigned_to"))


def open_interactions_for(user: AbstractBaseUser) -> QuerySet[Interaction]:
    return interactions_visible_to(user).filter(state__in=OPEN_STATES)


def received_from(*, channel_user_id) -> QuerySet[Message]:
    """Every message the customer sent us, in any of their interactions (`channel_user_id` may be an `OuterRef`)."""
    return Message.objects.filter(interaction__channel_user_id=channel_user_id, direction=Direction.INBOUND)


def with_reply_facts(interactions: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """What the reply policy judges besides the window, read in the interactions' own query (no query per row):
    the customer's current consent and, after an opt-out only, when they last wrote to us. The serializer's
    `reply` (`services.outreach.shown_reply_decision`) reads these."""
    consent = consent_records_of(channel_user_id=OuterRef("channel_user_id"))
    last_received = received_from(channel_user_id=OuterRef("channel_user_id")).order_by("-created_at")
    return interactions.annotate(
        reply_consent_status=Subquery(consent.values("status")[:1]),
        reply_consent_at=Subquery(consent.values("recorded_at")[:1]),
    ).annotate(
        reply_last_received_at=Case(
            When(reply_consent_status=ConsentStatus.OPTED_OUT, then=Subquery(last_received.values("created_at")[:1])),
            default=None,
        )
    )


def interactions_for_summary(interactions: Iterable[Interaction]) -> list[Interaction]:
    """What `InteractionSerializer` reads besides the rows, for interactions already in hand (the live push of a
    batch of changes): copies with their assigned agents and the facts `with_reply_facts` annotates, one query each
    for all (one more after an opt-out), not per interaction. Copies, so that a later change in the same
    transaction is not judged from facts read before it."""
    interactions = [copy.copy(interaction) for interaction in interactions]
    assigned_to = Interaction._meta.get_field("assigned_to")
    unread = [i for i in interactions if i.assigned_to_id is not None and not assigned_to.is_cached(i)]
    if unread:
        agents = assigned_to.related_model._default_manager.in_bulk({i.assigned_to_id for i in unread})
        for interaction in unread:
            assigned_to.set_cached_value(interaction, agents.get(interaction.assigned_to_id))
    customers = {interaction.channel_user_id for interaction in interactions}
    if len(customers) == 1:  # the plain latest record: the batch's subquery costs more to build than to run
        consents = {pk: consent_state(channel_user_id=pk) for pk in customers}
    else:
        consents = consent_states(channel_user_ids=customers)
    opted_out = [pk for pk, consent in consents.items() if consent.status == ConsentStatus.OPTED_OUT]
    last_received = (
        dict(
            Message.objects.filter(interaction__channel_user_id__in=opted_out, direction=Direction.INBOUND)
            .order_by()
            .values_list("interaction__channel_user_id")
            .annotate(at=Max("created_at"))
        )
        if opted_out
        else {}
    )
    for interaction in interactions:
        consent = consents.get(interaction.channel_user_id) or ConsentState()
        interaction.reply_consent_status = consent.status
        interaction.reply_consent_at = consent.at
        interaction.reply_last_received_at = last_received.get(interaction.channel_user_id)
    return interactions


TIMELINE_PAGE_SIZE = 50
MAX_TIMELINE_PAGE_SIZE = 200
CATCH_UP_LIMIT = 500


def with_timeline_relations(messages: QuerySet[Message]) -> QuerySet[Message]:
    """What `MessageSerializer` reads, in two queries whatever the number of messages (with `with_link_previews`,
    which needs the rows, a third): it reads nothing else.

    The reactions on each message come in order in `reaction_history`; the serializer keeps the latest of each side.
    Give it `interaction.messages`, which hands each row its interaction without a join (`message_for_timeline`
    joins it for a message read alone).
    """
    reactions = Message.objects.filter(kind=MessageKind.REACTION).select_related("author").order_by("sequence")
    return messages.select_related("author", "reply_to__author", "attachment").prefetch_related(
        Prefetch("replies", queryset=reactions, to_attr="reaction_history")
    )


def with_link_previews(messages: Iterable[Message]) -> list[Message]:
    """Puts on each message the preview of its first link as `link_preview` (None until one is asked for), all in
    one query: the workspace then asks only for previews not fetched yet, not once per message it shows."""
    messages = list(messages)
    links = {message.pk: first_link(message.text) for message in messages}
    hashes = {url_hash(url) for url in links.values() if url}
    previews = {preview.url_hash: preview for preview in LinkPreview.objects.filter(url_hash__in=hashes)}
    for message in messages:
        link = links[message.pk]
        message.link_preview = previews.get(url_hash(link)) if link else None
    return messages


def message_for_timeline(*, message_id: int) -> Message:
    """One message as the timeline shows it, read again inside the caller's transaction (so with its own writes)."""
    for message in messages_for_timeline(message_ids=[message_id]):
        return message
    raise Message.DoesNotExist(f"no message {message_id}")


def new_message_for_timeline(message: Message) -> Message:
    """A message just appended, as the timeline shows it, from the row in hand (a copy): nothing can react to it or
    be attached to it before it exists, so only a quoted message's author and its link's preview may need reading
    (for most messages, no query)."""
    message = copy.copy(message)
    message.reaction_history = []
    Message._meta.get_field("attachment").set_cached_value(message, None)
    prefetch_related_objects([message], "author", "reply_to__author")
    return with_link_previews([message])[0]


def messages_for_timeline(*, message_ids: Collection[int]) -> list[Message]:
    """`message_for_timeline` for many messages (the live push of a batch of statuses), in no order: three queries
    for any number, not three per message."""
    messages = Message.objects.select_related("interaction").filter(pk__in=list(message_ids)).order_by()
    return with_link_previews(with_timeline_relations(messages))


def customers_for_display(channel_users: Iterable[ChannelUser]) -> list[ChannelUser]:
    """Customers as lists show them, in three queries for any number: `consent` (their current consent state)
    and `open_interactions` (none or one, where to continue the conversation)."""
    customers = list(channel_users)
    prefetch_related_objects(
        customers,
        Prefetch(
            "interactions", queryset=Interaction.objects.filter(state__in=OPEN_STATES), to_attr="open_interactions"
        ),
    )
    consents = consent_states(channel_user_ids=[customer.pk for customer in customers])
    for customer in customers:
        customer.consent = consents.get(customer.pk) or ConsentState()
    return customers


CUSTOMER_SEARCH_LIMIT = 20


def customers_matching(*, needle: str, digits: str) -> QuerySet[ChannelUser]:
    """Customers whose name holds `needle` or whose number holds `digits` (3 or more), most recently heard from
    first. On PostgreSQL the trigram indexes of migration 0012 answer both without reading every customer."""
    matches = Q(display_name__icontains=needle) if needle else Q()
    if digits and len(digits) >= 3:
        matches |= Q(external_id__contains=digits)
    return ChannelUser.objects.filter(matches).order_by("-last_inbound_at", "-pk")[:CUSTOMER_SEARCH_LIMIT]


def messages_changed_after(*, interaction: Interaction, revision: int) -> QuerySet[Message]:
    """The catch-up read: the messages created or changed since the client's cursor, in the order they changed."""
    return with_timeline_relations(interaction.messages.filter(revision__gt=revision)).order_by("revision")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineChanges:
    messages: list[Message]  # in the order they changed
    revision: int  # the cursor to catch up from next
    more: bool  # stopped at the limit: ask again from `revision`


def timeline_changes(*, interaction: Interaction, after: int, limit: int = CATCH_UP_LIMIT) -> TimelineChanges:
    """At most `limit` changes per answer, so a client back after a long time away does not get a whole busy
    day in one response; a message's revision is unique in its interaction, so the next answer starts exactly
    where this one stopped."""
    changed = with_link_previews(messages_changed_after(interaction=interaction, revision=after)[: limit + 1])
    if len(changed) > limit:
        return TimelineChanges(messages=changed[:limit], revision=changed[limit - 1].revision, more=True)
    return TimelineChanges(messages=changed, revision=interaction.revision, more=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelinePage:
    messages: list[Message]  # oldest first
    earlier: int | None  # the `before` that loads the page before this one; None at the start of the conversation


def timeline_page(
    *, interaction: Interaction, before: int | None = None, size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """The newest `size` messages, or those just before the sequence `before`.

    Keyset paging on the (interaction, sequence) unique index: a page costs the same at the start of a long
    conversation as at its end, and a message arriving meanwhile shifts nothing (an offset would).
    """
    messages = interaction.messages.all()
    if before is not None:
        messages = messages.filter(sequence__lt=before)
    newest_first = with_link_previews(with_timeline_relations(messages).order_by("-sequence")[: size + 1])
    page = newest_first[:size][::-1]
    return TimelinePage(messages=page, earlier=page[0].sequence if len(newest_first) > size else None)


def with_newest_timeline_page(interaction: Interaction) -> Interaction:
    """The detail's messages: its newest page in `timeline_page`, as a `to_attr` prefetch would put it."""
    interaction.timeline_page = timeline_page(interaction=interaction)
    return interaction


def attachment_visible_to(user: AbstractBaseUser, *, message_id: int) -> MessageAttachment | None:
    """A stored file, only for someone who may see the interaction its message belongs to."""
    return (
        MessageAttachment.objects.filter(
            message_id=message_id,
            message__interaction__in=interactions_visible_to(user),
            state=AttachmentState.STORED,
        )
        .exclude(file="")
        .first()
    )


def link_preview_visible_to(user: AbstractBaseUser, *, preview_id: int) -> LinkPreview | None:
    if not may_view_interactions(user):
        return None
    return LinkPreview.objects.filter(pk=preview_id, state=LinkPreviewState.READY).exclude(image="").first()


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    count: int
    oldest_queued_at: datetime | None


def outbox_backlogs(*, channel: str) -> dict[str, OutboxBacklog]:
    """Per account of the channel: the messages waiting to be sent, and when the oldest was queued (one query,
    on the (status, direction) index: the queued are few)."""
    rows = (
        Message.objects.filter(
            status=MessageStatus.QUEUED, direction=Direction.OUTBOUND, interaction__channel_user__channel=channel
        )
        .values("interaction__channel_user__account_id")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
    )
    return {
        row["interaction__channel_user__account_id"]: OutboxBacklog(count=row["count"], oldest_queued_at=row["oldest"])
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class FailureCount:
    error_code: str
    error_title: str
    count: int


def failures_by_error_code(*, channel: str, account_id: str, since: datetime) -> list[FailureCount]:
    """The account's messages that failed since then, counted per channel error code, most frequent first."""
    rows = (
        Message.objects.filter(
            status=MessageStatus.FAILED,
            direction=Direction.OUTBOUND,
            status_at__gte=since,
            interaction__channel_user__channel=channel,
            interaction__channel_user__account_id=account_id,
        )
        .values("error_code")
        .annotate(count=Count("pk"), title=Max("error_title"))
        .order_by("-count", "error_code")
    )
    return [FailureCount(error_code=row["error_code"], error_title=row["title"], count=row["count"]) for row in rows]
