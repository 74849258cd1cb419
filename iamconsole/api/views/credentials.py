"""A user's credentials: access keys (the secret is in the creation response only), the console
login profile and MFA devices (list, deactivate)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import services as iam

from .. import serializers as s
from .base import IAMView, valid


class AccessKeysView(IAMView):
    iam_actions = {"GET": "iam:ListAccessKeys", "POST": "iam:CreateAccessKey"}

    @extend_schema(responses=s.AccessKeySerializer(many=True), summary="ListAccessKeys")
    def get(self, request, user_name):
        keys = iam.list_access_keys(self.caller, user_name).select_related("user")
        return Response(s.AccessKeySerializer(keys, many=True).data)

    @extend_schema(request=None, responses={201: s.NewAccessKeySerializer},
                   summary="CreateAccessKey (the secret is returned this once)")
    def post(self, request, user_name):
        new = iam.create_access_key(self.caller, user_name)
        data = {**s.AccessKeySerializer(new.access_key).data,
                "secret_access_key": new.secret_access_key}
        return Response(data, status=201, headers={"Cache-Control": "no-store"})


class AccessKeyView(IAMView):
    iam_actions = {"GET": "iam:GetAccessKeyLastUsed", "PATCH": "iam:UpdateAccessKey",
                   "DELETE": "iam:DeleteAccessKey"}

    @extend_schema(responses=s.AccessKeySerializer, summary="GetAccessKeyLastUsed")
    def get(self, request, user_name, access_key_id):
        key = iam.get_user_access_key_last_used(self.caller, user_name, access_key_id)
        return Response(s.AccessKeySerializer(key).data)

    @extend_schema(request=s.UpdateAccessKeySerializer, responses=s.AccessKeySerializer,
                   summary="UpdateAccessKey (Active / Inactive)")
    def patch(self, request, user_name, access_key_id):
        data = valid(s.UpdateAccessKeySerializer, request.data)
        key = iam.update_access_key(self.caller, access_key_id, data["status"], user_name)
        return Response(s.AccessKeySerializer(key).data)

    @extend_schema(responses={204: None}, summary="DeleteAccessKey")
    def delete(self, request, user_name, access_key_id):
        iam.delete_access_key(self.caller, access_key_id, user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginProfileView(IAMView):
    iam_actions = {"GET": "iam:GetLoginProfile", "POST": "iam:CreateLoginProfile",
                   "PATCH": "iam:UpdateLoginProfile", "DELETE": "iam:DeleteLoginProfile"}

    @extend_schema(responses=s.LoginProfileSerializer, summary="GetLoginProfile")
    def get(self, request, user_name):
        return Response(s.LoginProfileSerializer(
            iam.get_login_profile(self.caller, user_name)).data)

    @extend_schema(request=s.CreateLoginProfileSerializer,
                   responses={201: s.LoginProfileSerializer}, summary="CreateLoginProfile")
    def post(self, request, user_name):
        data = valid(s.CreateLoginProfileSerializer, request.data)
        user = iam.create_login_profile(self.caller, user_name, data["password"],
                                        password_reset_required=data["password_reset_required"])
        return Response(s.LoginProfileSerializer(user).data, status=201)

    @extend_schema(request=s.UpdateLoginProfileSerializer, responses=s.LoginProfileSerializer,
                   summary="UpdateLoginProfile")
    def patch(self, request, user_name):
        data = valid(s.UpdateLoginProfileSerializer, request.data)
        user = iam.update_login_profile(
            self.caller, user_name, password=data.get("password"),
            password_reset_required=data.get("password_reset_required"),
        )
        return Response(s.LoginProfileSerializer(user).data)

    @extend_schema(responses={204: None}, summary="DeleteLoginProfile")
    def delete(self, request, user_name):
        iam.delete_login_profile(self.caller, user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MFADevicesView(IAMView):
    iam_actions = {"GET": "iam:ListMFADevices"}

    @extend_schema(responses=s.MFADeviceSerializer(many=True), summary="ListMFADevices")
    def get(self, request, user_name):
        devices = iam.list_mfa_devices(self.caller, user_name).select_related("user")
        return Response(s.MFADeviceSerializer(devices, many=True).data)


class MFADeviceView(IAMView):
    iam_actions = {"DELETE": "iam:DeactivateMFADevice"}

    @extend_schema(responses={204: None},
                   summary="DeactivateMFADevice (named by serial number or device name)")
    def delete(self, request, user_name, serial_number):
        iam.deactivate_mfa_device(self.caller, user_name, iam.mfa_serial_number(serial_number))
        return Response(status=status.HTTP_204_NO_CONTENT)
