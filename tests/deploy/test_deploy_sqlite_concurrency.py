"""`make run`'s default database, a SQLite file, under concurrent writes: the threaded
development server (`manage.py runserver`, what `make run` starts) must give 20 parallel writes
their AWS answers, never a 500 "database is locked" (a busy timeout and IMMEDIATE write
transactions, see settings.py)."""

from __future__ import annotations

import sys
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from deploy_support import free_port, manage, production_env, serve

PARALLEL = 20
SETUP = """
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
system = Caller.system("test")
iam.create_user(system, "admin")
iam.put_user_policy(system, "admin", "all", '{"Version": "2012-10-17", "Statement": '
                    '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
iam.create_group(system, "team")
new = iam.create_access_key(system, "admin")
print(new.access_key.access_key_id, new.secret_access_key)
"""


def _dev_env(tmp_path, port: int) -> dict[str, str]:
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                         GUNICORN_BIND=f"127.0.0.1:{port}")  # `serve` waits on this port
    env.pop("IAMCONSOLE_ENV")  # the development posture of `make run`
    env.pop("SECRET_KEY")
    return env


def test_twenty_parallel_writes_on_a_sqlite_file_get_aws_answers(tmp_path):
    port = free_port()
    env = _dev_env(tmp_path, port)
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    setup = manage("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr
    key_id, secret = setup.stdout.split()[-2:]
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with serve(command, env, tmp_path / "runserver.log") as server:
        config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)
        clients = [boto3.client("iam", endpoint_url=f"{server.base_url}/aws/iam/",
                                region_name="us-east-1", aws_access_key_id=key_id,
                                aws_secret_access_key=secret, config=config)
                   for _ in range(PARALLEL)]
        barrier = threading.Barrier(PARALLEL)
        answers: list[object] = [None] * PARALLEL

        def write(index: int) -> None:
            client = clients[index]
            try:
                barrier.wait(timeout=30)
                if index % 2:  # writes on the same rows: group membership, tags of one user
                    client.create_user(UserName=f"user{index}", Tags=[
                        {"Key": "n", "Value": str(index)}])
                    client.add_user_to_group(GroupName="team", UserName=f"user{index}")
                    answers[index] = 200
                else:
                    client.create_user(UserName="same")
                    answers[index] = 200
            except ClientError as exc:
                answers[index] = (exc.response["ResponseMetadata"]["HTTPStatusCode"],
                                  exc.response["Error"]["Code"])
            except Exception as exc:  # asserted below
                answers[index] = exc

        threads = [threading.Thread(target=write, args=(i,)) for i in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        log = server.output()
    assert "database is locked" not in log, log[-3000:]
    same = [answers[i] for i in range(0, PARALLEL, 2)]
    assert sorted(same, key=str) == [(409, "EntityAlreadyExists")] * (PARALLEL // 2 - 1) + [200], (
        answers, log[-3000:])
    assert [answers[i] for i in range(1, PARALLEL, 2)] == [200] * (PARALLEL // 2), (
        answers, log[-3000:])
