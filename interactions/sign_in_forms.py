"""What the workspace's and the admin's sign-in forms share: refusing a username and address locked out after
repeated failures (interactions/login_attempts.py). The forms themselves add the second factor (security/sign_in.py);
a refusal with the code "invalid_login" from any form below this mixin counts as a failed sign-in."""

from django.conf import settings
from django.core.exceptions import ValidationError

from audit.models import AuditAction
from audit.services import record_audit_entry
from interactions.login_attempts import (
    SignInAttempt,
    first_refusal_while_locked,
    forget_failed_sign_ins,
    record_failed_sign_in,
    sign_in_is_locked,
)


class LockoutMixin:
    lockout_message = (
        "Too many failed sign-ins from your address. Try again in %(minutes)s minutes, or ask an admin to reset your "
        "password."
    )

    def clean(self) -> dict:
        attempt = SignInAttempt.from_request(self.request, self.cleaned_data.get("username") or "")
        if attempt.username and sign_in_is_locked(attempt):
            if first_refusal_while_locked(attempt):
                record_audit_entry(
                    action=AuditAction.LOGIN_FAILED,
                    target_label=attempt.username,
                    details={"refused": "locked out"},
                    request=self.request,
                )
            raise ValidationError(
                self.lockout_message, code="locked_out", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        try:
            cleaned = super().clean()
        except ValidationError as refusal:
            if refusal.code == "invalid_login":
                record_failed_sign_in(attempt)
            raise
        forget_failed_sign_ins(attempt)
        return cleaned
