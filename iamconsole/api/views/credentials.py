"""A user's credentials: access keys (the secret is in the creation response only), the console
login profile, MFA devices (list, deactivate), SSH public keys, signing certificates and
service-specific credentials (the password is in the creation and reset responses only)."""

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


def _created(data: dict) -> Response:
    return Response(data, status=201, headers={"Cache-Control": "no-store"})


class SSHPublicKeysView(IAMView):
    iam_actions = {"GET": "iam:ListSSHPublicKeys", "POST": "iam:UploadSSHPublicKey"}

    @extend_schema(responses=s.SSHPublicKeySerializer(many=True), summary="ListSSHPublicKeys")
    def get(self, request, user_name):
        keys = iam.list_ssh_public_keys(self.caller, user_name)
        return Response(s.SSHPublicKeySerializer(keys, many=True).data)

    @extend_schema(request=s.UploadSSHPublicKeySerializer,
                   responses={201: s.SSHPublicKeyBodySerializer}, summary="UploadSSHPublicKey")
    def post(self, request, user_name):
        data = valid(s.UploadSSHPublicKeySerializer, request.data)
        key = iam.upload_ssh_public_key(self.caller, user_name, data["ssh_public_key_body"])
        return Response({**s.SSHPublicKeySerializer(key).data, "ssh_public_key_body": key.body},
                        status=201)


class SSHPublicKeyView(IAMView):
    iam_actions = {"GET": "iam:GetSSHPublicKey", "PATCH": "iam:UpdateSSHPublicKey",
                   "DELETE": "iam:DeleteSSHPublicKey"}

    @extend_schema(parameters=[s.SSHPublicKeyEncodingSerializer],
                   responses=s.SSHPublicKeyBodySerializer,
                   summary="GetSSHPublicKey (?encoding=SSH|PEM)")
    def get(self, request, user_name, ssh_public_key_id):
        encoding = valid(s.SSHPublicKeyEncodingSerializer, request.query_params)["encoding"]
        key, body = iam.get_ssh_public_key(self.caller, user_name, ssh_public_key_id, encoding)
        return Response({**s.SSHPublicKeySerializer(key).data, "ssh_public_key_body": body})

    @extend_schema(request=s.UpdateAccessKeySerializer, responses=s.SSHPublicKeySerializer,
                   summary="UpdateSSHPublicKey (Active / Inactive)")
    def patch(self, request, user_name, ssh_public_key_id):
        data = valid(s.UpdateAccessKeySerializer, request.data)
        key = iam.update_ssh_public_key(self.caller, user_name, ssh_public_key_id,
                                        data["status"])
        return Response(s.SSHPublicKeySerializer(key).data)

    @extend_schema(responses={204: None}, summary="DeleteSSHPublicKey")
    def delete(self, request, user_name, ssh_public_key_id):
        iam.delete_ssh_public_key(self.caller, user_name, ssh_public_key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SigningCertificatesView(IAMView):
    iam_actions = {"GET": "iam:ListSigningCertificates", "POST": "iam:UploadSigningCertificate"}

    @extend_schema(responses=s.SigningCertificateSerializer(many=True),
                   summary="ListSigningCertificates")
    def get(self, request, user_name):
        certificates = iam.list_signing_certificates(self.caller, user_name)
        return Response(s.SigningCertificateSerializer(certificates, many=True).data)

    @extend_schema(request=s.UploadSigningCertificateSerializer,
                   responses={201: s.SigningCertificateSerializer},
                   summary="UploadSigningCertificate")
    def post(self, request, user_name):
        data = valid(s.UploadSigningCertificateSerializer, request.data)
        certificate = iam.upload_signing_certificate(self.caller, user_name,
                                                     data["certificate_body"])
        return Response(s.SigningCertificateSerializer(certificate).data, status=201)


class SigningCertificateView(IAMView):
    iam_actions = {"PATCH": "iam:UpdateSigningCertificate",
                   "DELETE": "iam:DeleteSigningCertificate"}

    @extend_schema(request=s.UpdateAccessKeySerializer, responses=s.SigningCertificateSerializer,
                   summary="UpdateSigningCertificate (Active / Inactive)")
    def patch(self, request, user_name, certificate_id):
        data = valid(s.UpdateAccessKeySerializer, request.data)
        certificate = iam.update_signing_certificate(self.caller, user_name, certificate_id,
                                                     data["status"])
        return Response(s.SigningCertificateSerializer(certificate).data)

    @extend_schema(responses={204: None}, summary="DeleteSigningCertificate")
    def delete(self, request, user_name, certificate_id):
        iam.delete_signing_certificate(self.caller, user_name, certificate_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _issued(issued) -> dict:
    return {**s.ServiceSpecificCredentialSerializer(issued.credential).data,
            "service_password": issued.service_password,
            "service_credential_secret": issued.service_credential_secret}


class ServiceSpecificCredentialsView(IAMView):
    iam_actions = {"GET": "iam:ListServiceSpecificCredentials",
                   "POST": "iam:CreateServiceSpecificCredential"}

    @extend_schema(parameters=[s.ServiceSpecificCredentialFilterSerializer],
                   responses=s.ServiceSpecificCredentialSerializer(many=True),
                   summary="ListServiceSpecificCredentials (?service_name=)")
    def get(self, request, user_name):
        data = valid(s.ServiceSpecificCredentialFilterSerializer, request.query_params)
        credentials = iam.list_service_specific_credentials(self.caller, user_name,
                                                            data.get("service_name"))
        return Response(s.ServiceSpecificCredentialSerializer(credentials, many=True).data)

    @extend_schema(request=s.CreateServiceSpecificCredentialSerializer,
                   responses={201: s.IssuedServiceSpecificCredentialSerializer},
                   summary="CreateServiceSpecificCredential (the password is returned this "
                           "once)")
    def post(self, request, user_name):
        data = valid(s.CreateServiceSpecificCredentialSerializer, request.data)
        issued = iam.create_service_specific_credential(
            self.caller, user_name, data["service_name"], data.get("credential_age_days"))
        return _created(_issued(issued))


class ServiceSpecificCredentialView(IAMView):
    iam_actions = {"PATCH": "iam:UpdateServiceSpecificCredential",
                   "DELETE": "iam:DeleteServiceSpecificCredential"}

    @extend_schema(request=s.UpdateAccessKeySerializer,
                   responses=s.ServiceSpecificCredentialSerializer,
                   summary="UpdateServiceSpecificCredential (Active / Inactive)")
    def patch(self, request, user_name, credential_id):
        data = valid(s.UpdateAccessKeySerializer, request.data)
        credential = iam.update_service_specific_credential(self.caller, user_name,
                                                            credential_id, data["status"])
        return Response(s.ServiceSpecificCredentialSerializer(credential).data)

    @extend_schema(responses={204: None}, summary="DeleteServiceSpecificCredential")
    def delete(self, request, user_name, credential_id):
        iam.delete_service_specific_credential(self.caller, user_name, credential_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceSpecificCredentialResetView(IAMView):
    iam_actions = {"POST": "iam:ResetServiceSpecificCredential"}

    @extend_schema(request=None, responses={200: s.IssuedServiceSpecificCredentialSerializer},
                   summary="ResetServiceSpecificCredential (a new password, returned this once)")
    def post(self, request, user_name, credential_id):
        issued = iam.reset_service_specific_credential(self.caller, user_name, credential_id)
        return Response(_issued(issued), headers={"Cache-Control": "no-store"})
