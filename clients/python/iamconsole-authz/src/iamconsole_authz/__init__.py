"""Protect your own services with iamconsole (see README.md)."""

from .client import AuthzClient, AuthzError, Decision, describe_wsgi_request
from .wsgi import AuthzMiddleware

__all__ = ["AuthzClient", "AuthzError", "AuthzMiddleware", "Decision", "describe_wsgi_request"]
