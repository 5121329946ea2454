"""Opening cases and moving them through their states; each change notifies the customer once it commits."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from customer_service.models import Case, CaseState

# An approved utility template with three body values: the customer's name, the case number and its new state.
CASE_UPDATE_TEMPLATE = ("case_update", "en_US")


@transaction.atomic
def open_case(*, channel_user, title: str, state: str = CaseState.NEW) -> Case:
    case = Case.objects.create(channel_user=channel_user, title=title.strip(), state=state)
    case.number = f"CS{case.pk + 1000:07d}"
    case.save(update_fields=["number"])
    return case


@transaction.atomic
def change_case_state(*, case: Case, state: str) -> Case:
    """The customer hears of the change on WhatsApp: free-form in their window, else the case template."""
    if state not in CaseState.values:
        raise ValueError(f"{state!r} is not a case state")
    case = Case.objects.select_for_update(of=("self",)).select_related("channel_user").get(pk=case.pk)
    if case.state == state:
        return case
    case.state = state
    case.state_changes += 1
    case.save(update_fields=["state", "state_changes", "updated_at"])
    transaction.on_commit(partial(_notify_customer, case.pk, case.state_changes, case.state))
    return case


def _idempotency_key(case_id: int, state_change: int) -> str:
    return f"case:{case_id}:state-change:{state_change}"


def _notify_customer(case_id: int, state_change: int, state: str) -> None:
    """Announces the state this change set (not whatever the case holds by now), once per change."""
    from interactions.task_queue import enqueue_task
    from interactions.tasks import send_system_message

    case = Case.objects.select_related("channel_user").get(pk=case_id)
    label = CaseState(state).label.lower()
    name = case.channel_user.display_name or "there"
    template_name, template_language = CASE_UPDATE_TEMPLATE
    # The state change is committed; if the broker is down, the sweep announces it when it is back.
    enqueue_task(
        send_system_message,
        channel_user_id=case.channel_user_id,
        reason=f"Case {case.number} is now {label}",
        idempotency_key=_idempotency_key(case.pk, state_change),
        text=f"Hello {name}, your case {case.number} ({case.title}) is now {label}.",
        template_name=template_name,
        template_language=template_language,
        template_values={"body": [name, case.number, label]},
    )


def unannounced_case_changes(*, since: timedelta = timedelta(days=1), older_than=timedelta(minutes=2)) -> list[Case]:
    """Cases whose latest state change has no notification on record: its task was lost (or is still queued)."""
    from interactions.models import Notification

    now = timezone.now()
    recent = Case.objects.filter(state_changes__gt=0, updated_at__gte=now - since, updated_at__lte=now - older_than)
    return [
        case
        for case in recent
        if not Notification.objects.filter(idempotency_key=_idempotency_key(case.pk, case.state_changes)).exists()
    ]


def notify_unannounced_case_changes() -> int:
    """The periodic sweep; announcing twice is harmless, the idempotency key makes the second a no-op."""
    cases = unannounced_case_changes()
    for case in cases:
        _notify_customer(case.pk, case.state_changes, case.state)
    return len(cases)
