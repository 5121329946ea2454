"""The supervisor's live view; everything on it is drawn and kept current by static/supervisor/supervisor.js."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from interactions.roles import may_supervise


@login_required
def supervisor(request: HttpRequest) -> HttpResponse:
    if not may_supervise(request.user):
        raise PermissionDenied("The supervisor's view is for managers and admins.")
    return render(request, "supervisor/supervisor.html")
