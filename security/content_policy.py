"""The Content-Security-Policy of every page (settings.CONTENT_SECURITY_POLICY), plus the one source a fixed
setting cannot name: the WebSocket origin of the host the page was served from (the workspace's live updates).

CSP Level 3 lets 'self' cover ws(s):// on the same host, but browsers that predate it do not: naming the origin
keeps the workspace live everywhere without opening connect-src to every host."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # answered 400 already; 'self' is all that page gets
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        parts.update = {**(parts.update or {}), "connect-src": [f"{scheme}://{host}"]}
        return parts
