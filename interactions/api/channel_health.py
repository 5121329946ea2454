"""API v1: how the channels' accounts stand (interactions.channel_health), told to each role what it needs.

Supervisors (managers and admins) get every account's facts and alerts, for the header alert and the supervisor
page; agents get only the accounts that cannot send now, and why, for the composer. Polled by the workspace.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.channel_health import AccountHealth, ChannelAlert, channel_health
from interactions.roles import may_configure_channels, may_supervise, may_view_interactions


class ChannelAlertSerializer(serializers.Serializer):
    channel = serializers.CharField()
    account_id = serializers.CharField(help_text="The channel's id for the account (WhatsApp: phone number id)")
    account_label = serializers.CharField()
    severity = serializers.ChoiceField(choices=["problem", "warning"])
    title = serializers.CharField()
    detail = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)
    blocks_sending = serializers.BooleanField(help_text="Messages from this account cannot be sent now")
    admin_url = serializers.CharField(help_text="Where an admin fixes it; empty for those who may not")


class SendingBlockedSerializer(serializers.Serializer):
    channel = serializers.CharField()
    account_id = serializers.CharField()
    account_label = serializers.CharField()
    reason = serializers.CharField(help_text="Why nothing can be sent from this account now, for the composer")


class HealthFactSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    severity = serializers.ChoiceField(choices=["problem", "warning"], allow_null=True)


class AccountHealthSerializer(serializers.Serializer):
    channel = serializers.CharField()
    account_id = serializers.CharField()
    account_label = serializers.CharField()
    severity = serializers.ChoiceField(choices=["problem", "warning"], allow_null=True)
    facts = HealthFactSerializer(many=True)
    admin_url = serializers.CharField()


class ChannelHealthSerializer(serializers.Serializer):
    alerts = ChannelAlertSerializer(many=True, help_text="Every alert, for supervisors; empty for agents")
    accounts = AccountHealthSerializer(many=True, help_text="Every account's summary, for supervisors")
    sending_blocked = SendingBlockedSerializer(many=True, help_text="Accounts that cannot send now, for everyone")


def _alert(alert: ChannelAlert, *, show_admin_url: bool) -> dict:
    return {
        "channel": alert.channel,
        "account_id": alert.account_id,
        "account_label": alert.account_label,
        "severity": str(alert.severity),
        "title": alert.title,
        "detail": alert.detail,
        "since": alert.since,
        "blocks_sending": alert.blocks_sending,
        "admin_url": alert.admin_url if show_admin_url else "",
    }


def _account(account: AccountHealth, *, show_admin_url: bool) -> dict:
    return {
        "channel": account.channel,
        "account_id": account.account_id,
        "account_label": account.account_label,
        "severity": str(account.severity) if account.severity else None,
        "facts": [
            {"label": fact.label, "value": fact.value, "severity": str(fact.severity) if fact.severity else None}
            for fact in account.facts
        ],
        "admin_url": account.admin_url if show_admin_url else "",
    }


def _blocked(alert: ChannelAlert) -> dict:
    return {
        "channel": alert.channel,
        "account_id": alert.account_id,
        "account_label": alert.account_label,
        "reason": f"{alert.agent_reason or alert.title}. An admin has been alerted; replies will fail until it is "
        "fixed.",
    }


class ChannelHealth(APIView):
    @extend_schema(responses=answers({200: ChannelHealthSerializer}, 403))
    def get(self, request: Request) -> Response:
        if not may_view_interactions(request.user):
            raise PermissionDenied("Channel health is for the desk's agents, managers and admins.")
        accounts = channel_health()
        supervisor = may_supervise(request.user)
        show_admin_url = may_configure_channels(request.user)
        alerts = [alert for account in accounts for alert in account.alerts]
        data = {
            "alerts": [_alert(alert, show_admin_url=show_admin_url) for alert in alerts] if supervisor else [],
            "accounts": [_account(account, show_admin_url=show_admin_url) for account in accounts]
            if supervisor
            else [],
            "sending_blocked": [_blocked(alert) for alert in alerts if alert.blocks_sending],
        }
        return Response(ChannelHealthSerializer(data).data)
