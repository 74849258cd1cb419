"""Helpers for the console tests (imported as tests.console.console_support)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.conftest import allow, policy_json

DOC = policy_json(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
LAMBDA_TRUST = TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx(target: str = "", **headers) -> dict:
    """The headers htmx sends; pass as **htmx("tab-panel") to client.get/post."""
    values = {"HTTP_HX_REQUEST": "true"}
    if target:
        values["HTTP_HX_TARGET"] = target
    values.update(headers)
    return values


@dataclass
class World:
    """A small account: user `target` (tag team=core, inline policy `note`), user `spare`,
    group `team`, role `app`, customer policy `Custom`, AWS managed `ReadOnlyManaged`."""

    custom_arn: str
    aws_arn: str

    @staticmethod
    def client(user) -> Client:
        return client_for(user)

    def values(self) -> dict:
        from iamconsole.iam.models import ManagedPolicy, Role, User

        return {
            "custom_arn": self.custom_arn, "aws_arn": self.aws_arn, "doc": DOC,
            "trust": LAMBDA_TRUST,
            "rev": User.objects.get(name="target").revision,
            "role_rev": Role.objects.get(name="app").revision,
            "policy_rev": ManagedPolicy.objects.get(name="Custom").revision,
        }


def build_world() -> World:
    system = Caller.system("test")
    iam.create_user(system, "target", tags={"team": "core"})
    iam.put_user_policy(system, "target", "note", DOC)
    iam.create_user(system, "spare")
    iam.create_group(system, "team")
    iam.create_role(system, "app", TRUST, description="The app")
    custom = iam.create_policy(system, "Custom", DOC, description="A customer policy")
    managed = iam.create_policy(system, "ReadOnlyManaged", DOC, aws_managed=True)
    return World(custom_arn=custom.arn, aws_arn=managed.arn)
