"""AWS Organizations: an organization of accounts (a root, organizational units, member
accounts) and its service and resource control policies, as botocore's `organizations`
model speaks it. Domain operations in `services.py`; what the policy engine needs of an
account's organization (its SCP / RCP levels and aws:PrincipalOrg* keys) in `guardrails.py`."""
