"""IAM Query API actions of outbound web identity federation (Enable/Disable/
GetOutboundWebIdentityFederationInfo, iam/outbound_federation.py). Registered into
`iam_actions.ACTIONS`; STS GetWebIdentityToken is in sts_actions."""

from __future__ import annotations

from iamconsole.iam import outbound_federation

from .iam_actions import action


@action("EnableOutboundWebIdentityFederation")
def enable_outbound_web_identity_federation(caller, p):
    return {"IssuerIdentifier": outbound_federation.enable(caller).issuer_identifier}


@action("DisableOutboundWebIdentityFederation")
def disable_outbound_web_identity_federation(caller, p):
    outbound_federation.disable(caller)


@action("GetOutboundWebIdentityFederationInfo")
def get_outbound_web_identity_federation_info(caller, p):
    info = outbound_federation.get_info(caller)
    return {"IssuerIdentifier": info.issuer_identifier, "JwtVendingEnabled": info.enabled}
