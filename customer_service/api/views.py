"""API v1 for the workspace's side panel: who the customer is, their cases and requests, answers to share and
the catalog. Thin: find what the user may see, validate, call a service, serialize. Anyone who may view the
conversation reads; only agents change anything."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customer_service.api.serializers import (
    AnswerHitSerializer,
    CaseCommentSerializer,
    CaseSerializer,
    CaseStateChangeSerializer,
    CatalogCategorySerializer,
    CatalogRequestSerializer,
    ContactLinkSerializer,
    ContactSerializer,
    CustomerProfileSerializer,
    LinkCaseSerializer,
    NewCaseCommentSerializer,
    NewCaseSerializer,
    NewCatalogRequestSerializer,
)
from customer_service.errors import InputRefused
from customer_service.models import Case, CaseCategory, CatalogItem, Contact
from customer_service.selectors import contacts_matching, customer_profile
from customer_service.services.cases import (
    add_case_comment,
    case_comments,
    change_case_state,
    is_customers_case,
    link_case_to_interaction,
    open_case,
)
from customer_service.services.catalog import catalog_tree, submit_request
from customer_service.services.contacts import link_contact, unlink_contact
from customer_service.services.search import MAX_RESULTS, search_answers
from interactions.api.query import validated_query
from interactions.api.schema import answers
from interactions.api.views import visible_interaction
from interactions.models import MessageAttachment
from interactions.roles import may_send_messages, may_view_interactions
from interactions.services.outbound import refuse_unless_theirs_to_act_in


def _agent_writes(request: Request, pk: int, body: type[serializers.Serializer], *, what: str):
    """The conversation (404 unless visible) and the request's validated body, if an agent may `what` in it: not in
    a colleague's conversation they read along in (403), as for every act in a conversation."""
    interaction = visible_interaction(request, pk)
    if not may_send_messages(request.user):
        raise PermissionDenied(f"Only agents may {what}.")
    refuse_unless_theirs_to_act_in(interaction, agent=request.user, action=what)
    reader = body(data=request.data)
    reader.is_valid(raise_exception=True)
    return interaction, reader.validated_data


def _viewer_only(request: Request) -> None:
    if not may_view_interactions(request.user):
        raise PermissionDenied("Only agents, managers and admins may read customer service data.")


def _profile_response(interaction) -> Response:
    return Response(CustomerProfileSerializer(customer_profile(interaction.channel_user)).data)


def _named(rows: QuerySet, what: str, key: object):
    """The row the request names, or a 400 saying there is no such `what`."""
    found = rows.first()
    if found is None:
        raise InputRefused(f"There is no {what} {key}.")
    return found


class InteractionCustomer(APIView):
    @extend_schema(
        responses=answers({200: CustomerProfileSerializer}, 404),
        description="The conversation's customer as customer service knows them: the contact and account they are "
        "recognised as (by their phone number, or an agent's link), their cases and catalog requests.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return _profile_response(visible_interaction(request, pk))


class InteractionContact(APIView):
    @extend_schema(
        request=ContactLinkSerializer,
        responses=answers({200: CustomerProfileSerializer}, 400, 404),
        description="Links the conversation's customer to a contact, or (null) records that they are nobody known: "
        "either beats the phone-number match from then on.",
    )
    def put(self, request: Request, pk: int) -> Response:
        interaction, fields = _agent_writes(request, pk, ContactLinkSerializer, what="link customers to contacts")
        contact_id = fields["contact_id"]
        if contact_id is None:
            unlink_contact(channel_user=interaction.channel_user, by=request.user)
        else:
            contact = _named(Contact.objects.filter(pk=contact_id), "contact", contact_id)
            link_contact(channel_user=interaction.channel_user, contact=contact, by=request.user)
        return _profile_response(interaction)


class InteractionCases(APIView):
    @extend_schema(
        request=NewCaseSerializer,
        responses=answers({201: CaseSerializer}, 400, 404),
        description="Opens a case for the conversation's customer, linked to the conversation, with the files of "
        "the customer's messages given (referenced, not copied). The case number is in the answer.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction, fields = _agent_writes(request, pk, NewCaseSerializer, what="open cases")
        category = None
        if fields.get("category_id") is not None:
            category = _named(
                CaseCategory.objects.filter(pk=fields["category_id"]), "case category", fields["category_id"]
            )
        attachments = _customer_files(interaction, fields["attachment_message_ids"])
        case = open_case(
            short_description=fields["short_description"],
            description=fields["description"],
            interaction=interaction,
            opened_by=request.user,
            category=category,
            priority=fields["priority"],
            attachments=attachments,
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


def _customer_files(interaction, message_ids: list[int]) -> list[MessageAttachment]:
    files = list(
        MessageAttachment.objects.filter(message__interaction=interaction, message_id__in=message_ids).select_related(
            "message__interaction"
        )
    )
    missing = set(message_ids) - {attachment.message_id for attachment in files}
    if missing:
        raise InputRefused(f"Messages {sorted(missing)} are not files of this conversation.")
    return files


class InteractionCaseLink(APIView):
    @extend_schema(
        request=LinkCaseSerializer,
        responses=answers({200: CaseSerializer}, 400, 404),
        description="Links one of the customer's existing cases to this conversation (linking twice is once).",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction, fields = _agent_writes(request, pk, LinkCaseSerializer, what="link cases")
        number = fields["number"].strip().upper()
        case = _named(Case.objects.filter(number=number), "case", number)
        link_case_to_interaction(case, interaction=interaction, by=request.user)
        case = Case.objects.select_related("category").prefetch_related("interaction_links").get(pk=case.pk)
        return Response(CaseSerializer(case).data)


def _customers_case(interaction, case_id: int) -> Case:
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not is_customers_case(case, interaction.channel_user):
        raise NotFound("This conversation's customer has no such case.")
    return case


class InteractionCaseComments(APIView):
    @extend_schema(
        responses=answers({200: CaseCommentSerializer(many=True)}, 404),
        description="The comments on one of the conversation's customer's cases, oldest first: the customer's, "
        "agents' comments (sent to the customer) and agents' work notes (`internal`, never sent).",
    )
    def get(self, request: Request, pk: int, case_id: int) -> Response:
        case = _customers_case(visible_interaction(request, pk), case_id)
        return Response(CaseCommentSerializer(case_comments(case), many=True).data)

    @extend_schema(
        request=NewCaseCommentSerializer,
        responses=answers({201: CaseCommentSerializer}, 400, 404, 409),
        description="Adds a work note (`internal`: for agents only) or a comment the customer is sent on their "
        "channel, as the notification rules allow (free-form in their window, else the `case_comment` template). "
        "A closed or cancelled case takes none (409).",
    )
    def post(self, request: Request, pk: int, case_id: int) -> Response:
        interaction, fields = _agent_writes(request, pk, NewCaseCommentSerializer, what="comment on cases")
        case = _customers_case(interaction, case_id)
        comment = add_case_comment(case, text=fields["text"], internal=fields["internal"], author=request.user)
        return Response(CaseCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class InteractionCaseState(APIView):
    @extend_schema(
        request=CaseStateChangeSerializer,
        responses=answers({200: CaseSerializer}, 400, 404),
        description="Moves one of the conversation's customer's cases to a state, recorded in its history as "
        "yours; the customer is told on their channel, as the notification rules allow.",
    )
    def post(self, request: Request, pk: int, case_id: int) -> Response:
        interaction, fields = _agent_writes(request, pk, CaseStateChangeSerializer, what="change cases")
        case = change_case_state(_customers_case(interaction, case_id), state=fields["state"], by=request.user)
        return Response(CaseSerializer(case).data)


class InteractionCatalogRequests(APIView):
    @extend_schema(
        request=NewCatalogRequestSerializer,
        responses=answers({201: CatalogRequestSerializer}, 400, 404),
        description="Requests a catalog item on the customer's behalf. Every answer is checked as the virtual "
        "agent checks the customer's; a 400 lists each problem, and nothing is stored.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction, fields = _agent_writes(
            request, pk, NewCatalogRequestSerializer, what="request catalog items for customers"
        )
        item = _named(CatalogItem.objects.filter(pk=fields["item_id"]), "catalog item", fields["item_id"])
        catalog_request = submit_request(
            item=item, answers=fields["answers"], interaction=interaction, requested_by=request.user
        )
        return Response(CatalogRequestSerializer(catalog_request).data, status=status.HTTP_201_CREATED)


class AnswerQuery(serializers.Serializer):
    q = serializers.CharField(max_length=500, help_text="The question, as the customer would ask it")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_RESULTS, default=5)


class AnswerSearch(APIView):
    @extend_schema(
        parameters=[AnswerQuery],
        responses=answers({200: AnswerHitSerializer(many=True)}, 400),
        description="Knowledge articles and community answers that answer the question, best first, each with "
        "the text sharing it sends the customer (title, snippet and the link to the whole answer).",
    )
    def get(self, request: Request) -> Response:
        _viewer_only(request)
        query = validated_query(request, AnswerQuery)
        return Response(AnswerHitSerializer(search_answers(query["q"], limit=query["limit"]), many=True).data)


class ContactQuery(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Name, email, account or phone digits")


class ContactSearch(APIView):
    @extend_schema(
        parameters=[ContactQuery],
        responses=answers({200: ContactSerializer(many=True)}, 400),
        description="Contacts to link a customer to; at most 20.",
    )
    def get(self, request: Request) -> Response:
        _viewer_only(request)
        query = validated_query(request, ContactQuery)
        return Response(ContactSerializer(contacts_matching(query["q"]), many=True).data)


class Catalog(APIView):
    @extend_schema(
        responses=answers({200: CatalogCategorySerializer(many=True)}),
        description="The service catalog: categories with their active items, each with its questions in order.",
    )
    def get(self, request: Request) -> Response:
        _viewer_only(request)
        return Response(CatalogCategorySerializer(catalog_tree(), many=True).data)
