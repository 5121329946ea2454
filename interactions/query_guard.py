"""A NUL character in a query parameter is refused before any view reads it: PostgreSQL can neither store nor
compare text holding one, so a filter such as the admin's `?external_id=a%00b` would otherwise fail deep in the
ORM as a 500. The API answers in its field-error shape, naming each such parameter; pages answer in plain text."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_DETAIL = "Null characters are not allowed."


def parameters_holding_nul(request: HttpRequest) -> list[str]:
    return [key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in value for value in values)]


class RefuseNulInQueryMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = parameters_holding_nul(request)
        if not refused:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({name: [NUL_DETAIL] for name in refused}, status=400)
        return HttpResponseBadRequest(
            f"{NUL_DETAIL} (query parameter {', '.join(refused)})", content_type="text/plain; charset=utf-8"
        )
