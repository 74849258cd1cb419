"""Service-linked roles in the domain layer: names, path, trust, deletion and its status."""

from __future__ import annotations

import pytest

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


def test_created_deleted_and_audited(system):
    role = iam.create_service_linked_role(system, "elastic-load-balancing.amazonaws.com")
    assert role.name == "AWSServiceRoleForElasticLoadBalancing"
    assert role.path == "/aws-service-role/elastic-load-balancing.amazonaws.com/"
    iam.put_role_policy(system, role.name, "inline", '{"Version": "2012-10-17", "Statement": '
                        '[{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}')
    task = iam.delete_service_linked_role(system, role.name)
    assert not Role.objects.filter(name=role.name).exists()
    assert iam.get_service_linked_role_deletion_status(system, task) == "SUCCEEDED"
    assert AuditEvent.objects.filter(action="iam:CreateServiceLinkedRole").count() == 1
    event = AuditEvent.objects.get(action="iam:DeleteServiceLinkedRole")
    assert event.new_value == {"DeletionTaskId": task}


def test_a_suffix_too_long_or_a_bad_service_is_invalid_input(system):
    with pytest.raises(errors.InvalidInput):
        iam.create_service_linked_role(system, "autoscaling.amazonaws.com",
                                       custom_suffix="x" * 60)
    with pytest.raises(errors.InvalidInput):
        iam.create_service_linked_role(system, "Autoscaling.example.com")


def test_deleting_an_ordinary_role_this_way_is_refused(system):
    iam.create_role(system, "app", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
                    ' "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    with pytest.raises(errors.InvalidInput):
        iam.delete_service_linked_role(system, "app")
    assert Role.objects.filter(name="app").exists()
