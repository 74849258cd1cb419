"""Account-level domain operations as AWS answers them: GetAccountSummary's keys,
GenerateCredentialReport's states, virtual MFA names unique per path."""

from __future__ import annotations

import botocore.session
import pytest

from iamconsole.iam import errors, reports
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent

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


def test_mfa_device_tags_through_the_registry(system):
    serial = iam.create_virtual_mfa_device(system, "phone").device.serial_number
    iam.tag_mfa_device(system, serial, [{"Key": "Team", "Value": "a"}])
    iam.tag_mfa_device(system, serial, {"team": "b"})  # keys ignore case: replaced
    assert iam.list_mfa_device_tags(system, serial) == {"team": "b"}
    iam.untag_mfa_device(system, serial, ["TEAM"])
    assert iam.list_mfa_device_tags(system, serial) == {}
    with pytest.raises(errors.NoSuchEntity):
        iam.tag_mfa_device(system, serial + "x", {"a": "1"})
    assert AuditEvent.objects.filter(action="iam:TagMFADevice", resource_arn=serial).count() == 2


def test_get_mfa_device_is_the_users_device_only(system):
    import pyotp

    from iamconsole.iam import clock

    iam.create_user(system, "alice")
    iam.create_user(system, "bob")
    new = iam.create_virtual_mfa_device(system, "alice-phone")
    totp = pyotp.TOTP(new.base32_seed)
    now = clock.now().timestamp()
    iam.enable_mfa_device(system, "alice", new.device.serial_number, totp.at(now - 30),
                          totp.at(now))
    assert iam.get_mfa_device(system, new.device.serial_number, "alice").user.name == "alice"
    with pytest.raises(errors.NoSuchEntity):
        iam.get_mfa_device(system, new.device.serial_number, "bob")


def test_the_root_user_manages_its_own_access_keys(root_user):
    from personas import caller_for

    root = caller_for(root_user)
    key = iam.create_access_key(root).access_key
    assert key.user == root_user
    assert [k.access_key_id for k in iam.list_access_keys(root)] == [key.access_key_id]
    iam.update_access_key(root, key.access_key_id, "Inactive")
    iam.delete_access_key(root, key.access_key_id)
    assert not iam.list_access_keys(root).exists()


def test_a_policy_denial_carries_an_encoded_message_sts_decodes(system):
    import json

    from personas import caller_for, make_user

    from iamconsole.iam import sts

    outsider = caller_for(make_user("outsider"))
    with pytest.raises(errors.AccessDenied) as denied:
        iam.create_user(outsider, "mallory")
    encoded = denied.value.encoded_message
    assert encoded and "outsider" not in encoded
    decoded = json.loads(sts.decode_authorization_message(system, encoded))
    assert (decoded["allowed"], decoded["explicitDeny"]) == (False, False)
    assert decoded["context"]["action"] == "iam:CreateUser"
    with pytest.raises(errors.AccessDenied):
        sts.decode_authorization_message(outsider, encoded)
    with pytest.raises(errors.ClientError) as invalid:
        sts.decode_authorization_message(system, "not-a-message")
    assert invalid.value.code == "InvalidAuthorizationMessageException"


def test_get_access_key_info_and_sts_preferences(system):
    from iamconsole.iam import sts

    iam.create_user(system, "alice")
    key = iam.create_access_key(system, "alice").access_key
    assert sts.get_access_key_info(system, key.access_key_id) == "123456789012"
    iam.delete_access_key(system, key.access_key_id, "alice")
    with pytest.raises(errors.ValidationError):
        sts.get_access_key_info(system, key.access_key_id)
    with pytest.raises(errors.ValidationError):
        iam.set_security_token_service_preferences(system, "v3Token")
    iam.set_security_token_service_preferences(system, "v2Token")
    assert iam.get_account_summary(system)["GlobalEndpointTokenVersion"] == 2
    event = AuditEvent.objects.get(action="iam:SetSecurityTokenServicePreferences")
    assert event.new_value == {"GlobalEndpointTokenVersion": "v2Token"}
