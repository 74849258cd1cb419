"""No existence oracle: a principal without rights gets AccessDenied (403) for a user, role,
group or policy whether it exists or not, as AWS authorizes before it looks the resource up;
a principal with the right still gets NoSuchEntity (404) for a missing one."""

from __future__ import annotations

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error
from botocore.exceptions import ClientError
from personas import make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.api.api_helpers import TRUST

pytestmark = pytest.mark.django_db(transaction=True)

DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", ' \
      '"Resource": "*"}]}'
# (operation, its parameters for the existing entity, for a missing one)
CALLS = [
    ("get_user", {"UserName": "alice"}, {"UserName": "ghost"}),
    ("delete_user", {"UserName": "alice"}, {"UserName": "ghost"}),
    ("list_access_keys", {"UserName": "alice"}, {"UserName": "ghost"}),
    ("get_role", {"RoleName": "app"}, {"RoleName": "ghost"}),
    ("delete_role", {"RoleName": "app"}, {"RoleName": "ghost"}),
    ("get_group", {"GroupName": "devs"}, {"GroupName": "ghost"}),
    ("add_user_to_group", {"GroupName": "devs", "UserName": "alice"},
     {"GroupName": "ghost", "UserName": "alice"}),
    ("get_policy", {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Pol"},
     {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Ghost"}),
    ("delete_policy", {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Pol"},
     {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Ghost"}),
    ("attach_user_policy", {"UserName": "alice", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Pol"},
     {"UserName": "alice", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Ghost"}),
    ("put_user_permissions_boundary",
     {"UserName": "alice", "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Pol"},
     {"UserName": "alice", "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Ghost"}),
    ("create_user",
     {"UserName": "newbie", "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Pol"},
     {"UserName": "newbie", "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Ghost"}),
]


@pytest.fixture
def entities(db):
    system = Caller.system("test")
    make_user("alice", password=None)
    iam.create_role(system, "app", TRUST)
    iam.create_group(system, "devs")
    iam.create_policy(system, "Pol", DOC)


@pytest.fixture
def outsider_iam(aws_client, outsider):
    return aws_client("iam", *create_keys("outsider"))


@pytest.mark.parametrize(("operation", "existing", "missing"), CALLS,
                         ids=[row[0] for row in CALLS])
def test_no_rights_is_403_whether_the_entity_exists_or_not(entities, outsider_iam, operation,
                                                          existing, missing):
    answers = []
    for params in (existing, missing):
        with pytest.raises(ClientError) as exc:
            getattr(outsider_iam, operation)(**params)
        code, status, message = error(exc)
        answers.append((code, status))
        assert "is not authorized to perform" in message
    assert answers == [("AccessDenied", 403), ("AccessDenied", 403)]


@pytest.mark.parametrize(("operation", "existing", "missing"), CALLS,
                         ids=[row[0] for row in CALLS])
def test_with_the_right_a_missing_entity_is_still_404(entities, admin_iam, operation, existing,
                                                      missing):
    with pytest.raises(ClientError) as exc:
        getattr(admin_iam, operation)(**missing)
    assert error(exc)[:2] == ("NoSuchEntity", 404)


def test_the_denial_of_a_missing_name_names_its_default_path_arn(entities, outsider_iam):
    with pytest.raises(ClientError) as exc:
        outsider_iam.get_user(UserName="ghost")
    assert f"on resource: arn:aws:iam::{ACCOUNT}:user/ghost " in error(exc)[2]
