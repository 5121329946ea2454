"""Opening cases and moving them through their states; each change notifies the customer once it commits."""

from functools import partial

from django.db import transaction

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
    case = Case.objects.select_for_update().select_related("channel_user").get(pk=case.pk)
    if case.state == state:
        return case
    case.state = state
    case.state_changes += 1
    case.save(update_fields=["state", "state_changes", "updated_at"])
    transaction.on_commit(partial(_notify_customer, case.pk, case.state_changes))
    return case


def _notify_customer(case_id: int, state_change: int) -> None:
    from interactions.tasks import send_system_message

    case = Case.objects.select_related("channel_user").get(pk=case_id)
    label = case.get_state_display().lower()
    name = case.channel_user.display_name or "there"
    template_name, template_language = CASE_UPDATE_TEMPLATE
    send_system_message.delay(
        channel_user_id=case.channel_user_id,
        reason=f"Case {case.number} is now {label}",
        idempotency_key=f"case:{case.pk}:state-change:{state_change}",
        text=f"Hello {name}, your case {case.number} ({case.title}) is now {label}.",
        template_name=template_name,
        template_language=template_language,
        template_values={"body": [name, case.number, label]},
    )
