"""How the API answers a service's refusal, in one place: the reason a person can read, with its status.

Services raise these; views just call them. Installed as DRF's EXCEPTION_HANDLER in config.settings.
"""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from interactions.rich_content import ContentRefused
from interactions.services.outbound import ActionRefused, MessageRefused


def refusal_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ContentRefused):  # the message as composed breaks the channel's rules: every problem
        return Response({"detail": str(exc), "problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, MessageRefused):  # the channel would refuse this text or file as it is
        return Response({"detail": exc.reason}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionRefused):  # not possible now: the window, consent, the interaction's state
        return Response({"detail": exc.reason}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
