"""API v1: the preview card of a message's first link. Thin: find the message, call the service, serialize."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.models import Message
from interactions.selectors import interactions_visible_to
from interactions.serializers import LinkPreviewSerializer
from interactions.services.link_previews import link_preview_for_message, link_previews_on


class MessageLinkPreview(APIView):
    @extend_schema(
        responses=answers({200: LinkPreviewSerializer}, 404),
        description="The preview of the message's first link; `pending` while it is fetched (a "
        "`link_preview.changed` push follows), 404 when the message has no link or link previews are switched off.",
    )
    def get(self, request: Request, pk: int) -> Response:
        """Only links in messages the user may see are fetched, so nobody can make the server fetch any URL."""
        message = get_object_or_404(Message, pk=pk, interaction__in=interactions_visible_to(request.user))
        preview = link_preview_for_message(message=message)
        if preview is None:
            detail = "The message has no link." if link_previews_on() else "Link previews are switched off."
            return Response({"detail": detail}, status=404)
        return Response(LinkPreviewSerializer(preview).data)
