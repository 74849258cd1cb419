"""AWS JSON 1.1 protocol (AWS Organizations 2016-11-28) driven by botocore's service models.

Pure Python: no Django import. A request is a POST whose `X-Amz-Target` header names
`<targetPrefix>.<Operation>` and whose body is a JSON object of the operation's input; the
answer is the output as JSON (timestamps as epoch seconds), an error
`{"__type": "<Code>", "message": "...", "Reason": "..."}` with its HTTP status.

Decisions:

* `X-Amz-Target` missing, of another service, or naming no operation of the model ->
  ``UnknownOperationException`` 400 (Coral's answer).
* A body that is not a JSON object, or a member of the wrong JSON type ->
  ``SerializationException`` 400.
* Model constraints (required, length, range, pattern, enum): the service's own validation
  error. Organizations answers them as ``InvalidInputException`` "You specified an invalid
  value." with the model's Reason (INPUT_REQUIRED, MIN_LENGTH_EXCEEDED, MAX_LENGTH_EXCEEDED,
  MIN_VALUE_EXCEEDED, MAX_VALUE_EXCEEDED, INVALID_PATTERN, INVALID_PATTERN_TARGET_ID,
  INVALID_ENUM, INVALID_ENUM_POLICY_TYPE); the first problem found is reported.
* Unknown members are ignored; defaults are not filled in.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape

from .protocol import _compile_pattern, _java_len

__all__ = ["CONTENT_TYPE", "JsonError", "parse_request", "serialize_error",
           "serialize_result", "service_model"]

CONTENT_TYPE = "application/x-amz-json-1.1"
API_VERSIONS = {"organizations": "2016-11-28"}
INVALID_VALUE = "You specified an invalid value."
# Shapes whose pattern violation Organizations reports with its own Reason.
_TARGET_ID_SHAPES = frozenset({"PolicyTargetId", "ChildId", "ParentId", "TaggableResourceId"})
_POLICY_TYPE_SHAPES = frozenset({"PolicyType", "EffectivePolicyType"})


class JsonError(Exception):
    """An error to be answered with :func:`serialize_error`."""

    def __init__(self, code: str, message: str, status: int = 400, reason: str = "",
                 sender_fault: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.reason = reason
        self.sender_fault = sender_fault


@functools.cache
def service_model(name: str) -> ServiceModel:
    try:
        api_version = API_VERSIONS[name]
    except KeyError:
        raise ValueError(f"unsupported service {name!r}") from None
    return ServiceModel(Loader().load_service_model(name, "service-2", api_version),
                        service_name=name)


def _invalid(reason: str, path: str) -> JsonError:
    error = JsonError("InvalidInputException", INVALID_VALUE, 400, reason)
    error.path = path  # type: ignore[attr-defined]
    return error


def _serialization(path: str, expected: str) -> JsonError:
    return JsonError("SerializationException",
                     f"Start of structure or map found where not expected: {path} must be "
                     f"{expected}." if expected in ("a structure", "a map") else
                     f"{path} must be {expected}.", 400)


def _check(value: Any, shape: Shape, path: str) -> Any:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, Mapping):
            raise _serialization(path, "a structure")
        return _members(value, shape, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _serialization(path, "a list")
        _bounds(len(value), meta, path, "LENGTH")
        return [_check(item, shape.member, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise _serialization(path, "a map")
        _bounds(len(value), meta, path, "LENGTH")
        return {_check(k, shape.key, f"{path}.key"): _check(v, shape.value, f"{path}.{k}")
                for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise _serialization(path, "a string")
        _bounds(_java_len(value), meta, path, "LENGTH")
        enum = meta.get("enum")
        if enum and value not in enum:
            raise _invalid("INVALID_ENUM_POLICY_TYPE" if shape.name in _POLICY_TYPE_SHAPES
                           else "INVALID_ENUM", path)
        pattern = meta.get("pattern")
        if pattern and not _compile_pattern(pattern).fullmatch(value):
            raise _invalid("INVALID_PATTERN_TARGET_ID" if shape.name in _TARGET_ID_SHAPES
                           else "INVALID_PATTERN", path)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _serialization(path, "an integer")
        _bounds(value, meta, path, "VALUE")
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _serialization(path, "a number")
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _serialization(path, "a boolean")
        return value
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _serialization(path, "a timestamp (epoch seconds)")
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return value


def _bounds(size: float, meta: Mapping[str, Any], path: str, what: str) -> None:
    if "min" in meta and size < meta["min"]:
        raise _invalid(f"MIN_{what}_EXCEEDED", path)
    if "max" in meta and size > meta["max"]:
        raise _invalid(f"MAX_{what}_EXCEEDED", path)


def _members(value: Mapping[str, Any], shape: Shape, path: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in shape.required_members:
        if value.get(name) is None:
            raise _invalid("INPUT_REQUIRED", f"{path}.{name}" if path else name)
    for name, member in shape.members.items():
        if value.get(name) is None:
            continue
        result[name] = _check(value[name], member, f"{path}.{name}" if path else name)
    return result


def parse_request(service: str, target: str | None, body: bytes) -> tuple[str, dict[str, Any]]:
    """(operation name, validated params) of a JSON 1.1 request. Raises JsonError."""
    model = service_model(service)
    prefix, _, operation = (target or "").partition(".")
    if prefix != model.metadata["targetPrefix"] or operation not in model.operation_names:
        raise JsonError("UnknownOperationException", "", 400)
    op = model.operation_model(operation)
    try:
        data = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise JsonError("SerializationException", "The request body is not valid JSON.",
                        400) from None
    if not isinstance(data, dict):
        raise JsonError("SerializationException", "The request body must be a JSON object.",
                        400)
    if op.input_shape is None:
        return operation, {}
    return operation, _members(data, op.input_shape, "")


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return round(value.timestamp(), 3)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value


def serialize_result(service: str, operation: str, result: Mapping[str, Any] | None) -> bytes:
    """The JSON body of `operation`'s result (keys as boto3 returns them). Unknown top-level
    keys are a programming error (KeyError)."""
    op = service_model(service).operation_model(operation)
    result = dict(result or {})
    allowed = set(op.output_shape.members) if op.output_shape is not None else set()
    unknown = set(result) - allowed
    if unknown:
        raise KeyError(f"{operation}: unknown member(s) {sorted(unknown)}")
    return json.dumps(_drop_none(result), default=_default).encode("utf-8")


def serialize_error(code: str, message: str, reason: str = "") -> bytes:
    body: dict[str, str] = {"__type": code, "message": message}
    if reason:
        body["Reason"] = reason
    return json.dumps(body).encode("utf-8")
