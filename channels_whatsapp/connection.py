"""Which business numbers this deployment serves; the environment's settings create or update the default one."""

import logging

from django.conf import settings
from django.db import transaction

from channels_whatsapp.client import GraphApiClient
from channels_whatsapp.models import BusinessNumber
from interactions.encrypted_fields import UnreadableSecret

logger = logging.getLogger(__name__)

_synced_settings: tuple | None = None


def sync_business_number_from_settings(*, force: bool = False) -> BusinessNumber | None:
    """Creates or updates the number named by WHATSAPP_PHONE_NUMBER_ID, once per process unless forced."""
    global _synced_settings
    phone_number_id = settings.WHATSAPP_PHONE_NUMBER_ID
    wanted = (
        phone_number_id,
        settings.WHATSAPP_DISPLAY_PHONE_NUMBER,
        settings.WHATSAPP_WABA_ID,
        settings.WHATSAPP_ACCESS_TOKEN,
        settings.WHATSAPP_APP_SECRET,
        settings.WHATSAPP_VERIFY_TOKEN,
        settings.WHATSAPP_MESSAGES_PER_SECOND,
    )
    if not phone_number_id or (_synced_settings == wanted and not force):
        return None
    with transaction.atomic():
        number, created = BusinessNumber.objects.update_or_create(
            phone_number_id=phone_number_id,
            defaults={
                "display_phone_number": settings.WHATSAPP_DISPLAY_PHONE_NUMBER,
                "waba_id": settings.WHATSAPP_WABA_ID,
                "access_token": settings.WHATSAPP_ACCESS_TOKEN,
                "app_secret": settings.WHATSAPP_APP_SECRET,
                "verify_token": settings.WHATSAPP_VERIFY_TOKEN,
                "messages_per_second": settings.WHATSAPP_MESSAGES_PER_SECOND,
            },
        )
    logger.info("%s business number %s from settings", "created" if created else "updated", phone_number_id)
    _synced_settings = wanted
    return number


def active_business_numbers() -> list[BusinessNumber]:
    sync_business_number_from_settings()
    numbers = list(BusinessNumber.objects.filter(is_active=True))
    if settings.WHATSAPP_PHONE_NUMBER_ID not in {"", *(number.phone_number_id for number in numbers)}:
        # Deleted since this process synced it (or never synced here): the settings still name it.
        sync_business_number_from_settings(force=True)
        numbers = list(BusinessNumber.objects.filter(is_active=True))
    return numbers


def readable_secrets(field: str) -> dict[str, str]:
    """Each active number's secret `field` (`app_secret`, `verify_token`) by phone number id, leaving out, and
    logging, one that no configured key decrypts: one number's dropped key must not stop the webhook for the others
    (its health panel and Test connection say what is wrong)."""
    readable = {}
    for number in active_business_numbers():
        try:
            readable[number.phone_number_id] = getattr(number, field)
        except UnreadableSecret:
            logger.error(
                "business number %s: its %s cannot be decrypted with FIELD_ENCRYPTION_KEYS; it is left out",
                number.phone_number_id,
                field,
            )
    return readable


class NumberUnavailable(Exception):
    """The business number a customer wrote to is not (or no longer) one this desk can send from."""

    def __init__(self, title: str, detail: str) -> None:
        self.title, self.detail = title, detail
        super().__init__(title)

    @classmethod
    def missing(cls, phone_number_id: str) -> "NumberUnavailable":
        return cls(
            f"The business number {phone_number_id} is not set up in this desk",
            "It was deleted or never added: an admin must add it (Admin → Business numbers) with its token "
            "and secrets before anything can be sent from it.",
        )

    @classmethod
    def deactivated(cls, phone_number_id: str) -> "NumberUnavailable":
        return cls(
            f"The business number {phone_number_id} is deactivated",
            "An admin must activate it (Admin → Business numbers) before anything can be sent from it.",
        )

    @classmethod
    def unreadable_token(cls, phone_number_id: str) -> "NumberUnavailable":
        return cls(
            f"The access token of business number {phone_number_id} cannot be decrypted",
            "The key it was encrypted with is no longer in FIELD_ENCRYPTION_KEYS: an admin must put that key back "
            "or enter the token again (Admin → Business numbers).",
        )


def business_number(phone_number_id: str) -> BusinessNumber:
    """The active number to talk to a customer from; raises NumberUnavailable, whose words the agent is shown.
    Sending needs only its access token: the webhook's secrets are left encrypted in the database."""
    sync_business_number_from_settings()
    numbers = BusinessNumber.objects.defer("app_secret", "verify_token").filter(phone_number_id=phone_number_id)
    number = numbers.first()
    if number is None and phone_number_id == settings.WHATSAPP_PHONE_NUMBER_ID:
        sync_business_number_from_settings(force=True)  # deleted since this process synced it
        number = numbers.first()
    if number is None:
        raise NumberUnavailable.missing(phone_number_id)
    if not number.is_active:
        raise NumberUnavailable.deactivated(phone_number_id)
    try:
        number.access_token  # noqa: B018 — decrypted here, so a dropped key is said in words, not a crash
    except UnreadableSecret:
        raise NumberUnavailable.unreadable_token(phone_number_id) from None
    return number


def graph_client_for(number: BusinessNumber) -> GraphApiClient:
    return GraphApiClient(
        base_url=settings.WHATSAPP_GRAPH_API_URL,
        version=settings.WHATSAPP_API_VERSION,
        access_token=number.access_token,
        timeout=settings.WHATSAPP_REQUEST_TIMEOUT_SECONDS,
    )
