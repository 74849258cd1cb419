"""Access Advisor on the REST API: `GET /<users|groups|roles>/<name>/last-accessed/` and
`GET /policies/<id>/last-accessed/` generate a report (GenerateServiceLastAccessedDetails,
computed at once) and answer it (GetServiceLastAccessedDetails), with
`?service_namespace=` the report's entities for that service too
(GetServiceLastAccessedDetailsWithEntities)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from iamconsole.iam import services as iam

from .. import serializers as s
from .base import IAMView, KindView, policy_arn, valid

_ACTIONS = {"GET": "iam:GenerateServiceLastAccessedDetails"}
_SCHEMA = extend_schema(parameters=[s.LastAccessedQuerySerializer],
                        responses=s.LastAccessedReportSerializer,
                        summary="GenerateServiceLastAccessedDetails + "
                                "GetServiceLastAccessedDetails (?granularity=ACTION_LEVEL)")


def _report(view: IAMView, arn: str) -> Response:
    query = valid(s.LastAccessedQuerySerializer, view.request.query_params)
    job_id = iam.generate_service_last_accessed_details(view.caller, arn,
                                                        query.get("granularity"))
    job = iam.get_service_last_accessed_details(view.caller, job_id)
    data = s.LastAccessedReportSerializer(job).data
    if query.get("service_namespace"):
        _job, entities = iam.get_service_last_accessed_details_with_entities(
            view.caller, job_id, query["service_namespace"])
        data["entity_details"] = s.EntityDetailsSerializer(entities, many=True).data
    return Response(data)


class LastAccessedView(KindView):
    iam_actions = _ACTIONS

    @_SCHEMA
    def get(self, request, name):
        entity = self.entity_kind.find(name, self.caller, _ACTIONS["GET"])
        return _report(self, entity.arn)


class PolicyLastAccessedView(IAMView):
    iam_actions = _ACTIONS

    @_SCHEMA
    def get(self, request, policy_id):
        return _report(self, policy_arn(policy_id, self))
