"""Principals in stored trust policies are bound to the entity, not to its name (AWS keeps a
principal ARN as the entity's unique id: a deleted principal shows as AIDA…/AROA…, and a new
entity of the same name is not trusted)."""

import json

import pytest
from personas import caller_for, make_user, policy_json

from iamconsole.iam import errors, sts
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Role

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"
GHOST_ARN = f"arn:aws:iam::{ACCOUNT}:user/ghost"
TARGET_ARN = f"arn:aws:iam::{ACCOUNT}:role/target"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


def trust(*principals: str) -> str:
    aws = principals[0] if len(principals) == 1 else list(principals)
    return policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"AWS": aws}})


def principal_of(role_name: str):
    document = json.loads(Role.objects.get(name=role_name).assume_role_policy_document)
    return document["Statement"][0]["Principal"]["AWS"]


def test_deleting_a_user_names_its_unique_id_in_the_trust_policies(system):
    ghost = make_user("ghost", password=None)
    iam.create_role(system, "target", trust(GHOST_ARN, ROOT_ARN))
    iam.create_role(system, "other", trust(ROOT_ARN))
    revision = Role.objects.get(name="target").revision
    other_document = Role.objects.get(name="other").assume_role_policy_document

    iam.delete_user(system, "ghost")

    assert principal_of("target") == [ghost.user_id, ROOT_ARN]
    assert ghost.user_id.startswith("AIDA")
    assert Role.objects.get(name="target").revision == revision + 1  # compiled caches miss
    assert Role.objects.get(name="other").assume_role_policy_document == other_document
    event = AuditEvent.objects.get(action="iam:UpdateAssumeRolePolicy", resource_name="target")
    assert GHOST_ARN in event.old_value["AssumeRolePolicyDocument"]
    assert ghost.user_id in event.new_value["AssumeRolePolicyDocument"]
    assert GHOST_ARN in event.detail and ghost.user_id in event.detail


def test_a_new_user_with_a_deleted_users_name_cannot_assume_its_roles(system):
    make_user("ghost", password=None)
    iam.create_role(system, "target", trust(GHOST_ARN))
    assert sts.assume_role(caller_for(iam.find_user("ghost")), TARGET_ARN, "before")
    iam.delete_user(system, "ghost")
    new_ghost = make_user("ghost", password=None)
    with pytest.raises(errors.AccessDenied):
        sts.assume_role(caller_for(new_ghost), TARGET_ARN, "after")


def test_the_rewrite_keeps_the_rest_of_the_document_as_written(system):
    make_user("ghost", password=None)
    document = ('{"Version":"2012-10-17", "Statement":[{"Sid":"Keep",  "Effect":"Allow",\n'
                f'  "Principal":{{"AWS":"{GHOST_ARN}", "Service":"ec2.amazonaws.com"}},\n'
                '  "Action":"sts:AssumeRole"}]}')
    iam.create_role(system, "target", document)
    ghost_id = iam.find_user("ghost").user_id
    iam.delete_user(system, "ghost")
    assert (Role.objects.get(name="target").assume_role_policy_document
            == document.replace(GHOST_ARN, ghost_id))


def test_a_principal_written_with_json_escapes_is_rewritten_too(system):
    make_user("ghost", password=None)
    escaped = GHOST_ARN.replace("ghost", "\\u0067host").replace("/", "\\/")
    document = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                f'"Principal":{{"AWS":"{escaped}"}},"Action":"sts:AssumeRole"}}]}}')
    iam.create_role(system, "target", document)
    ghost_id = iam.find_user("ghost").user_id
    iam.delete_user(system, "ghost")
    assert principal_of("target") == ghost_id


def test_deleting_a_role_names_its_unique_id_in_other_trust_policies(system):
    iam.create_role(system, "source", trust(ROOT_ARN))
    source_id = iam.find_role("source").role_id
    iam.create_role(system, "target", trust(f"arn:aws:iam::{ACCOUNT}:role/source"))
    iam.delete_role(system, "source")
    assert principal_of("target") == source_id and source_id.startswith("AROA")
    iam.create_role(system, "source", trust(ROOT_ARN))  # a new role, a new id
    assert principal_of("target") == source_id


def test_a_trust_policy_naming_a_user_that_does_not_exist_is_malformed(system):
    with pytest.raises(errors.MalformedPolicyDocument) as refused:
        iam.create_role(system, "target", trust(GHOST_ARN))
    assert refused.value.message == f'Invalid principal in policy: "AWS":"{GHOST_ARN}"'
    assert not Role.objects.filter(name="target").exists()


def test_update_assume_role_policy_naming_a_role_that_does_not_exist_is_malformed(system):
    iam.create_role(system, "target", trust(ROOT_ARN))
    missing = f"arn:aws:iam::{ACCOUNT}:role/missing"
    with pytest.raises(errors.MalformedPolicyDocument) as refused:
        iam.update_assume_role_policy(system, "target", trust(ROOT_ARN, missing))
    assert refused.value.message == f'Invalid principal in policy: "AWS":"{missing}"'
    assert principal_of("target") == ROOT_ARN


def test_a_user_arn_with_the_wrong_path_is_an_invalid_principal(system):
    make_user("ghost", password=None, path="/team/")
    with pytest.raises(errors.MalformedPolicyDocument):
        iam.create_role(system, "target", trust(GHOST_ARN))
    iam.create_role(system, "target", trust(f"arn:aws:iam::{ACCOUNT}:user/team/ghost"))


def test_the_deleted_principals_id_cannot_be_saved_again(system):
    ghost = make_user("ghost", password=None)
    iam.create_role(system, "target", trust(GHOST_ARN, ROOT_ARN))
    iam.delete_user(system, "ghost")
    stale = Role.objects.get(name="target").assume_role_policy_document
    with pytest.raises(errors.MalformedPolicyDocument) as refused:
        iam.update_assume_role_policy(system, "target", stale)
    assert refused.value.message == f'Invalid principal in policy: "AWS":"{ghost.user_id}"'


def test_an_existing_principals_unique_id_is_saved_as_its_arn(system):
    ghost = make_user("ghost", password=None)
    iam.create_role(system, "target", trust(ghost.user_id))
    assert principal_of("target") == GHOST_ARN
    assert sts.assume_role(caller_for(ghost), TARGET_ARN, "by-id")


def test_other_principals_need_no_entity(system):
    document = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
        "AWS": [ROOT_ARN, ACCOUNT, "arn:aws:iam::111122223333:user/elsewhere", "*"],
        "Service": "lambda.amazonaws.com"}})
    role = iam.create_role(system, "target", document)
    assert role.assume_role_policy_document == document


def test_who_exists_is_not_told_to_a_caller_who_may_not_create_roles(db):
    nobody = make_user("nobody", password=None)
    with pytest.raises(errors.AccessDenied):
        iam.create_role(caller_for(nobody), "target", trust(GHOST_ARN))


def test_renaming_a_user_renames_it_in_the_trust_policies(system):
    ghost = make_user("ghost", password=None)
    iam.create_role(system, "target", trust(GHOST_ARN))
    iam.update_user(system, "ghost", new_user_name="spirit", new_path="/moved/")
    assert principal_of("target") == f"arn:aws:iam::{ACCOUNT}:user/moved/spirit"
    assert sts.assume_role(caller_for(iam.find_user("spirit")), TARGET_ARN, "renamed")
    impostor = make_user("ghost", password=None)
    with pytest.raises(errors.AccessDenied):
        sts.assume_role(caller_for(impostor), TARGET_ARN, "impostor")
    assert ghost.user_id == iam.find_user("spirit").user_id
