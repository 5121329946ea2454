"""Reads for the health of business numbers: the admin's panel (everything) and the source the core asks for the
header alert and the supervisor's summary (the same facts, told in the core's terms)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from channels_whatsapp.connection import sync_business_number_from_settings
from channels_whatsapp.delivery_counts import WebhookTraffic, webhook_traffic
from channels_whatsapp.health_policies import RECENT_CHANGE, HealthInputs, Problem, health_problems
from channels_whatsapp.models import BusinessNumber, HealthEvent, HealthEventKind, NumberHealth, TokenState
from interactions.channel_health import AccountHealth, ChannelAlert, HealthFact, Severity
from interactions.selectors import FailureCount, OutboxBacklog, failures_by_error_code, outbox_backlogs

CHANNEL = "whatsapp"
FAILURES_SINCE = timedelta(hours=24)
EVENTS_SHOWN = 20
NO_BACKLOG = OutboxBacklog(count=0, oldest_queued_at=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberHealthReport:
    number: BusinessNumber
    health: NumberHealth
    traffic: WebhookTraffic
    backlog: OutboxBacklog
    problems: tuple[Problem, ...]
    failures: tuple[FailureCount, ...] = ()  # the panel only
    events: tuple[HealthEvent, ...] = ()  # the panel only

    @property
    def since_last_delivery(self) -> timedelta | None:
        at = self.traffic.last_delivery_at
        return None if at is None else timezone.now() - at


def _template_problems(numbers: list[BusinessNumber], *, now: datetime) -> dict[int, list[tuple[str, datetime]]]:
    rows = HealthEvent.objects.filter(
        number__in=numbers,
        kind__in=[HealthEventKind.TEMPLATE_STATUS, HealthEventKind.TEMPLATE_QUALITY],
        is_problem=True,
        occurred_at__gte=now - RECENT_CHANGE,
    ).values_list("number_id", "summary", "occurred_at")
    problems: dict[int, list[tuple[str, datetime]]] = {}
    for number_id, summary, at in rows:
        problems.setdefault(number_id, []).append((summary, at))
    return problems


def health_reports(numbers: list[BusinessNumber] | None = None, *, details: bool = False) -> list[NumberHealthReport]:
    """Each number's health as stored (no call to Meta): a handful of queries and two Redis round trips in all."""
    if numbers is None:
        sync_business_number_from_settings()
        # The secrets stay encrypted: one no key decrypts must not hide every number's health.
        numbers = list(
            BusinessNumber.objects.filter(is_active=True).defer("access_token", "app_secret", "verify_token")
        )
    if not numbers:
        return []
    now = timezone.now()
    stored = {health.number_id: health for health in NumberHealth.objects.filter(number__in=numbers)}
    traffic = webhook_traffic([number.phone_number_id for number in numbers])
    backlogs = outbox_backlogs(channel=CHANNEL)
    template_problems = _template_problems(numbers, now=now)
    reports = []
    for number in numbers:
        health = stored.get(number.pk) or NumberHealth(number=number)
        backlog = backlogs.get(number.phone_number_id, NO_BACKLOG)
        inputs = HealthInputs(
            token_state=health.token_state,
            token_problem=health.token_problem,
            token_error_code=health.token_error_code,
            token_state_since=health.token_state_since,
            checked_at=health.checked_at,
            quality_rating=health.quality_rating,
            messaging_limit=health.messaging_limit,
            quality_event=health.quality_event,
            quality_event_at=health.quality_event_at,
            delivered_last_hour=traffic[number.phone_number_id].delivered_last_hour,
            refused_last_hour=traffic[number.phone_number_id].refused_last_hour,
            backlog_count=backlog.count,
            oldest_queued_at=backlog.oldest_queued_at,
            template_problems=tuple(template_problems.get(number.pk, ())),
        )
        reports.append(
            NumberHealthReport(
                number=number,
                health=health,
                traffic=traffic[number.phone_number_id],
                backlog=backlog,
                problems=tuple(health_problems(inputs, now=now)),
                failures=tuple(
                    failures_by_error_code(
                        channel=CHANNEL, account_id=number.phone_number_id, since=now - FAILURES_SINCE
                    )
                )
                if details
                else (),
                events=tuple(number.health_events.all()[:EVENTS_SHOWN]) if details else (),
            )
        )
    return reports


def admin_url(number: BusinessNumber) -> str:
    return reverse("admin:channels_whatsapp_businessnumber_change", args=[number.pk]) + "#channel-health"


def _age(delta: timedelta | None) -> str:
    if delta is None:
        return "none yet"
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"


def _count(value: int | None) -> str:
    return "unknown" if value is None else str(value)


def facts(report: NumberHealthReport) -> tuple[HealthFact, ...]:
    health = report.health
    token = health.get_token_state_display()
    token_severity = {TokenState.REFUSED: Severity.PROBLEM, TokenState.UNCHECKED: Severity.WARNING}.get(
        health.token_state
    )
    quality_severity = {"RED": Severity.WARNING, "YELLOW": Severity.WARNING}.get(health.quality_rating)
    oldest = report.backlog.oldest_queued_at
    backlog = f"{report.backlog.count}" + (f", oldest queued {_age(timezone.now() - oldest)}" if oldest else "")
    return (
        HealthFact(label="Access token", value=token, severity=token_severity),
        HealthFact(label="Quality rating", value=health.quality_rating or "not known yet", severity=quality_severity),
        HealthFact(label="Messaging limit", value=health.messaging_limit or "not known yet"),
        HealthFact(label="Webhook deliveries (last hour)", value=_count(report.traffic.delivered_last_hour)),
        HealthFact(
            label="Signature failures (last hour, all numbers)",
            value=_count(report.traffic.refused_last_hour),
            severity=Severity.WARNING if report.traffic.refused_last_hour else None,
        ),
        HealthFact(label="Last delivery", value=_age(report.since_last_delivery)),
        HealthFact(label="Outbox backlog", value=backlog),
    )


class WhatsAppHealthSource:
    """What the core's channel health registry asks (interactions.channel_health)."""

    def accounts(self) -> list[AccountHealth]:
        accounts = []
        for report in health_reports():
            label = f"WhatsApp {report.number}"
            url = admin_url(report.number)
            accounts.append(
                AccountHealth(
                    channel=CHANNEL,
                    account_id=report.number.phone_number_id,
                    account_label=label,
                    facts=facts(report),
                    alerts=tuple(
                        ChannelAlert(
                            channel=CHANNEL,
                            account_id=report.number.phone_number_id,
                            account_label=label,
                            severity=problem.severity,
                            title=problem.title,
                            detail=problem.detail,
                            since=problem.since,
                            blocks_sending=problem.blocks_sending,
                            agent_reason=problem.agent_reason,
                            admin_url=url,
                        )
                        for problem in report.problems
                    ),
                    admin_url=url,
                )
            )
        return accounts
