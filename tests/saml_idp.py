"""A real SAML 2.0 identity provider for tests: pysaml2's IdP server (saml2.server.Server)
with a key and certificate made here, signing with Debian's xmlsec1. `response()` answers a
base64 SAMLResponse for the SP https://signin.aws.amazon.com/saml, as an IdP posts it."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from cert_fixtures import issue, new_key
from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

SP = "https://signin.aws.amazon.com/saml"
ROLE_ATTR = "https://aws.amazon.com/SAML/Attributes/Role"
XMLSEC = shutil.which("xmlsec1")
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
URI_NAMES = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
# An SP's metadata (AWS sign-in, trimmed to what the IdP reads): where responses are posted.
EVIL_SP = "https://evil.example/saml"
CONSOLE_SP = "https://iam.example.test/saml"  # <IAMCONSOLE_PUBLIC_URL>/saml of the tests
CONSOLE_ACS = "https://iam.example.test/accounts/federated/saml/"  # the console's ACS


def sp_metadata(entity_id: str) -> str:
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
 entityID="{entity_id}"><md:SPSSODescriptor
 protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{entity_id}" index="1"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""


class IdP:
    def __init__(self, directory: Path, entity_id: str = "https://idp.example.test/saml"):
        self.directory = directory
        self.entity_id = entity_id
        self.key_file, self.cert_file = directory / "idp.key", directory / "idp.crt"
        issued = issue("idp.example.test", key=new_key("rsa"))
        self.key_file.write_text(issued.key_pem)
        self.cert_file.write_text(issued.pem)
        self.server = Server(config=IdPConfig().load({
            "entityid": entity_id,
            "xmlsec_binary": XMLSEC,
            "key_file": str(self.key_file), "cert_file": str(self.cert_file),
            "metadata": {"inline": [sp_metadata(e)
                                    for e in (SP, EVIL_SP, CONSOLE_SP, CONSOLE_ACS)]},
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (f"{entity_id}/sso", BINDING_HTTP_POST)]},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {"default": {"lifetime": {"minutes": 15},
                                       "attribute_restrictions": None,
                                       "name_form": URI_NAMES}},
            }},
        }))

    def metadata(self) -> str:
        return create_metadata_string(None, config=self.server.config, valid=24).decode()

    def response_xml(self, attributes: dict[str, list[str]], *, subject: str = "alice",
                     audience: str = SP, sign_response: bool = True,
                     sign_assertion: bool = True, sign_alg: str = RSA_SHA256,
                     digest_alg: str = SHA256) -> str:
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject,
                         name_qualifier=self.entity_id)
        response = self.server.create_authn_response(
            attributes, in_response_to=None, destination=audience, sp_entity_id=audience,
            name_id=name_id, sign_alg=sign_alg, digest_alg=digest_alg,
            sign_response=sign_response, sign_assertion=sign_assertion,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"})
        return str(response)

    def response(self, attributes, **kwargs) -> str:
        return base64.b64encode(self.response_xml(attributes, **kwargs).encode()).decode()
