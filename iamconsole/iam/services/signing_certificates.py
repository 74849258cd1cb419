"""X.509 signing certificates: UploadSigningCertificate, ListSigningCertificates,
UpdateSigningCertificate, DeleteSigningCertificate. A user (the root user too, as in AWS) holds
at most two; one certificate belongs to one user of the account."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import audit, authz, clock, keymaterial
from .. import identifiers as ids
from ..caller import Caller
from ..errors import DuplicateCertificate, LimitExceeded, NoSuchEntity
from ..models import SigningCertificate, User
from ._common import MAX_SIGNING_CERTIFICATES, check_status, operation
from .users import target_user


def _user(caller: Caller, user_name: str | None, action: str) -> User:
    user = target_user(caller, user_name, action, allow_root=True)
    authz.check(caller, action, user.arn)
    return user


def _audit(caller: Caller, action: str, user: User, **values) -> None:
    audit.record(caller, action, resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, **values)


def _find(user: User, certificate_id: str) -> SigningCertificate:
    certificate = (user.signing_certificates.select_for_update()
                   .filter(certificate_id=certificate_id).first())
    if certificate is None:
        raise NoSuchEntity(f"The Certificate with id {certificate_id} cannot be found.")
    return certificate


@operation
def upload_signing_certificate(caller: Caller, user_name: str | None,
                               certificate_body: str) -> SigningCertificate:
    user = _user(caller, user_name, "iam:UploadSigningCertificate")
    now = clock.now()
    parsed = keymaterial.parse_signing_certificate(certificate_body, now)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize the quota check
    if SigningCertificate.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise DuplicateCertificate("The same certificate is already associated with an IAM "
                                   "user in the account.", field="certificate_body")
    if user.signing_certificates.count() >= MAX_SIGNING_CERTIFICATES:
        raise LimitExceeded("Cannot exceed quota for SigningCertificatesPerUser: "
                            f"{MAX_SIGNING_CERTIFICATES}")
    certificate = SigningCertificate.objects.create(
        certificate_id=ids.new_certificate_id(), user=user,
        body=certificate_body.strip(), fingerprint=parsed.fingerprint, uploaded_at=now,
    )
    _audit(caller, "iam:UploadSigningCertificate", user,
           new={"CertificateId": certificate.certificate_id, "Status": certificate.status})
    return certificate


def list_signing_certificates(caller: Caller, user_name: str | None = None
                              ) -> QuerySet[SigningCertificate]:
    user = _user(caller, user_name, "iam:ListSigningCertificates")
    return user.signing_certificates.select_related("user").order_by("uploaded_at", "id")


@operation
def update_signing_certificate(caller: Caller, user_name: str | None, certificate_id: str,
                               status: str) -> SigningCertificate:
    check_status(status)
    user = _user(caller, user_name, "iam:UpdateSigningCertificate")
    certificate = _find(user, certificate_id)
    old = certificate.status
    certificate.status = status
    certificate.save(update_fields=["status"])
    _audit(caller, "iam:UpdateSigningCertificate", user,
           old={"CertificateId": certificate_id, "Status": old},
           new={"CertificateId": certificate_id, "Status": status})
    return certificate


@operation
def delete_signing_certificate(caller: Caller, user_name: str | None,
                               certificate_id: str) -> None:
    user = _user(caller, user_name, "iam:DeleteSigningCertificate")
    certificate = _find(user, certificate_id)
    old = {"CertificateId": certificate_id, "Status": certificate.status}
    certificate.delete()
    _audit(caller, "iam:DeleteSigningCertificate", user, old=old)
