"""The workspace's and the admin's sign-in forms: the lockout (interactions/sign_in_forms.py) around the password
and, for whoever has enrolled, the authenticator code (security/two_factor.py). A wrong code is refused like a wrong
password, so it counts towards the lockout and is a failed sign-in in the audit log."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from interactions.sign_in_forms import LockoutMixin
from security.two_factor import code_is_right, enrolled_device


class SecondFactorMixin:
    code_message = "Enter the current 6-digit code from your authenticator app."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"] = forms.CharField(
            label="Authenticator code",
            required=False,
            max_length=12,
            help_text="Only if you turned on two-factor sign-in.",
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )

    def clean(self) -> dict:
        cleaned = super().clean()  # the password first
        device = enrolled_device(self.get_user())
        if device is not None:
            if not code_is_right(device, self.cleaned_data.get("otp_token") or ""):
                user_login_failed.send(
                    sender=__name__, credentials={"username": self.cleaned_data.get("username")}, request=self.request
                )
                raise ValidationError(self.code_message, code="invalid_login")
            self.request.verified_otp_device = device  # security/two_factor.py: remember_verified_device
        return cleaned


class TwoFactorSignInForm(LockoutMixin, SecondFactorMixin, AuthenticationForm):
    pass


class TwoFactorAdminSignInForm(LockoutMixin, SecondFactorMixin, AdminAuthenticationForm):
    pass
