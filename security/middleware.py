"""With TWO_FACTOR_REQUIRED_FOR_ADMINS, an admin whose session was not verified with a code (not enrolled yet) is
sent to enrol before any page opens, and the API refuses them. After django-otp's OTPMiddleware, which sets
`user.is_verified()`. Everyone else passes at no cost: the setting is read before anything is asked of the database.

The sign-in forms ask enrolled people for their code (security/sign_in.py); a session signed in before its user
enrolled elsewhere stays valid until it ends."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from interactions.unavailable import is_unavailable_dependency, unavailable_response
from security.two_factor import must_enrol

OPEN_PREFIXES = (
    "/static/",
    "/healthz/",
    "/help/",
    "/webhooks/",
    "/login/",
    "/logout/",
    "/admin/login/",
    "/admin/logout/",
)


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        try:
            passes = not user.is_authenticated or user.is_verified() or request.path.startswith(OPEN_PREFIXES)
            enrolling = not passes and must_enrol(user)
        except Exception as problem:  # reading the session's user before any view: the view's 503, not a 500
            if is_unavailable_dependency(problem):
                return unavailable_response(request, problem)
            raise
        if passes:
            return self.get_response(request)
        enrol_url = reverse("two-factor")
        if request.path != enrol_url and enrolling:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": f"Turn on two-factor sign-in first: {enrol_url}"}, status=403)
            return redirect(enrol_url)
        return self.get_response(request)
