"""Opening cases, commenting on them, linking conversations, and moving them through their states; each state
change is recorded with who made it, and it and each agent's customer-visible comment notify the customer once
they commit, as their notification rules word it (one path: `tell_customer`, with a sweep for a notification whose
task was lost)."""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customer_service.errors import InputRefused, StateRefused
from customer_service.models import (
    Case,
    CaseAttachment,
    CaseComment,
    CaseInteraction,
    CasePriority,
    CaseState,
    CaseStateChange,
    NotificationEvent,
)
from customer_service.models.cases import OPEN_CASE_STATES
from customer_service.services.contacts import contact_for
from customer_service.services.notifications import CustomerNews, customer_name, sweep_from, tell_customer
from customer_service.services.numbering import allocate_number
from interactions.services.timeline import lock_channel_user, lock_interaction
from interactions.storable_text import storable_text

SHORT_DESCRIPTION_LENGTH = Case._meta.get_field("short_description").max_length
# Closed and cancelled cases take no more comments: the customer opens a new one (resolved ones may be reopened).
FINAL_STATES = (CaseState.CLOSED, CaseState.CANCELLED)


@transaction.atomic
def open_case(
    *,
    short_description: str,
    description: str = "",
    channel_user=None,
    contact=None,
    account=None,
    interaction=None,
    opened_by=None,
    attachments: Iterable = (),
    category=None,
    priority: int = CasePriority.MODERATE,
    state: str = CaseState.NEW,
) -> Case:
    """The customer is the channel user (of the interaction, if only that is given), recognised as their contact
    and its account. A short description longer than its column is cut with "…" and kept whole in the
    description: nothing the customer wrote is lost. `attachments` are the customer's `MessageAttachment`s."""
    short_description = storable_text(" ".join((short_description or "").split()))
    description = storable_text(description or "")
    if not short_description:
        raise InputRefused("Say in a few words what the case is about.")
    if state not in CaseState.values:
        raise InputRefused(f"{state!r} is not a case state.")
    if priority not in CasePriority.values:
        raise InputRefused(f"{priority!r} is not a case priority (1 to 4).")
    # The customer before the counter (allocate_number's lock is the last): see services/numbering.py.
    if interaction is not None:
        interaction = lock_interaction(interaction.pk)
    elif channel_user is not None:
        lock_channel_user(channel_user.pk)
    if interaction is not None and channel_user is not None and channel_user.pk != interaction.channel_user_id:
        raise InputRefused("The conversation is another customer's.")
    if channel_user is None and interaction is not None:
        channel_user = interaction.channel_user
    contact = contact or contact_for(channel_user)
    account = account or (contact.account if contact is not None else None)
    if channel_user is None and contact is None and account is None:
        raise InputRefused("A case needs a customer: a channel user, a contact or an account.")
    if len(short_description) > SHORT_DESCRIPTION_LENGTH:
        description = "\n\n".join(part for part in (short_description, description.strip()) if part)
        short_description = short_description[: SHORT_DESCRIPTION_LENGTH - 1] + "…"
    case = Case.objects.create(
        number=allocate_number("CS"),
        short_description=short_description,
        description=description.strip(),
        channel_user=channel_user,
        contact=contact,
        account=account,
        opened_by=opened_by,
        category=category,
        priority=priority,
        state=state,
    )
    CaseStateChange.objects.create(case=case, from_state="", to_state=state, changed_by=opened_by)
    if interaction is not None:
        CaseInteraction.objects.create(case=case, interaction=interaction, linked_by=opened_by)
    _attach(case, attachments, comment=None)
    return case


def open_cases_for(channel_user) -> list[Case]:
    """The customer's cases still in progress, newest first: theirs as a channel user and their contact's."""
    return list(_cases_of(channel_user).filter(state__in=OPEN_CASE_STATES))


def cases_for(channel_user, *, limit: int = 20) -> list[Case]:
    """All the customer's cases, newest first, for the workspace."""
    return list(_cases_of(channel_user)[:limit])


def is_customers_case(case: Case, channel_user) -> bool:
    """Theirs as a channel user, or their contact's: what an agent in their conversation may link or work."""
    if case.channel_user_id == channel_user.pk:
        return True
    contact = contact_for(channel_user)
    return contact is not None and case.contact_id == contact.pk


def _cases_of(channel_user):
    contact = contact_for(channel_user)
    mine = Q(channel_user=channel_user) if contact is None else Q(channel_user=channel_user) | Q(contact=contact)
    return Case.objects.filter(mine).select_related("contact", "account", "category").order_by("-created_at", "-pk")


@transaction.atomic
def add_case_comment(
    case: Case, *, text: str, author=None, internal: bool = False, attachments: Iterable = ()
) -> CaseComment:
    """`author` is the agent; none means the customer wrote it (through the virtual agent). An agent's comment that
    is not `internal` (a work note) is sent to the customer once it commits, as a state change is."""
    attachments = list(attachments)
    text = storable_text((text or "").strip())
    if not text and not attachments:
        raise InputRefused("Write a comment or attach a file.")
    if internal and author is None:
        raise InputRefused("Only agents write work notes.")
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.state in FINAL_STATES:
        raise StateRefused(f"Case {case.number} is {case.get_state_display().lower()}; open a new case instead.")
    comment = CaseComment.objects.create(case=case, text=text, author=author, internal=internal)
    _attach(case, attachments, comment=comment)
    case.save(update_fields=["updated_at"])
    if _tells_the_customer(comment, case):
        comment_id = comment.pk
        transaction.on_commit(lambda: tell_customer(_comment_news(comment_id)), robust=True)
    return comment


def _tells_the_customer(comment: CaseComment, case: Case) -> bool:
    agents_to_customer = comment.author_id is not None and not comment.internal
    return agents_to_customer and bool(comment.text) and case.channel_user_id is not None


def case_comments(case: Case) -> list[CaseComment]:
    """Comments and work notes, oldest first, with their authors: what the workspace shows an agent."""
    return list(case.comments.select_related("author").prefetch_related("attachments"))


@transaction.atomic
def link_case_to_interaction(case: Case, *, interaction, by=None) -> CaseInteraction:
    """Idempotent: linking twice keeps the first link. Only a case of the conversation's customer may be linked."""
    if not is_customers_case(case, interaction.channel_user):
        raise InputRefused(f"Case {case.number} is another customer's.")
    link, _ = CaseInteraction.objects.get_or_create(case=case, interaction=interaction, defaults={"linked_by": by})
    return link


def _attach(case: Case, attachments: Iterable, *, comment: CaseComment | None) -> None:
    for attachment in attachments:
        customer_id = attachment.message.interaction.channel_user_id
        if case.channel_user_id is None or customer_id != case.channel_user_id:
            raise InputRefused("Only files this customer sent can be attached to their case.")
        CaseAttachment.objects.get_or_create(case=case, message_attachment=attachment, defaults={"comment": comment})


@transaction.atomic
def change_case_state(case: Case, *, state: str, by=None) -> Case:
    """Recorded in the history with `by` (the agent; none for the customer or the system). The customer hears of
    it on their channel, if its notification rule is on: the rule's text in their window, else its template."""
    if state not in CaseState.values:
        raise InputRefused(f"{state!r} is not a case state.")
    case = Case.objects.select_for_update(of=("self",)).select_related("channel_user").get(pk=case.pk)
    if case.state == state:
        return case
    CaseStateChange.objects.create(case=case, from_state=case.state, to_state=state, changed_by=by)
    case.state = state
    case.state_changes += 1
    case.save(update_fields=["state", "state_changes", "updated_at"])
    if case.channel_user_id is not None:
        # Robust: the change stands committed whatever befalls its announcement, which the sweep then makes. A
        # lambda, not a partial: Django names a failed robust callback by its __qualname__, which a partial lacks.
        case_id, change, announced_state = case.pk, case.state_changes, case.state
        transaction.on_commit(lambda: tell_customer(_state_news(case_id, change, announced_state)), robust=True)
    return case


def _state_news(case_id: int, state_change: int, state: str) -> CustomerNews:
    """The state this change set (not whatever the case holds by now)."""
    case = Case.objects.select_related("channel_user").get(pk=case_id)
    label = CaseState(state).label.lower()
    return CustomerNews(
        event=NotificationEvent.CASE_STATE_CHANGED,
        channel_user=case.channel_user,
        idempotency_key=_idempotency_key(case.pk, state_change),
        reason=f"Case {case.number} is now {label}",
        values={**_case_values(case), "state": label},
    )


def _comment_news(comment_id: int) -> CustomerNews:
    comment = CaseComment.objects.select_related("case__channel_user").get(pk=comment_id)
    case = comment.case
    return CustomerNews(
        event=NotificationEvent.CASE_COMMENT,
        channel_user=case.channel_user,
        idempotency_key=_comment_idempotency_key(comment.pk),
        reason=f"Comment on case {case.number}",
        values={**_case_values(case), "comment": comment.text},
    )


def _case_values(case: Case) -> dict[str, str]:
    return {
        "customer_name": customer_name(case.channel_user),
        "case_number": case.number,
        "case_description": case.short_description,
    }


def _idempotency_key(case_id: int, state_change: int) -> str:
    return f"case:{case_id}:state-change:{state_change}"


def _comment_idempotency_key(comment_id: int) -> str:
    return f"case-comment:{comment_id}"


def unannounced_case_changes(*, since: timedelta = timedelta(days=1), older_than=timedelta(minutes=2)) -> list[Case]:
    """Cases whose latest state change has no notification on record: its task was lost (or is still queued).
    None while the rule is off, and none changed before it was last switched on."""
    from interactions.models import Notification

    now = timezone.now()
    earliest = sweep_from(NotificationEvent.CASE_STATE_CHANGED, now - since)
    if earliest is None:
        return []
    recent = Case.objects.filter(
        channel_user__isnull=False,
        state_changes__gt=0,
        updated_at__gte=earliest,
        updated_at__lte=now - older_than,
    )
    return [
        case
        for case in recent
        if not Notification.objects.filter(idempotency_key=_idempotency_key(case.pk, case.state_changes)).exists()
    ]


def unannounced_comments(*, since: timedelta = timedelta(days=1), older_than=timedelta(minutes=2)) -> list[int]:
    """Agents' customer-visible comments with no notification on record, oldest first, as ids; as the rule allows."""
    from interactions.models import Notification

    now = timezone.now()
    earliest = sweep_from(NotificationEvent.CASE_COMMENT, now - since)
    if earliest is None:
        return []
    recent = CaseComment.objects.filter(
        author__isnull=False,
        internal=False,
        case__channel_user__isnull=False,
        text__gt="",
        created_at__gte=earliest,
        created_at__lte=now - older_than,
    ).order_by("created_at", "pk")
    ids = list(recent.values_list("pk", flat=True))
    told = set(
        Notification.objects.filter(
            idempotency_key__in=[_comment_idempotency_key(comment_id) for comment_id in ids]
        ).values_list("idempotency_key", flat=True)
    )
    return [comment_id for comment_id in ids if _comment_idempotency_key(comment_id) not in told]


def notify_unannounced_case_changes() -> int:
    """The periodic sweep, for state changes and agents' comments; telling twice is harmless, the idempotency key
    makes the second a no-op."""
    cases = unannounced_case_changes()
    for case in cases:
        tell_customer(_state_news(case.pk, case.state_changes, case.state))
    comment_ids = unannounced_comments()
    for comment_id in comment_ids:
        tell_customer(_comment_news(comment_id))
    return len(cases) + len(comment_ids)
