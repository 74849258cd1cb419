"""Console bulk actions on 500 users: seconds for one POST /users/bulk/ (add to group, attach a
policy, deactivate access keys, delete), through Django's test client (middleware, view, the
domain's batched bulk action: per-user authorization by the engine and audit), signed in as an
administrator.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/bulk.py [--users 500]

Migrates DATABASE_URL first, creates users bench-bulk-000… with one access key each, the group
bench-bulk-group, the policy bench-bulk-policy and the administrator bench-bulk-admin; the last
action deletes the users again (after the detach), so the script can be rerun.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from iamconsole.iam import services as iam  # noqa: E402
from iamconsole.iam.caller import Caller  # noqa: E402
from iamconsole.iam.models import ManagedPolicy, User  # noqa: E402

ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
PREFIX = "bench-bulk-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    system = Caller.system("benchmark")
    User.objects.filter(name__startswith=PREFIX).exclude(name=f"{PREFIX}admin").delete()
    admin = User.objects.filter(name=f"{PREFIX}admin").first()
    if admin is None:
        admin = iam.create_user(system, f"{PREFIX}admin")
        iam.put_user_policy(system, admin.name, "admin", ADMIN)
    if not iam.list_groups(system, path_prefix=None).filter(name=f"{PREFIX}group").exists():
        iam.create_group(system, f"{PREFIX}group")
    policy = ManagedPolicy.objects.filter(name=f"{PREFIX}policy", is_aws_managed=False).first() \
        or iam.create_policy(system, f"{PREFIX}policy", ADMIN)
    names = [f"{PREFIX}{i:03d}" for i in range(args.users)]
    started = time.monotonic()
    for name in names:
        iam.create_user(system, name)
        iam.create_access_key(system, name)
    db = connection.settings_dict
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}; created {len(names)} "
          f"users with a key in {time.monotonic() - started:.1f} s")
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    client.get("/users/")  # warm up
    print("| action                  | seconds | queries | succeeded |")
    print("|-------------------------|---------|---------|-----------|")
    for action, extra in (("add_to_group", {"group": f"{PREFIX}group"}),
                          ("attach_policy", {"policy_arn": policy.arn}),
                          ("deactivate_access_keys", {}),
                          ("detach_policy", {"policy_arn": policy.arn}),
                          ("delete", {})):
        if action == "delete":  # delete needs users without credentials and groups
            for name in names:
                iam.remove_user_from_group(system, f"{PREFIX}group", name)
                for key in iam.list_access_keys(system, name):
                    iam.delete_access_key(system, key.access_key_id, name)
        queries: list[str] = []

        def counted(run, sql, *rest, log=queries):
            log.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(counted):
            started = time.monotonic()
            response = client.post("/users/bulk/", {"bulk_action": action, "users": names,
                                                    **extra})
            seconds = time.monotonic() - started
        ok = response.content.decode().count('badge ok">Done')
        print(f"| {action:<23} | {seconds:7.2f} | {len(queries):7d} | {ok:9d} |")


if __name__ == "__main__":
    main()
