"""An agent's own canned responses (admins keep the shared ones in the admin, whose form checks the same rules)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from canned_responses.models import CannedResponse


@transaction.atomic
def save_own_canned_response(
    *, owner: AbstractBaseUser, response: CannedResponse | None = None, **fields: str
) -> CannedResponse:
    """Creates one, or changes one the agent owns; raises Django's ValidationError with every field's reasons
    (an unknown placeholder, a shortcut already theirs in that language)."""
    response = response or CannedResponse(owner=owner)
    if response.owner_id != owner.pk:
        raise PermissionError("Only its owner changes a canned response.")  # the API finds only their own
    for name, value in fields.items():
        setattr(response, name, value)
    response.full_clean()
    response.save()
    return response
