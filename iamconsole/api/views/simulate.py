"""The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy. Results are AWS's
EvaluationResult objects, field for field (EvalActionName, EvalDecision, MatchedStatements…)."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from iamconsole.iam import simulation

from .. import serializers as s
from .base import IAMView, valid


class ContextEntrySerializer(serializers.Serializer):
    context_key_name = serializers.CharField(max_length=256)
    context_key_values = serializers.ListField(child=serializers.CharField(max_length=1024),
                                               max_length=1000)
    context_key_type = serializers.ChoiceField([
        "string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip",
        "ipList", "binary", "binaryList", "date", "dateList"])

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {"ContextKeyName": value["context_key_name"],
                "ContextKeyValues": value["context_key_values"],
                "ContextKeyType": value["context_key_type"]}


def _documents(**kwargs):
    return serializers.ListField(child=s.PolicyDocumentField(), max_length=100, **kwargs)


class _SimulateCommon(serializers.Serializer):
    action_names = serializers.ListField(child=serializers.CharField(max_length=128),
                                         min_length=1, max_length=1000)
    resource_arns = serializers.ListField(child=serializers.CharField(max_length=2048),
                                          required=False, max_length=1000)
    permissions_boundary_policy_input_list = _documents(required=False)
    resource_policy = s.PolicyDocumentField(required=False)
    resource_owner = serializers.CharField(max_length=2048, required=False)
    caller_arn = serializers.CharField(max_length=2048, required=False)
    context_entries = ContextEntrySerializer(many=True, required=False)
    resource_handling_option = serializers.CharField(max_length=64, required=False)


class SimulatePrincipalSerializer(_SimulateCommon):
    policy_source_arn = serializers.CharField(max_length=2048)
    policy_input_list = _documents(required=False)
    policy_exclusion_list = serializers.ListField(child=serializers.CharField(max_length=2048),
                                                  required=False, max_length=100)


class SimulateCustomSerializer(_SimulateCommon):
    policy_input_list = _documents(min_length=1)


class EvaluationResultsSerializer(serializers.Serializer):
    evaluation_results = serializers.ListField(
        child=serializers.DictField(),
        help_text="AWS EvaluationResult objects (EvalActionName, EvalResourceName, "
                  "EvalDecision, MatchedStatements, MissingContextValues, …).")


def _simulate_view(operation: str, serializer: type[serializers.Serializer], source_field: str,
                   run: Callable[..., list[simulation.EvaluationResult]]) -> type[IAMView]:
    """POST the serializer's fields → `run(caller, <source_field>, action_names, **rest)` →
    the AWS results. One view for both simulations, which differ only by what they name."""

    @extend_schema_view(post=extend_schema(request=serializer,
                                           responses=EvaluationResultsSerializer,
                                           summary=operation))
    class SimulateView(IAMView):
        iam_actions = {"POST": f"iam:{operation}"}

        def post(self, request):
            data = valid(serializer, request.data)
            source = data.pop(source_field)
            actions = data.pop("action_names")
            results = run(self.caller, source, actions, **data)
            return Response({"evaluation_results": [r.as_aws_dict() for r in results]})

    SimulateView.__name__ = SimulateView.__qualname__ = f"{operation.removesuffix('Policy')}View"
    return SimulateView


SimulatePrincipalView = _simulate_view("SimulatePrincipalPolicy", SimulatePrincipalSerializer,
                                       "policy_source_arn", simulation.simulate_principal_policy)
SimulateCustomView = _simulate_view("SimulateCustomPolicy", SimulateCustomSerializer,
                                    "policy_input_list", simulation.simulate_custom_policy)
