"""ASGI entry point: HTTP through Django, but Meta's webhook deliveries through their lean endpoint and an agent's
presence change through Django in one thread hop (`config/one_hop.py`); WebSockets through Channels with the
session's user."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - after Django is set up
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import reverse  # noqa: E402

from channels_whatsapp.webhook_asgi import receive_deliveries  # noqa: E402
from config.one_hop import OneHopHandler  # noqa: E402
from interactions.routing import websocket_urlpatterns  # noqa: E402

WEBHOOK_PATH = reverse("whatsapp-webhook")
ONE_HOP_PATHS = frozenset({reverse("routing-my-presence")})  # from an agent becoming available to their offer
one_hop_app = OneHopHandler()


async def http_application(scope, receive, send) -> None:
    if scope["method"] == "POST" and scope["path"] == WEBHOOK_PATH:
        return await receive_deliveries(scope, receive, send)
    if scope["path"] in ONE_HOP_PATHS:
        return await one_hop_app(scope, receive, send)
    return await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
