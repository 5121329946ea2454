"""The one shape of interactions and messages, used by the API and by the live push alike."""

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from functools import cached_property
from operator import attrgetter

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from interactions.channel_adapters import channel_capabilities
from interactions.models import (
    ChannelUser,
    Direction,
    Interaction,
    LinkPreview,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from interactions.people import person_name
from interactions.properties import LINK_PREVIEWS
from interactions.responders import automated_author_label
from interactions.selectors import message_for_timeline, messages_for_timeline, new_message_for_timeline
from interactions.services.outreach import service_window_for, shown_reply_decision
from properties.accessor import current

QUOTE_LENGTH = 200


class RowSerializer(serializers.ModelSerializer):
    """DRF's rendering with its per-field decisions taken once per serializer class instead of once per row: lists
    of 200 interactions or pages of 50 messages spent most of their time finding each field's attribute and the
    current time zone of each date, and every request spent a tenth of its time building the same fields again.
    The output is DRF's own (test_serialized_rows.py compares the two).

    The plan is kept on the class, so a row serializer's fields must not depend on its arguments or context."""

    def _plan(self) -> list[tuple[str, Callable, Callable | None]]:
        plan = type(self).__dict__.get("_class_plan")  # its own, never a parent's: a subclass has more fields
        if plan is None:
            plan = self._build_plan()
            type(self)._class_plan = plan  # a race builds it twice, to the same result
        return plan

    def _build_plan(self) -> list[tuple[str, Callable, Callable | None]]:
        plan = []
        for field in self._readable_fields:
            if isinstance(field, serializers.SerializerMethodField):
                plan.append((field.field_name, getattr(type(self), field.method_name), _METHOD))
            elif isinstance(field, serializers.RelatedField) or field.source == "*":
                plan.append((field.field_name, field.get_attribute, field.to_representation))  # DRF's way
            elif isinstance(field, serializers.DateTimeField) and _iso_in_current_zone(field):
                plan.append((field.field_name, attrgetter(field.source), _iso_datetime))
            else:
                plan.append((field.field_name, attrgetter(field.source), field.to_representation))
        return plan

    def to_representation(self, instance) -> dict:
        zone = timezone.get_current_timezone()
        row = {}
        for name, read, render in self._plan():
            if render is _METHOD:
                row[name] = read(self, instance)  # the method's answer is the value
                continue
            value = read(instance)
            if value is None:
                row[name] = value
            elif render is _iso_datetime:
                row[name] = _iso_datetime(value, zone)
            else:
                row[name] = render(value)
        return row


_METHOD = object()  # the plan's mark for a `SerializerMethodField`: call the class's method with the serializer


def _iso_in_current_zone(field: serializers.DateTimeField) -> bool:
    formatted = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return formatted is not None and formatted.lower() == ISO_8601 and not hasattr(field, "timezone")


def _iso_datetime(value: datetime, zone: tzinfo) -> str:
    """`serializers.DateTimeField` with the settings' ISO 8601 format: in the current time zone, UTC as `Z`."""
    if timezone.is_naive(value):
        return serializers.DateTimeField().to_representation(value)
    rendered = value.astimezone(zone).isoformat()
    return rendered[:-6] + "Z" if rendered.endswith("+00:00") else rendered


class ChannelUserSerializer(RowSerializer):
    class Meta:
        model = ChannelUser
        fields = ["id", "channel", "account_id", "external_id", "display_name", "last_inbound_at", "created_at"]


class AttachmentSerializer(RowSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["state", "url", "mime_type", "size", "filename", "failure_reason"]

    def get_url(self, attachment: MessageAttachment) -> str | None:
        """Our own view, which checks who asks; the storage's URL is never handed out."""
        return reverse("message-media", args=[attachment.message_id]) if attachment.file else None


class LinkPreviewSerializer(RowSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = LinkPreview
        fields = ["id", "url", "state", "title", "description", "site_name", "image_url"]

    def get_image_url(self, preview: LinkPreview) -> str | None:
        """Served by our own view: the agent's browser never loads an address taken from a page."""
        return reverse("link-preview-image", args=[preview.pk]) if preview.image else None


class QuotedMessageSerializer(serializers.Serializer):
    """Enough of the quoted message to show the quote (schema only)."""

    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    text = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_null=True)


class ReactionSerializer(serializers.Serializer):
    """A reaction standing on a message, the latest of its side (schema only)."""

    direction = serializers.ChoiceField(choices=Direction.choices)
    emoji = serializers.CharField()
    author = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    message_id = serializers.IntegerField()


class WhisperRecipientSerializer(serializers.Serializer):
    """The agent a supervisor's whisper was for (schema only)."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class MessageSerializer(RowSerializer):
    """Give it messages read through `selectors.with_timeline_relations` (or `message_for_timeline`)."""

    author = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()
    whisper_to = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()
    reply_to_id = serializers.IntegerField(allow_null=True, read_only=True)
    quoted = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()
    retryable = serializers.SerializerMethodField()
    link_preview = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "interaction_id",
            "sequence",
            "revision",
            "direction",
            "kind",
            "text",
            "content",
            "status",
            "status_at",
            "error_code",
            "error_title",
            "error_detail",
            "external_id",
            "reply_to_id",
            "author",
            "sent_at",
            "claimed_sent_at",
            "accepted_at",
            "created_at",
            "quoted",
            "reactions",
            "read_receipt_sent_at",
            "retryable",
            "attachment",
            "link_preview",
            "deleted_by_customer_at",
            "edited_at",
            "original_text",
            "content_removed_at",
            "content_removed_reason",
            "internal",
            "whisper_to",
        ]

    @cached_property
    def _attachment(self) -> AttachmentSerializer:
        """One per page, not one per message: a model serializer builds its fields anew for each instance."""
        return AttachmentSerializer()

    @cached_property
    def _link_preview(self) -> LinkPreviewSerializer:
        return LinkPreviewSerializer()

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_attachment(self, message: Message) -> dict | None:
        attachment = getattr(message, "attachment", None)  # the reverse one-to-one raises when there is none
        return self._attachment.to_representation(attachment) if attachment is not None else None

    def get_internal(self, message: Message) -> bool:
        """An internal note: shown to colleagues, never sent to the customer (the workspace marks it unmistakably)."""
        return message.direction == Direction.INTERNAL

    @extend_schema_field(WhisperRecipientSerializer(allow_null=True))
    def get_whisper_to(self, message: Message) -> dict | None:
        """A note addressed to the conversation's agent (a supervisor's whisper): whom it was for."""
        if message.direction != Direction.INTERNAL:
            return None
        return message.content.get("whisper_to")

    def get_author(self, message: Message) -> str | None:
        """The agent, or the automated responder (the virtual agent) whose message it is; None: the desk."""
        if message.author_id is None and message.direction != Direction.INBOUND:
            return automated_author_label(str(message.content.get("automated", ""))) or None
        return person_name(message.author)

    @extend_schema_field(QuotedMessageSerializer(allow_null=True))
    def get_quoted(self, message: Message) -> dict | None:
        """What a reply (or the answer to a list or buttons) refers to, enough to show the quote."""
        if message.reply_to_id is None or message.kind == MessageKind.REACTION:
            return None
        quoted = message.reply_to
        return {
            "id": quoted.pk,
            "direction": quoted.direction,
            "kind": quoted.kind,
            "text": quoted.text[:QUOTE_LENGTH],
            "author": self.get_author(quoted),
        }

    @extend_schema_field(ReactionSerializer(many=True))
    def get_reactions(self, message: Message) -> list[dict]:
        """The reactions standing on this message: the latest of each side, unless that one removed it.

        Reads `reaction_history` as `selectors.with_timeline_relations` prefetched it: never a query per message.
        """
        if message.kind == MessageKind.REACTION:
            return []
        latest: dict[str, Message] = {}
        for reaction in message.reaction_history:
            latest[reaction.direction] = reaction
        return [
            {
                "direction": reaction.direction,
                "emoji": reaction.content["emoji"],
                "author": self.get_author(reaction),
                "status": reaction.status,
                "message_id": reaction.pk,
            }
            for reaction in latest.values()
            if reaction.content.get("emoji")
        ]

    @extend_schema_field(LinkPreviewSerializer(allow_null=True))
    def get_link_preview(self, message: Message) -> dict | None:
        """The card of the message's first link once it was asked for (GET messages/{id}/link-preview/ asks), while
        link previews are on."""
        preview = message.link_preview
        return self._link_preview.to_representation(preview) if preview is not None and current(LINK_PREVIEWS) else None

    def get_retryable(self, message: Message) -> bool:
        from interactions.services.outbound import failed_message_may_be_retried

        return failed_message_may_be_retried(message)


class TimelineMessagesSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The cursor: catch up with `after_revision` set to it.")
    messages = MessageSerializer(many=True, help_text="A page: oldest first. A catch-up: in the order they changed.")
    earlier = serializers.IntegerField(
        allow_null=True,
        help_text="Pass as `before` for the page before these; null at the start of the conversation or when "
        "catching up (`after_revision`).",
    )
    more = serializers.BooleanField(
        help_text="Catching up only: more changes than one answer holds; ask again after `revision`."
    )


class ServiceWindowSerializer(serializers.Serializer):
    open = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    closes_at = serializers.DateTimeField(allow_null=True)


class ReplySerializer(serializers.Serializer):
    """May an agent reply free-form now: the same decision a send is judged by (refused sends answer 409)."""

    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why not, for people; empty when allowed")
    template_required = serializers.BooleanField(
        help_text="Refused only because the service window is closed: an approved template may be sent instead"
    )
    opted_out_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Refused because the customer opted out then and has not written since: nothing may be sent "
        "until they write again or opt in",
    )
    closes_at = serializers.DateTimeField(allow_null=True, help_text="When the service window closes, if it does")


class ChannelSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The channel's name for people")
    text_limit = serializers.IntegerField(help_text="Characters in one text message")
    caption_limit = serializers.IntegerField(help_text="Characters in the caption of a file")


class LastMessageSerializer(serializers.Serializer):
    """The list's preview of the latest message (schema only)."""

    direction = serializers.ChoiceField(choices=Direction.choices)
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    text = serializers.CharField(allow_blank=True)


class InteractionSerializer(RowSerializer):
    channel_user = ChannelUserSerializer(read_only=True)
    assigned_to = serializers.SerializerMethodField()
    assigned_to_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Whose it is (with `assigned_to`, their name): where routing keeps a conversation its agent's, "
        "a colleague who sees it reads along and adds notes",
    )
    closed_by_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Who closed it; null while open or when the desk closed it (an idle customer), which needs no "
        "wrap-up",
    )
    is_open = serializers.SerializerMethodField()
    service_window = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    channel = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "number",
            "type",
            "subtype",
            "state",
            "is_open",
            "channel_user",
            "assigned_to",
            "assigned_to_id",
            "queue",
            "automated_responder",
            "opened_at",
            "closed_at",
            "closed_by_id",
            "hold_reason",
            "state_reason",
            "last_message_at",
            "unread_count",
            "revision",
            "service_window",
            "reply",
            "last_message",
            "channel",
        ]

    def get_is_open(self, interaction: Interaction) -> bool:
        """New, in progress or on hold: the workspace asks this rather than keeping its own list of states."""
        return interaction.is_open

    def get_assigned_to(self, interaction: Interaction) -> str | None:
        return person_name(interaction.assigned_to)

    @extend_schema_field(ServiceWindowSerializer)
    def get_service_window(self, interaction: Interaction) -> dict:
        window = service_window_for(interaction.channel_user)
        return {
            "open": window.open,
            "reason": window.reason,
            "closes_at": window.closes_at.isoformat() if window.closes_at else None,
        }

    @extend_schema_field(ReplySerializer)
    def get_reply(self, interaction: Interaction) -> dict:
        """The window and the customer's consent together, so the composer is closed before the agent types."""
        decision = shown_reply_decision(interaction)
        return {
            "allowed": decision.allowed,
            "reason": decision.reason,
            "template_required": decision.template_required,
            "opted_out_at": decision.opted_out_at.isoformat() if decision.opted_out_at else None,
            "closes_at": decision.window_closes_at.isoformat() if decision.window_closes_at else None,
        }

    @extend_schema_field(ChannelSerializer)
    def get_channel(self, interaction: Interaction) -> dict:
        """The channel's name and limits, so the composer counts against the server's numbers, not its own."""
        capabilities = channel_capabilities(interaction.subtype)
        return {
            "label": capabilities.label,
            "text_limit": capabilities.text_limit,
            "caption_limit": capabilities.caption_limit,
        }

    @extend_schema_field(LastMessageSerializer(allow_null=True))
    def get_last_message(self, interaction: Interaction) -> dict | None:
        return interaction.last_message_preview or None


class InteractionDetailSerializer(InteractionSerializer):
    """The interaction with its newest page of messages (`selectors.with_newest_timeline_page`)."""

    messages = MessageSerializer(source="timeline_page.messages", many=True, read_only=True)
    earlier = serializers.IntegerField(
        source="timeline_page.earlier",
        allow_null=True,
        read_only=True,
        help_text="Pass as `before` to messages/ for the page before these; null when these start the conversation.",
    )

    class Meta(InteractionSerializer.Meta):
        fields = [*InteractionSerializer.Meta.fields, "messages", "earlier"]


def timeline_message_data(message: Message) -> dict:
    """One message as the timeline shows it, read again with everything the serializer needs (API answers, pushes)."""
    return MessageSerializer(message_for_timeline(message_id=message.pk)).data


def timeline_messages_data(messages: Iterable[Message]) -> dict[int, dict]:
    """`timeline_message_data` for many messages, by id: read again in one go and rendered by one serializer."""
    serializer = MessageSerializer()
    read = messages_for_timeline(message_ids=[message.pk for message in messages])
    return {message.pk: serializer.to_representation(message) for message in read}


def new_timeline_message_data(message: Message) -> dict:
    """`timeline_message_data` for a message just appended, from the row in hand instead of read again (the push of
    every new message)."""
    return MessageSerializer().to_representation(new_message_for_timeline(message))
