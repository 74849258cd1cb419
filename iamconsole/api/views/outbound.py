"""REST: outbound web identity federation of the account (iam/outbound_federation.py).

GET  /api/v1/outbound-web-identity-federation/  GetOutboundWebIdentityFederationInfo
POST /api/v1/outbound-web-identity-federation/  EnableOutboundWebIdentityFederation
DELETE ...                                      DisableOutboundWebIdentityFederation
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from iamconsole.iam import outbound_federation

from .base import IAMView


class OutboundFederationSerializer(serializers.Serializer):
    issuer_identifier = serializers.CharField()
    jwt_vending_enabled = serializers.BooleanField()


def _body(info: outbound_federation.FederationInfo) -> dict:
    return {"issuer_identifier": info.issuer_identifier, "jwt_vending_enabled": info.enabled}


class OutboundFederationView(IAMView):
    iam_actions = {"GET": "iam:GetOutboundWebIdentityFederationInfo",
                   "POST": "iam:EnableOutboundWebIdentityFederation",
                   "DELETE": "iam:DisableOutboundWebIdentityFederation"}

    @extend_schema(responses=OutboundFederationSerializer,
                   summary="GetOutboundWebIdentityFederationInfo")
    def get(self, request):
        return Response(_body(outbound_federation.get_info(self.caller)))

    @extend_schema(request=None, responses={201: OutboundFederationSerializer},
                   summary="EnableOutboundWebIdentityFederation")
    def post(self, request):
        return Response(_body(outbound_federation.enable(self.caller)),
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="DisableOutboundWebIdentityFederation")
    def delete(self, request):
        outbound_federation.disable(self.caller)
        return Response(status=status.HTTP_204_NO_CONTENT)
