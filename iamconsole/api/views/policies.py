"""Managed policies and their versions. A policy is named in URLs by its PolicyId (ANPA…); its
ETag is the policy's revision, which If-Match hands to the domain operation (stale → 412)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import services as iam

from .. import serializers as s
from ..etags import if_match_revision, precondition, revision_etag
from ..pagination import paginate
from ..schema import paginated
from .base import IAMView, policy_arn, valid


def _policy_response(policy, code: int = 200) -> Response:
    """The policy as it is now (read again after a change: revision, counts, default version),
    its revision as the ETag."""
    policy = iam.refreshed_policy(policy)
    response = Response(s.PolicySerializer(policy).data, status=code)
    response["ETag"] = revision_etag(policy)
    return response


def _change_versions(view: IAMView, policy_id: str, operation, *args, code: int = 200,
                     **kwargs) -> Response:
    """A change of a policy's versions under If-Match (the policy's ETag; stale → 412): the
    version it answers, with the policy's new revision as the ETag."""
    with precondition():
        version = operation(view.caller, policy_arn(policy_id, view), *args,
                            revision=if_match_revision(view.request), **kwargs)
    response = Response(s.PolicyVersionSerializer(version).data, status=code)
    response["ETag"] = revision_etag(iam.refreshed_policy(version.policy))
    return response


class PoliciesView(IAMView):
    iam_actions = {"GET": "iam:ListPolicies", "POST": "iam:CreatePolicy"}

    @extend_schema(parameters=[s.PolicyListFilterSerializer],
                   responses=paginated(s.PolicySerializer), summary="ListPolicies")
    def get(self, request):
        f = valid(s.PolicyListFilterSerializer, request.query_params)
        policies = iam.list_policies(
            self.caller, scope=f.get("scope", "All"), only_attached=f.get("only_attached", False),
            path_prefix=f.get("path_prefix"), policy_usage_filter=f.get("policy_usage_filter"),
        ).prefetch_related("versions")
        policies = iam.filter_by_policy_arn(iam.filter_by_tag(policies, f.get("tag")), f.get("arn"))
        return paginate(self, policies, s.PolicySerializer)

    @extend_schema(request=s.CreatePolicySerializer, responses={201: s.PolicySerializer},
                   summary="CreatePolicy")
    def post(self, request):
        data = valid(s.CreatePolicySerializer, request.data)
        policy = iam.create_policy(self.caller, data["policy_name"], data["policy_document"],
                                   path=data.get("path"), description=data.get("description"),
                                   tags=data.get("tags"))
        return _policy_response(policy, 201)


class PolicyView(IAMView):
    iam_actions = {"GET": "iam:GetPolicy", "PATCH": "iam:CreatePolicyVersion",
                   "DELETE": "iam:DeletePolicy"}

    @extend_schema(responses=s.PolicySerializer, summary="GetPolicy")
    def get(self, request, policy_id):
        return _policy_response(iam.get_policy(self.caller, policy_arn(policy_id, self)))

    @extend_schema(request=s.UpdatePolicySerializer, responses=s.PolicySerializer,
                   summary="Change the description (If-Match: the policy's ETag)")
    def patch(self, request, policy_id):
        data = valid(s.UpdatePolicySerializer, request.data)
        with precondition():
            policy = iam.update_policy_description(self.caller, policy_arn(policy_id, self),
                                                   data["description"],
                                                   revision=if_match_revision(request))
        return _policy_response(policy)

    @extend_schema(responses={204: None}, summary="DeletePolicy")
    def delete(self, request, policy_id):
        iam.delete_policy(self.caller, policy_arn(policy_id, self))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyVersionsView(IAMView):
    iam_actions = {"GET": "iam:ListPolicyVersions", "POST": "iam:CreatePolicyVersion"}

    @extend_schema(responses=s.PolicyVersionSerializer(many=True), summary="ListPolicyVersions")
    def get(self, request, policy_id):
        versions = iam.list_policy_versions(self.caller, policy_arn(policy_id, self))
        return Response(s.PolicyVersionSerializer(versions, many=True).data)

    @extend_schema(request=s.CreatePolicyVersionSerializer,
                   responses={201: s.PolicyVersionSerializer},
                   summary="CreatePolicyVersion (If-Match: the policy's ETag)")
    def post(self, request, policy_id):
        data = valid(s.CreatePolicyVersionSerializer, request.data)
        return _change_versions(self, policy_id, iam.create_policy_version,
                                data["policy_document"], set_as_default=data["set_as_default"],
                                code=201)


class PolicyVersionView(IAMView):
    iam_actions = {"GET": "iam:GetPolicyVersion", "DELETE": "iam:DeletePolicyVersion"}

    @extend_schema(responses=s.PolicyVersionSerializer, summary="GetPolicyVersion")
    def get(self, request, policy_id, version_id):
        version = iam.get_policy_version(self.caller, policy_arn(policy_id, self), version_id)
        return Response(s.PolicyVersionSerializer(version).data)

    @extend_schema(responses={204: None}, summary="DeletePolicyVersion")
    def delete(self, request, policy_id, version_id):
        iam.delete_policy_version(self.caller, policy_arn(policy_id, self), version_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DefaultVersionView(IAMView):
    iam_actions = {"PUT": "iam:SetDefaultPolicyVersion"}

    @extend_schema(request=s.DefaultVersionSerializer, responses=s.PolicyVersionSerializer,
                   summary="SetDefaultPolicyVersion (If-Match: the policy's ETag)")
    def put(self, request, policy_id):
        data = valid(s.DefaultVersionSerializer, request.data)
        return _change_versions(self, policy_id, iam.set_default_policy_version,
                                data["version_id"])


class PolicyEntitiesView(IAMView):
    iam_actions = {"GET": "iam:ListEntitiesForPolicy"}

    @extend_schema(responses=s.PolicyEntitiesSerializer, summary="ListEntitiesForPolicy")
    def get(self, request, policy_id):
        entities = iam.list_entities_for_policy(self.caller, policy_arn(policy_id, self))
        return Response({
            kind: [{"name": e.name, "arn": e.arn} for e in getattr(entities, kind)]
            for kind in ("users", "groups", "roles")
        })


class PolicyTagsView(IAMView):
    iam_actions = {"GET": "iam:ListPolicyTags", "POST": "iam:TagPolicy",
                   "DELETE": "iam:UntagPolicy"}

    @extend_schema(responses=s.TagsSerializer, summary="ListPolicyTags")
    def get(self, request, policy_id):
        return Response({"tags": iam.list_policy_tags(self.caller, policy_arn(policy_id, self))})

    @extend_schema(request=s.TagsSerializer, responses=s.TagsSerializer, summary="TagPolicy")
    def post(self, request, policy_id):
        data = valid(s.TagsSerializer, request.data)
        policy = iam.tag_policy(self.caller, policy_arn(policy_id, self), data["tags"])
        return Response({"tags": policy.tags})

    @extend_schema(parameters=[s.TagKeysSerializer], responses={200: s.TagsSerializer},
                   summary="UntagPolicy (?key=a&key=b)")
    def delete(self, request, policy_id):
        data = valid(s.TagKeysSerializer, request.query_params)
        policy = iam.untag_policy(self.caller, policy_arn(policy_id, self), data["key"])
        return Response({"tags": policy.tags})
