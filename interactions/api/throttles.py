"""How often the API answers one client: per user when signed in, per address when not (rates in settings).

The counters live in the cache. They are a safeguard, not a dependency: while the cache is unreachable every
request is let through (and logged), so a Redis outage never turns the API into a wall of errors.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from interactions.hints import only_a_hint


class _OutageTolerant:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read per request, not frozen at import

    def allow_request(self, request, view) -> bool:
        allowed = True
        with only_a_hint("API throttle"):
            allowed = super().allow_request(request, view)
        return allowed


class UserThrottle(_OutageTolerant, UserRateThrottle):
    pass


class AnonThrottle(_OutageTolerant, AnonRateThrottle):
    pass
