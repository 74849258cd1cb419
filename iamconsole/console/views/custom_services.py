"""Custom services (iam/custom_services.py) in the console: the account's own services, each
with its actions, resource types and condition keys; register or replace one from its JSON
definition (the body of POST /api/v1/custom-services/), delete one."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iamconsole.iam import custom_services
from iamconsole.iam.errors import IAMError

from ..auth import console_view, get_caller
from .common import failed, form_page

URL = "/custom-services/"
EXAMPLE = json.dumps({
    "prefix": "billing", "name": "Billing API",
    "actions": [{"name": "GetInvoice", "access_level": "Read", "resource_types": ["invoice"]}],
    "resource_types": [{"name": "invoice",
                        "arn": "arn:aws:billing::${Account}:invoice/${InvoiceId}"}],
    "condition_keys": [{"name": "billing:Amount", "type": "Numeric"}]}, indent=2)


class DefinitionForm(forms.Form):
    definition = forms.CharField(label="Definition (JSON)", max_length=200_000,
                                 widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}))

    def clean_definition(self):
        try:
            data = json.loads(self.cleaned_data["definition"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The definition is a JSON object.")
        return data


@console_view("iamconsole:ListCustomServices",
              lambda request: custom_services.service_arn("*"), methods=("GET", "POST"))
def custom_service_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    form = DefinitionForm(request.POST or None, initial={"definition": EXAMPLE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["definition"]
        try:
            custom_services.put_custom_service(
                caller, data.get("prefix"), actions=data.get("actions"),
                resource_types=data.get("resource_types") or [],
                condition_keys=data.get("condition_keys") or [], name=data.get("name") or "")
        except IAMError as exc:
            form.add_error("definition", f"{exc.code}: {exc.message}")
        else:
            messages.success(request, f"Custom service {data.get('prefix')} saved.")
            return redirect(URL)
    services = [custom_services.describe(s)
                for s in custom_services.list_custom_services(caller)]
    return form_page(request, "console/custom_services/list.html", {"services": services},
                     form)


@console_view("iamconsole:DeleteCustomService",
              lambda request, prefix: custom_services.service_arn(prefix), methods=("POST",))
def custom_service_delete(request: HttpRequest, prefix: str) -> HttpResponse:
    try:
        custom_services.delete_custom_service(get_caller(request), prefix)
    except IAMError as exc:
        return failed(request, exc, URL)
    messages.success(request, f"Custom service {prefix} deleted.")
    return redirect(URL)
