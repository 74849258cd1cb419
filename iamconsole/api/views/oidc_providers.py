"""OIDC identity providers: /oidc-providers/ (ListOpenIDConnectProviders,
CreateOpenIDConnectProvider), /oidc-providers/<arn>/ (Get, Delete), its thumbprints
(UpdateOpenIDConnectProviderThumbprint), client ids (AddClientIDTo / RemoveClientIDFrom) and
tags (the shared TagsView). A provider is named in the URL by its ARN."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import services as iam

from .. import serializers as s
from ..pagination import paginate
from ..schema import paginated
from .base import IAMView, valid


class OpenIDConnectProvidersView(IAMView):
    iam_actions = {"GET": "iam:ListOpenIDConnectProviders",
                   "POST": "iam:CreateOpenIDConnectProvider"}

    @extend_schema(responses=paginated(s.OpenIDConnectProviderSerializer),
                   summary="ListOpenIDConnectProviders")
    def get(self, request):
        return paginate(self, iam.list_open_id_connect_providers(self.caller),
                        s.OpenIDConnectProviderSerializer)

    @extend_schema(request=s.CreateOpenIDConnectProviderSerializer,
                   responses={201: s.OpenIDConnectProviderSerializer},
                   summary="CreateOpenIDConnectProvider")
    def post(self, request):
        data = valid(s.CreateOpenIDConnectProviderSerializer, request.data)
        provider = iam.create_open_id_connect_provider(
            self.caller, data["url"], client_id_list=data.get("client_id_list"),
            thumbprint_list=data.get("thumbprint_list"), tags=data.get("tags"))
        return Response(s.OpenIDConnectProviderSerializer(provider).data, status=201)


class OpenIDConnectProviderView(IAMView):
    iam_actions = {"GET": "iam:GetOpenIDConnectProvider",
                   "DELETE": "iam:DeleteOpenIDConnectProvider"}

    @extend_schema(responses=s.OpenIDConnectProviderSerializer,
                   summary="GetOpenIDConnectProvider")
    def get(self, request, arn):
        provider = iam.get_open_id_connect_provider(self.caller, arn)
        return Response(s.OpenIDConnectProviderSerializer(provider).data)

    @extend_schema(responses={204: None}, summary="DeleteOpenIDConnectProvider")
    def delete(self, request, arn):
        iam.delete_open_id_connect_provider(self.caller, arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ThumbprintsView(IAMView):
    iam_actions = {"PUT": "iam:UpdateOpenIDConnectProviderThumbprint"}

    @extend_schema(request=s.ThumbprintsSerializer,
                   responses=s.OpenIDConnectProviderSerializer,
                   summary="UpdateOpenIDConnectProviderThumbprint")
    def put(self, request, arn):
        data = valid(s.ThumbprintsSerializer, request.data)
        provider = iam.update_open_id_connect_provider_thumbprint(self.caller, arn,
                                                                  data["thumbprint_list"])
        return Response(s.OpenIDConnectProviderSerializer(provider).data)


class ClientIDsView(IAMView):
    iam_actions = {"POST": "iam:AddClientIDToOpenIDConnectProvider",
                   "DELETE": "iam:RemoveClientIDFromOpenIDConnectProvider"}

    @extend_schema(request=s.ClientIDSerializer, responses=s.OpenIDConnectProviderSerializer,
                   summary="AddClientIDToOpenIDConnectProvider")
    def post(self, request, arn):
        data = valid(s.ClientIDSerializer, request.data)
        provider = iam.add_client_id_to_open_id_connect_provider(self.caller, arn,
                                                                 data["client_id"])
        return Response(s.OpenIDConnectProviderSerializer(provider).data)

    @extend_schema(parameters=[OpenApiParameter("client_id", str, required=True)],
                   responses=s.OpenIDConnectProviderSerializer,
                   summary="RemoveClientIDFromOpenIDConnectProvider (?client_id=)")
    def delete(self, request, arn):
        data = valid(s.ClientIDSerializer, request.query_params)
        provider = iam.remove_client_id_from_open_id_connect_provider(self.caller, arn,
                                                                      data["client_id"])
        return Response(s.OpenIDConnectProviderSerializer(provider).data)
