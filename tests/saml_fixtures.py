"""SAML IdP metadata documents for the SAML-provider tests: an md:EntityDescriptor with an
IDPSSODescriptor whose signing KeyDescriptor holds a certificate made by `cryptography`."""

from __future__ import annotations

import base64

from cert_fixtures import Issued, issue, new_key
from cryptography.hazmat.primitives import serialization

IDP_ENTITY_ID = "https://idp.example.com/idp/shibboleth"


def cert_b64(cert: Issued) -> str:
    return base64.b64encode(cert.certificate.public_bytes(serialization.Encoding.DER)).decode()


def idp_certificate(common_name: str = "idp.example.com") -> Issued:
    return issue(common_name, key=new_key("rsa"))


def metadata(cert: Issued | None = None, *, entity_id: str = IDP_ENTITY_ID,
             valid_until: str | None = "2099-01-01T00:00:00Z", prolog: str = "") -> str:
    """An IdP metadata document (over AWS's 1000-character minimum) signing with `cert`."""
    cert = cert or idp_certificate()
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return f"""{prolog}<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}"{until}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64(cert)}</ds:X509Certificate>
      </ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/idp/profile/SAML2/Redirect/SSO"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""
