"""Sub-resources users, groups and roles share: tags, attached managed policies, inline
policies (ETag = hash of the document) and the permissions boundary."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import audit
from iamconsole.iam import services as iam
from iamconsole.iam.errors import NoSuchEntity

from .. import serializers as s
from ..etags import check_document_etag, document_etag
from .base import KindView, policy_arn, valid


class TagsView(KindView):
    iam_actions = {"GET": "iam:List{noun}Tags", "POST": "iam:Tag{noun}",
                   "DELETE": "iam:Untag{noun}"}

    @extend_schema(responses=s.TagsSerializer, summary="List tags")
    def get(self, request, name):
        return Response({"tags": self.op("List{noun}Tags")(self.caller, name)})

    @extend_schema(request=s.TagsSerializer, responses=s.TagsSerializer,
                   summary="Add or overwrite tags")
    def post(self, request, name):
        data = valid(s.TagsSerializer, request.data)
        entity = self.op("Tag{noun}")(self.caller, name, data["tags"])
        return Response({"tags": entity.tags})

    @extend_schema(parameters=[s.TagKeysSerializer], responses={200: s.TagsSerializer},
                   summary="Remove tags (?key=a&key=b)")
    def delete(self, request, name):
        data = valid(s.TagKeysSerializer, request.query_params)
        entity = self.op("Untag{noun}")(self.caller, name, data["key"])
        return Response({"tags": entity.tags})


class AttachedPoliciesView(KindView):
    iam_actions = {"GET": "iam:ListAttached{noun}Policies", "POST": "iam:Attach{noun}Policy"}

    @extend_schema(responses=s.AttachedPolicySerializer(many=True),
                   summary="List attached managed policies")
    def get(self, request, name):
        policies = iam.list_attached_policies(self.caller, self.kind, name)
        return Response(s.AttachedPolicySerializer(policies, many=True).data)

    @extend_schema(request=s.PolicyArnSerializer, responses={204: None},
                   summary="Attach a managed policy")
    def post(self, request, name):
        data = valid(s.PolicyArnSerializer, request.data)
        iam.attach_policy(self.caller, self.kind, name, data["policy_arn"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachedPolicyView(KindView):
    iam_actions = {"DELETE": "iam:Detach{noun}Policy"}

    @extend_schema(responses={204: None},
                   summary="Detach a managed policy (named by ARN or PolicyId)")
    def delete(self, request, name, policy):
        iam.detach_policy(self.caller, self.kind, name, policy_arn(policy, as_named=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InlinePoliciesView(KindView):
    iam_actions = {"GET": "iam:List{noun}Policies"}

    @extend_schema(responses=s.InlinePolicyNameSerializer(many=True),
                   summary="List inline policy names")
    def get(self, request, name):
        policies = iam.list_inline_policies(self.caller, self.kind, name)
        return Response(s.InlinePolicyNameSerializer(policies, many=True).data)


class InlinePolicyView(KindView):
    iam_actions = {"GET": "iam:Get{noun}Policy", "PUT": "iam:Put{noun}Policy",
                   "DELETE": "iam:Delete{noun}Policy"}

    def _respond(self, inline, code=200) -> Response:
        response = Response(s.InlinePolicySerializer(inline).data, status=code)
        response["ETag"] = document_etag(inline.document)
        return response

    def _check_precondition(self, request, name: str, policy_name: str) -> None:
        """If-Match: lock the identity (the domain write locks it too) and compare the current
        document's ETag, so no write can slip between the check and the change."""
        if "If-Match" not in request.headers:
            return
        iam.lock_entity(self.entity_kind.find(name))
        try:
            current = iam.get_inline_policy(self.caller, self.kind, name, policy_name).document
        except NoSuchEntity:
            current = None
        check_document_etag(request, current)

    @extend_schema(responses=s.InlinePolicySerializer, summary="Get an inline policy")
    def get(self, request, name, policy_name):
        return self._respond(iam.get_inline_policy(self.caller, self.kind, name, policy_name))

    @extend_schema(request=s.PutInlinePolicySerializer, responses=s.InlinePolicySerializer,
                   summary="Create or replace an inline policy (If-Match: its ETag)")
    def put(self, request, name, policy_name):
        data = valid(s.PutInlinePolicySerializer, request.data)
        with audit.atomic():  # a denial inside is rolled back but stays audited
            self._check_precondition(request, name, policy_name)
            inline = iam.put_inline_policy(self.caller, self.kind, name, policy_name,
                                           data["policy_document"])
        return self._respond(inline)

    @extend_schema(responses={204: None}, summary="Delete an inline policy (If-Match: its ETag)")
    def delete(self, request, name, policy_name):
        with audit.atomic():  # a denial inside is rolled back but stays audited
            self._check_precondition(request, name, policy_name)
            iam.delete_inline_policy(self.caller, self.kind, name, policy_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoundaryView(KindView):
    iam_actions = {"GET": "iam:Get{noun}", "PUT": "iam:Put{noun}PermissionsBoundary",
                   "DELETE": "iam:Delete{noun}PermissionsBoundary"}

    @staticmethod
    def _body(entity) -> dict:
        boundary = entity.permissions_boundary
        return {"permissions_boundary": boundary.arn if boundary is not None else None}

    @extend_schema(responses=s.BoundarySerializer, summary="The permissions boundary")
    def get(self, request, name):
        return Response(self._body(self.op("Get{noun}")(self.caller, name)))

    @extend_schema(request=s.PolicyArnSerializer, responses=s.BoundarySerializer,
                   summary="Set the permissions boundary")
    def put(self, request, name):
        data = valid(s.PolicyArnSerializer, request.data)
        return Response(self._body(self.op("Put{noun}PermissionsBoundary")(self.caller, name,
                                                               data["policy_arn"])))

    @extend_schema(responses={204: None}, summary="Remove the permissions boundary")
    def delete(self, request, name):
        self.op("Delete{noun}PermissionsBoundary")(self.caller, name)
        return Response(status=status.HTTP_204_NO_CONTENT)
