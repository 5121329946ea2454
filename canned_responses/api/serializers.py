from rest_framework import serializers

from canned_responses.models import CannedResponse
from canned_responses.placeholders import PLACEHOLDERS


class CannedResponseSerializer(serializers.ModelSerializer):
    """What an agent writes; `shared` ones (no owner) are the admins' and read-only here."""

    shared = serializers.BooleanField(read_only=True)

    class Meta:
        model = CannedResponse
        fields = ["id", "shortcut", "title", "body", "language", "shared", "updated_at"]
        read_only_fields = ["id", "shared", "updated_at"]


class FilledCannedResponseSerializer(CannedResponseSerializer):
    text = serializers.CharField(read_only=True, help_text="The body filled in for this conversation")
    missing = serializers.ListField(
        child=serializers.ChoiceField(choices=list(PLACEHOLDERS)),
        read_only=True,
        help_text="Placeholders nothing fills here: left in `text` as {name}, for the agent to replace",
    )

    class Meta(CannedResponseSerializer.Meta):
        fields = [*CannedResponseSerializer.Meta.fields, "text", "missing"]


class PlaceholderSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()


class CannedResponseMenuSerializer(serializers.Serializer):
    responses = FilledCannedResponseSerializer(many=True)
    placeholders = PlaceholderSerializer(many=True, help_text="Every placeholder a body may hold")


class CannedResponseQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Words of the shortcut, title or body"
    )


class QuickActionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
