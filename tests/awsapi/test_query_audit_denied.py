"""Query API: a denied IAM call is in the audit log with the request id the client got."""

from __future__ import annotations

import pytest
from awsapi_helpers import create_keys, error
from botocore.exceptions import ClientError

from iamconsole.iam.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_denied_query_call_is_audited_with_its_request_id(aws_client, outsider):
    client = aws_client("iam", *create_keys("outsider"))
    with pytest.raises(ClientError) as exc:
        client.delete_role(RoleName="prod-admin")
    code, status, message = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    event = AuditEvent.objects.get(outcome="denied")
    assert (event.actor, event.auth_method, event.action) == (
        "outsider", "query", "iam:DeleteRole")
    assert (event.resource_type, event.resource_name) == ("role", "prod-admin")
    assert event.request_id == exc.value.response["ResponseMetadata"]["RequestId"]
    assert event.source_ip == "127.0.0.1"
    assert (event.error_code, event.detail) == ("AccessDenied", message)


def test_sts_refusals_are_audited_too(aws_client, outsider):
    sts = aws_client("sts", *create_keys("outsider"))
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/prod-admin",
                        RoleSessionName="try")
    assert error(exc)[:2] == ("AccessDenied", 403)
    credentials = sts.get_session_token()["Credentials"]
    session = {"aws_session_token": credentials["SessionToken"]}
    for service, call in (("sts", "get_session_token"), ("iam", "list_users")):
        client = aws_client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                            session["aws_session_token"])
        with pytest.raises(ClientError) as exc:
            getattr(client, call)()
        assert error(exc)[:2] == ("AccessDenied", 403)
    events = AuditEvent.objects.filter(outcome="denied").order_by("id")
    assert [(e.action, e.error_code) for e in events] == [
        ("sts:AssumeRole", "AccessDenied"), ("sts:GetSessionToken", "AccessDenied"),
        ("iam:ListUsers", "AccessDenied")]
    assert all(e.actor == "outsider" and e.source_ip == "127.0.0.1" for e in events)
