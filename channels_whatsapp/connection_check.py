"""An admin connecting a business number: where Meta must send webhooks, and whether Meta accepts the number's
token, said in words that tell the admin what to do."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from channels_whatsapp.client import GraphApiError, GraphApiUnreachable, PhoneNumberInfo, SubscribedApp
from channels_whatsapp.connection import graph_client_for
from channels_whatsapp.errors import THROTTLING_CODES, title_for
from channels_whatsapp.models import BusinessNumber
from interactions.encrypted_fields import UnreadableSecret

logger = logging.getLogger(__name__)

UNREADABLE_TOKEN = (
    "The stored access token cannot be decrypted: the key it was encrypted with is no longer in "
    "FIELD_ENCRYPTION_KEYS. Put that key back, or enter the token again below and save."
)


def webhook_callback_url() -> str:
    """The callback URL to paste into the Meta app's WhatsApp → Configuration page."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("whatsapp-webhook")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionReport:
    """What "Test connection" found. `subscribed_apps` is None when it could not be asked."""

    phone_number: PhoneNumberInfo | None
    subscribed_apps: tuple[SubscribedApp, ...] | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.phone_number is not None and not self.problems


def check_connection(*, number: BusinessNumber) -> ConnectionReport:
    """Asks the Graph API about the number (`GET /{phone-number-id}`) and its account's webhook subscription
    (`GET /{waba-id}/subscribed_apps`) with the number's own token. Never raises for Meta's answers."""
    try:
        client = graph_client_for(number)
    except UnreadableSecret:
        report = ConnectionReport(phone_number=None, subscribed_apps=None, problems=(UNREADABLE_TOKEN,))
        _log(number, report)
        return report
    problems: list[str] = []
    try:
        info = client.phone_number_info(phone_number_id=number.phone_number_id)
    except (GraphApiError, GraphApiUnreachable) as problem:
        report = ConnectionReport(
            phone_number=None,
            subscribed_apps=None,
            problems=(_in_words(problem, what="phone number", node=number.phone_number_id),),
        )
        _log(number, report)
        return report
    apps: tuple[SubscribedApp, ...] | None = None
    if not number.waba_id:
        problems.append(
            "No WhatsApp Business Account id is set, so the webhook subscription could not be checked: add it "
            "(WhatsApp Manager → Account tools → Phone numbers shows it)."
        )
    else:
        try:
            apps = tuple(client.subscribed_apps(waba_id=number.waba_id))
        except (GraphApiError, GraphApiUnreachable) as problem:
            problems.append(_in_words(problem, what="WhatsApp Business Account", node=number.waba_id))
        else:
            if not apps:
                problems.append(
                    "No app is subscribed to this WhatsApp Business Account's webhooks, so customers' messages will "
                    "not arrive: subscribe your app (POST /{waba-id}/subscribed_apps with this token, or Meta's "
                    "app dashboard → WhatsApp → Configuration)."
                )
    report = ConnectionReport(phone_number=info, subscribed_apps=apps, problems=tuple(problems))
    _log(number, report)
    return report


def _in_words(problem: GraphApiError | GraphApiUnreachable, *, what: str, node: str) -> str:
    if isinstance(problem, GraphApiUnreachable):
        return (
            f"The Graph API at {settings.WHATSAPP_GRAPH_API_URL} did not answer ({problem}). Check that this "
            "server can reach it (network, proxy, firewall) and the WHATSAPP_GRAPH_API_URL setting."
        )
    code = problem.code
    if code == 190:
        return (
            "Meta refused the access token (error 190: invalid, expired or revoked). Generate a new token for the "
            "system user (Meta Business Suite → Business settings → System users → Generate new token) and save it "
            "here."
        )
    if code in (3, 10) or (code is not None and 200 <= code <= 299):
        return (
            f"The access token lacks a permission for this {what} (Meta error {code}). Give the system user the "
            "whatsapp_business_management and whatsapp_business_messaging permissions, assign it this WhatsApp "
            "Business Account, then generate a new token."
        )
    if code == 100:
        return (
            f"Meta knows no {what} with id {node} that this token can see (error 100). Check the id in WhatsApp "
            "Manager, and that the token belongs to the business that owns it."
        )
    if code in THROTTLING_CODES:
        return f"Meta's rate limit was reached (error {code}): try again in a few minutes."
    if code is None:
        return (
            f"The Graph API answered HTTP {problem.http_status} without Meta's error object: check the "
            "WHATSAPP_GRAPH_API_URL setting and any proxy in between."
        )
    return f"Meta answered with error {code}: {title_for(code, problem.message)}."


def _log(number: BusinessNumber, report: ConnectionReport) -> None:
    if report.ok:
        logger.info("connection test of business number %s passed", number.phone_number_id)
    else:
        logger.warning("connection test of business number %s: %s", number.phone_number_id, " ".join(report.problems))
