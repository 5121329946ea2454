"""The agent workspace page; everything on it is loaded and kept current by static/workspace/main.js and its modules."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from interactions.audience import audience_policy
from interactions.properties import INLINE_AUDIO, WINDOW_WARNING_MINUTES
from interactions.roles import may_send_messages, may_view_interactions
from interactions.unavailable import RETRY_LATER_HEADERS
from properties.accessor import current


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    if not may_view_interactions(request.user):
        raise PermissionDenied("The workspace is for agents and managers.")
    return render(
        request,
        "workspace/workspace.html",
        {
            "may_send": may_send_messages(request.user),
            "only_assignee_acts": audience_policy().only_assignee_acts,  # a colleague's conversation is read-only
            "workspace_properties": {
                "inline_audio": current(INLINE_AUDIO),
                "window_warning_minutes": current(WINDOW_WARNING_MINUTES),
            },
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when this process can reach its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503, headers=RETRY_LATER_HEADERS)
    return JsonResponse({"ok": True})
