"""Two-factor sign-in with a TOTP authenticator app (django-otp). Optional for everyone; once a person has enrolled,
every sign-in (workspace and admin) asks for the current code. With TWO_FACTOR_REQUIRED_FOR_ADMINS, an admin who
has not enrolled yet is sent to enrol before any page opens (security/middleware.py).

A wrong code counts as a failed sign-in, so guessing codes meets the same lockout as guessing passwords."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import record_audit_entry
from interactions.login_attempts import SignInAttempt, forget_failed_sign_ins, record_failed_sign_in, sign_in_is_locked
from interactions.roles import ADMIN

DEVICE_NAME = "Authenticator app"


def enrolled_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_enrolled(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_enrol(user: AbstractBaseUser | AnonymousUser) -> bool:
    """An admin (or superuser) while the setting asks admins for a second factor."""
    if not settings.TWO_FACTOR_REQUIRED_FOR_ADMINS or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=ADMIN).exists()


def lacks_required_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Must enrol and has not: what an API token, which carries no code, is refused for (security/authentication.py).
    The rule asks admins to have enrolled, so an enrolled admin's token passes."""
    return must_enrol(user) and not has_enrolled(user)


def code_is_right(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    return code.isdigit() and device.verify_token(code)


def pending_enrolment(user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: a new secret until a code from it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


WRONG_CODE = "That code is not the current one. Check the app and try again."
LOCKED_OUT = "Too many failed sign-ins from your address. Try again in {minutes} minutes."


def verify_session(*, request: HttpRequest, code: str) -> str | None:
    """A session signed in before its user enrolled (or by password alone) proves itself with the enrolled device's
    code before it may go on: otherwise a stolen password could swap the owner's authenticator. Wrong codes meet the
    sign-in lockout, as on the sign-in forms. None once verified, else why not."""
    attempt = SignInAttempt.from_request(request, request.user.get_username())
    if sign_in_is_locked(attempt):
        return LOCKED_OUT.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    device = enrolled_device(request.user)
    if device is None or not code_is_right(device, code):
        record_failed_sign_in(attempt)
        user_login_failed.send(sender=__name__, credentials={"username": attempt.username}, request=request)
        return WRONG_CODE
    forget_failed_sign_ins(attempt)
    otp_login(request, device)
    return None


@transaction.atomic
def confirm_enrolment(*, request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """The first right code confirms the device; this session counts as verified from then on."""
    if not code_is_right(device, code):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()  # one authenticator at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record_audit_entry(action=AuditAction.CONFIG_ADDED, target=device, details={"event": "two-factor enrolled"})
    return True


def remember_verified_device(sender, request: HttpRequest, user: AbstractBaseUser, **kwargs) -> None:
    """user_logged_in: the device the sign-in form checked (security/sign_in.py) verifies the new session."""
    device = getattr(request, "verified_otp_device", None)
    if device is not None and device.user_id == user.pk:
        otp_login(request, device)
