"""Account-level domain operations as AWS answers them: GetAccountSummary's keys,
GenerateCredentialReport's states, virtual MFA names unique per path."""

from __future__ import annotations

import botocore.session
import pytest

from iamconsole.iam import errors, reports
from iamconsole.iam import services as iam

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = set(botocore.session.get_session().get_service_model("iam").shape_for(
    "summaryKeyType").enum)


def test_account_summary_answers_the_models_keys_with_counts(system, root_user):
    iam.create_user(system, "alice")
    iam.create_policy(system, "P", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
                                   ' "Action": "s3:GetObject", "Resource": "*"}]}')
    summary = iam.get_account_summary(system)
    assert set(summary) == SUMMARY_KEYS
    assert (summary["Users"], summary["Policies"], summary["PolicyVersionsInUse"]) == (1, 1, 1)
    assert summary["AccountPasswordPresent"] == 1  # the root user has a password
    assert summary["AccountMFAEnabled"] == 0 and summary["AccountAccessKeysPresent"] == 0
    assert summary["AccountSigningCertificatesPresent"] == 0


def test_generate_credential_report_is_started_once_then_complete(system):
    assert reports.generate_credential_report(system).state == "STARTED"
    assert reports.generate_credential_report(system).state == "COMPLETE"
    assert reports.get_credential_report(system).content.startswith(b"user,arn,")


def test_virtual_mfa_device_name_is_unique_within_its_path(system):
    iam.create_virtual_mfa_device(system, "phone")
    other = iam.create_virtual_mfa_device(system, "PHONE", path="/eng/")
    assert other.device.serial_number.endswith(":mfa/eng/PHONE")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_virtual_mfa_device(system, "Phone")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_virtual_mfa_device(system, "phone", path="/eng/")


def test_malformed_policy_arn_is_a_validation_error(system):
    with pytest.raises(errors.ValidationError, match="Invalid ARN: Could not be parsed!"):
        iam.get_policy(system, "policy/not-an-arn")
    with pytest.raises(errors.InvalidInput, match="is not valid"):
        iam.get_policy(system, "arn:aws:iam::123456789012:role/r")
