"""IAM Query API actions of AWS Organizations' features in IAM: centralized root access
(Enable/Disable OrganizationsRootCredentialsManagement and OrganizationsRootSessions,
ListOrganizationsFeatures) and the organizations access report (Generate/Get
OrganizationsAccessReport). Registered into `iam_actions.ACTIONS`."""

from __future__ import annotations

from datetime import datetime

from iamconsole.orgs import access_report, root_access

from .iam_actions import action
from .pagination import page


def _features(result: root_access.OrganizationFeatures) -> dict:
    return {"OrganizationId": result.organization_id,
            "EnabledFeatures": list(result.enabled_features)}


for _name, _operation in {
    "EnableOrganizationsRootCredentialsManagement":
        root_access.enable_root_credentials_management,
    "DisableOrganizationsRootCredentialsManagement":
        root_access.disable_root_credentials_management,
    "EnableOrganizationsRootSessions": root_access.enable_root_sessions,
    "DisableOrganizationsRootSessions": root_access.disable_root_sessions,
    "ListOrganizationsFeatures": root_access.list_features,
}.items():
    action(_name)(lambda caller, p, _op=_operation: _features(_op(caller)))


@action("GenerateOrganizationsAccessReport")
def generate_organizations_access_report(caller, p):
    report = access_report.generate(caller, p["EntityPath"], p.get("OrganizationsPolicyId"))
    return {"JobId": report.id}


def _detail(row: dict) -> dict:
    shaped = dict(row)
    if shaped.get("LastAuthenticatedTime"):
        shaped["LastAuthenticatedTime"] = datetime.fromisoformat(shaped["LastAuthenticatedTime"])
    return shaped


@action("GetOrganizationsAccessReport")
def get_organizations_access_report(caller, p):
    report, details = access_report.get(caller, p["JobId"], p.get("SortKey"))
    rows, meta = page(p, details)
    return {"JobStatus": "COMPLETED", "JobCreationDate": report.created_at,
            "JobCompletionDate": report.completed_at,
            "NumberOfServicesAccessible": len(details),
            "NumberOfServicesNotAccessed": access_report.services_not_accessed(details),
            "AccessDetails": [_detail(row) for row in rows], **meta}
