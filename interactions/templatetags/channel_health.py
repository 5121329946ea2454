"""The header's channel alert asks the server this often (CHANNEL_HEALTH_POLL_SECONDS)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def channel_health_poll_seconds() -> str:
    return f"{settings.CHANNEL_HEALTH_POLL_SECONDS:g}"
