"""API v1: sending a file. Thin: validate the form, call the service, serialize."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.query import MAX_BIGINT
from interactions.api.schema import answers
from interactions.channel_adapters import channel_adapter, channel_capabilities
from interactions.roles import may_send_messages
from interactions.selectors import interactions_visible_to
from interactions.serializers import MessageSerializer, timeline_message_data
from interactions.services.media import send_agent_media


class SendAttachmentSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    caption = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT, help_text="Quote this message (its id)"
    )


class MediaRuleSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="image, video, audio, document or sticker")
    mime_types = serializers.ListField(child=serializers.CharField())
    max_bytes = serializers.IntegerField()
    max_static_bytes = serializers.IntegerField(allow_null=True, help_text="Stickers: the limit for a static one")
    formats = serializers.CharField(help_text="The types for people, e.g. JPEG or PNG")


class MediaRulesSerializer(serializers.Serializer):
    rules = MediaRuleSerializer(many=True)
    max_caption_length = serializers.IntegerField()


class InteractionAttachments(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        responses=answers({200: MediaRulesSerializer}, 404),
        description="The kinds of file this interaction's channel takes: types and size limits per kind.",
    )
    def get(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        rules = channel_adapter(interaction.subtype).media_rules()
        return Response(
            {
                "rules": [
                    {
                        "kind": rule.kind,
                        "mime_types": sorted(rule.mime_types),
                        "max_bytes": rule.max_bytes,
                        "max_static_bytes": rule.max_static_bytes,
                        "formats": rule.formats,
                    }
                    for rule in rules
                ],
                "max_caption_length": channel_capabilities(interaction.subtype).caption_limit,
            }
        )

    @extend_schema(
        request={"multipart/form-data": SendAttachmentSerializer},
        responses=answers({201: MessageSerializer}, 400, 404, 409),
        description="Send an image, video, audio, document or sticker (the kind follows from the file's contents). "
        "400 when the channel would refuse the file (type, size), 409 when sending is not possible now.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        body = SendAttachmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = send_agent_media(
            interaction=interaction,
            author=request.user,
            upload=body.validated_data["file"],
            caption=body.validated_data["caption"],
            reply_to_id=body.validated_data.get("reply_to"),
        )
        return Response(timeline_message_data(message), status=status.HTTP_201_CREATED)
