"""Server certificates: the generic list, detail (tabs: certificate, tags; its expiration shown,
an expired one highlighted), upload (PEM textareas), rename / move (UpdateServerCertificate)
and delete pages (views/entities.py). The private key is never shown."""

from __future__ import annotations

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from ..forms import ServerCertificateEditForm, ServerCertificateUploadForm
from . import entities


class ServerCertificatePage(entities.EntityPage):
    kind = kinds.SERVER_CERTIFICATE
    var = "certificate"
    tabs = (("certificate", "Certificate"), ("tags", "Tags"))
    sorts = {"name": "name", "path": "path", "uploaded": "created_at",
             "expiration": "expiration"}
    list_action = "iam:ListServerCertificates"
    create_action = "Upload{noun}"
    create_form = ServerCertificateUploadForm
    edit_form = ServerCertificateEditForm
    delete_warning = ("Services still using this certificate (load balancers, CloudFront) "
                      "stop serving it.")

    def create(self, caller, data):
        return iam.upload_server_certificate(
            caller, data["server_certificate_name"], data["certificate_body"],
            data["private_key"], certificate_chain=data["certificate_chain"] or None,
            path=data["path"] or "/", tags=data["tags"] or None)


PAGE = ServerCertificatePage()
