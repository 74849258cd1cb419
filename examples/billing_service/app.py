"""A small service protected by iamconsole: a billing API (invoices) whose every request is
SigV4-signed by its caller (service name "billing") and authorized by iamconsole's decision
API through the iamconsole-authz WSGI middleware. The service holds no caller's secret: only
its own access key, whose principal may call iamconsole:Authorize.

    GET  /invoices/<id>        billing:GetInvoice     arn:aws:billing::<account>:invoice/<id>
    GET  /invoices             billing:ListInvoices   arn:aws:billing::<account>:invoice/*
    POST /invoices/<id>/pay    billing:PayInvoice     (context billing:Amount)

Invoices carry a `team` tag, sent as aws:ResourceTag/team: policies may compare it with the
caller's aws:PrincipalTag/team (ABAC).

Run it: IAMCONSOLE_URL=... BILLING_KEY_ID=... BILLING_SECRET=... ACCOUNT=... python app.py
"""

from __future__ import annotations

import json
import os
import re

from iamconsole_authz import AuthzClient, AuthzMiddleware

PREFIX = "billing"
SERVICE_DEFINITION = {
    "prefix": PREFIX,
    "name": "Example billing service",
    "actions": [
        {"name": "ListInvoices", "access_level": "List", "resource_types": ["invoice"]},
        {"name": "GetInvoice", "access_level": "Read", "resource_types": ["invoice"]},
        {"name": "PayInvoice", "access_level": "Write", "resource_types": ["invoice"],
         "condition_keys": ["billing:Amount"]},
    ],
    "resource_types": [{"name": "invoice",
                        "arn": "arn:aws:billing::${Account}:invoice/${InvoiceId}"}],
    "condition_keys": [{"name": "billing:Amount", "type": "Numeric"}],
}

INVOICES = {
    "inv-1": {"id": "inv-1", "team": "blue", "amount": 120},
    "inv-2": {"id": "inv-2", "team": "red", "amount": 9000},
}

_ITEM = re.compile(r"^/invoices/([A-Za-z0-9-]+)$")
_PAY = re.compile(r"^/invoices/([A-Za-z0-9-]+)/pay$")


def resolver(account: str):
    """The action, resource and context of a request (None: no such route)."""

    def resolve(environ: dict):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        arn = f"arn:aws:billing::{account}:invoice/"
        if path == "/invoices" and method == "GET":
            return "billing:ListInvoices", arn + "*"
        match = _ITEM.match(path)
        if match and method == "GET":
            invoice = INVOICES.get(match.group(1), {})
            return ("billing:GetInvoice", arn + match.group(1),
                    {"aws:ResourceTag/team": invoice.get("team", "")})
        match = _PAY.match(path)
        if match and method == "POST":
            invoice = INVOICES.get(match.group(1), {})
            return ("billing:PayInvoice", arn + match.group(1),
                    {"aws:ResourceTag/team": invoice.get("team", ""),
                     "billing:Amount": str(invoice.get("amount", 0))})
        return None

    return resolve


def billing_app(environ, start_response):
    """The service itself: it runs only for allowed requests."""
    principal = environ["iamconsole.principal"]
    path = environ.get("PATH_INFO", "")
    if path == "/invoices":
        body = {"invoices": sorted(INVOICES), "caller": principal["arn"]}
    else:
        invoice_id = path.split("/")[2]
        invoice = INVOICES.get(invoice_id)
        if invoice is None:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"code": "NoSuchInvoice"}']
        body = {**invoice, "caller": principal["arn"]}
        if path.endswith("/pay"):
            body["paid"] = True
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))])
    return [data]


def make_app(endpoint: str, key_id: str, secret: str, account: str, **client_options):
    client = AuthzClient(endpoint, key_id, secret, **client_options)
    return AuthzMiddleware(billing_app, client, resolver(account))


if __name__ == "__main__":  # pragma: no cover
    from wsgiref.simple_server import make_server

    application = make_app(os.environ["IAMCONSOLE_URL"], os.environ["BILLING_KEY_ID"],
                           os.environ["BILLING_SECRET"], os.environ["ACCOUNT"])
    make_server("127.0.0.1", int(os.environ.get("PORT", "8100")), application).serve_forever()
