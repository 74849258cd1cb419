"""Fixtures for the Query API tests: a live server and real boto3 clients signed with access
keys created through the domain layer."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import boto3
import pytest
from awsapi_helpers import create_keys
from botocore.config import Config

# No retries: a 500 must show up as a failure at once, not after five attempts.
BOTO_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
UNVALIDATED = Config(retries={"max_attempts": 1, "mode": "standard"},
                     parameter_validation=False)


@pytest.fixture
def aws_client(live_server) -> Iterator[Callable]:
    """aws_client(service, key_id, secret, token=None, region="us-east-1", validate=True).

    The clients are closed after the test: a keep-alive connection left open keeps a live-server
    thread, and its database connection, alive past the test database's teardown."""
    clients = []

    def make(service: str, key_id: str, secret: str, token: str | None = None,
             region: str = "us-east-1", validate: bool = True):
        client = boto3.client(
            service,
            endpoint_url=f"{live_server.url}/aws/{service}/",
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=BOTO_CONFIG if validate else UNVALIDATED,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    # A response kept alive by a caught exception (`pytest.raises(...) as e`) holds its pooled
    # connection open; collecting it closes the socket, so the server thread ends.
    gc.collect()


@pytest.fixture
def admin_keys(admin) -> tuple[str, str]:
    return create_keys("admin")


@pytest.fixture
def admin_iam(aws_client, admin_keys):
    return aws_client("iam", *admin_keys)


@pytest.fixture
def admin_sts(aws_client, admin_keys):
    return aws_client("sts", *admin_keys)
