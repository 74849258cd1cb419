"""Two accounts in one installation: the default account (123456789012, "A") and a second one
(222233334444, "B"), each with its own users, importable by any test module."""

from __future__ import annotations

import json

from iamconsole.iam import services as iam
from iamconsole.iam import tenancy
from iamconsole.iam.caller import Caller
from iamconsole.iam.services.accounts import create_account

A = "123456789012"
B = "222233334444"


def trust(*principals: str, **condition) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)},
                 "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def second_account(account_id: str = B, name: str = "B"):
    return create_account(Caller.system("test"), name=name, account_id=account_id)


def in_account(account_id: str):
    """`with in_account(B): ...` creates and reads in account B."""
    return tenancy.acting_in(account_id)


def keys_of(user_name: str, account_id: str = A) -> tuple[str, str]:
    with in_account(account_id):
        new = iam.create_access_key(Caller.system("test"), user_name)
    return new.access_key.access_key_id, new.secret_access_key
