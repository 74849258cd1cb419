"""SAML providers: the generic list, detail (tabs: provider — entity id, signing certificates,
private key ids, metadata — and tags), create (the IdP's metadata document), edit
(UpdateSAMLProvider: new metadata, encryption mode, private keys) and delete pages
(views/entities.py). Private keys are never shown, only their ids."""

from __future__ import annotations

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from ..forms import SAMLProviderCreateForm, SAMLProviderEditForm
from . import entities


class SAMLProviderPage(entities.EntityPage):
    kind = kinds.SAML_PROVIDER
    var = "provider"
    tabs = (("provider", "Provider"), ("tags", "Tags"))
    sorts = {"name": "name", "created": "created_at", "valid_until": "valid_until"}
    list_action = "iam:ListSAMLProviders"
    create_form = SAMLProviderCreateForm
    edit_form = SAMLProviderEditForm
    delete_warning = ("Roles trusting this provider can no longer be assumed with its SAML "
                      "assertions.")

    def create(self, caller, data):
        return iam.create_saml_provider(
            caller, data["saml_provider_name"], data["saml_metadata_document"],
            tags=data["tags"] or None,
            assertion_encryption_mode=data["assertion_encryption_mode"] or None,
            add_private_key=data["add_private_key"] or None)

    def edit_initial(self, entity) -> dict:
        return {"revision": entity.revision,
                "assertion_encryption_mode": entity.assertion_encryption_mode}

    def update(self, caller, ident, entity, data):
        mode = data["assertion_encryption_mode"] or None
        return iam.update_saml_provider(
            caller, ident, saml_metadata_document=data["saml_metadata_document"] or None,
            assertion_encryption_mode=mode if mode != entity.assertion_encryption_mode else None,
            add_private_key=data["add_private_key"] or None,
            remove_private_key=data["remove_private_key"] or None, revision=data["revision"])


PAGE = SAMLProviderPage()
