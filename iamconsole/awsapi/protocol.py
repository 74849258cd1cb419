"""AWS Query protocol (IAM 2010-05-08, STS 2011-06-15) driven by botocore's service models.

Pure Python: no Django import. The views decode the form, call :func:`parse_request`, run the
operation and answer with :func:`serialize_result` or :func:`serialize_error`.

Decisions (AWS behaviour where known, see the project's AWS Query API wire reference,
shared/reference/aws_query_api.md):

* ``Action`` missing or empty -> ``MissingAction`` 400.
* ``Action`` unknown (case-sensitive, as AWS), or ``Version`` missing / not the service's API
  version -> ``InvalidAction`` 400 ``Could not find operation <Action> for version <Version>``
  (``NO_VERSION_SPECIFIED`` when absent). AWS routes on (Action, Version), so a wrong Version
  makes the operation unknown; surrounding whitespace in Version is tolerated.
* Model validation (required, length, range, pattern, enum) and type coercion problems ->
  ``ValidationError`` 400 with AWS's (Coral) message format. Member paths are lowerCamelCase and
  list elements of structures are addressed as ``tags.1.member.key``; constraints on the scalar
  elements of a list are reported on the list itself (``Member must satisfy constraint: [...]``).
  Values of ``sensitive`` shapes (passwords...) are never echoed: ``Value at 'password' ...``.
* Unknown parameters are ignored; defaults (``Path='/'``, ``MaxItems=100``...) are NOT filled in:
  params are exactly what the boto3 caller passed.
* Errors: an error's HTTP status and fault side travel with it (``QueryError`` here, the domain's
  ``iam.errors`` with their AWS codes, ``iam.authn.AuthenticationFailed``); this module keeps no
  table of codes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
import sys
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

__all__ = [
    "MAX_FIELDS",
    "QueryError",
    "decode_form",
    "parse_request",
    "serialize_error",
    "serialize_result",
    "service_model",
]

API_VERSIONS: dict[str, str] = {"iam": "2010-05-08", "sts": "2011-06-15"}
POLICY_DOCUMENT_SHAPE = "policyDocumentType"

_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


class QueryError(Exception):
    """An AWS Query API error to be answered with :func:`serialize_error`."""

    def __init__(self, code: str, message: str, status: int, sender_fault: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault


# --------------------------------------------------------------------------- models


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore ServiceModel of ``iam`` (2010-05-08) or ``sts`` (2011-06-15), cached."""
    try:
        api_version = API_VERSIONS[name]
    except KeyError:
        raise ValueError(f"unsupported service {name!r}") from None
    model = Loader().load_service_model(name, "service-2", api_version)
    return ServiceModel(model, service_name=name)


def _namespace(service: str) -> str:
    return service_model(service).metadata.get(
        "xmlNamespace", f"https://{service}.amazonaws.com/doc/{API_VERSIONS[service]}/"
    )


# --------------------------------------------------------------------------- request parsing

# Parameters one request may carry. Django's default (1,000) is too few for legitimate lists:
# SimulateCustomPolicy with 1,000 ActionNames and its policy needs over 1,000.
MAX_FIELDS = 10_000
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _malformed(message: str) -> QueryError:
    return QueryError("InvalidQueryParameter", message, 400)


def decode_form(
    data: bytes, content_type: str = FORM_CONTENT_TYPE, charset: str | None = None,
    max_fields: int = MAX_FIELDS,
) -> dict[str, list[str]]:
    """The parameters of a Query request: a form-urlencoded body (or query string) in UTF-8.

    ``content_type`` and ``charset`` come from the Content-Type header (a query string passes
    the defaults). A body of another content type carries no parameters; multipart is refused,
    as are a charset other than UTF-8, bytes that are not UTF-8 and more than ``max_fields``
    parameters (InvalidQueryParameter 400).
    """
    content_type = (content_type or "").strip().lower()
    if content_type.startswith("multipart/"):
        raise _malformed(f"The Query API reads {FORM_CONTENT_TYPE} bodies, not {content_type}.")
    if content_type and content_type != FORM_CONTENT_TYPE:
        return {}
    if charset and charset.strip().strip('"').lower().replace("-", "") != "utf8":
        raise _malformed(f"The charset {charset!r} is not supported: send UTF-8.")
    try:
        pairs = urllib.parse.parse_qsl(
            data.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
            max_num_fields=max_fields,
        )
    except UnicodeDecodeError:
        raise _malformed("The request's parameters are not valid UTF-8.") from None
    except ValueError:  # "Max number of fields exceeded"
        raise _malformed(f"The request has more than {max_fields} parameters.") from None
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


class _Node:
    """One dotted-key path component of the decoded form: ``Tags.member.1.Key``."""

    __slots__ = ("children", "key", "value")

    def __init__(self, key: str = "") -> None:
        self.key = key  # the dotted name up to this node, for error messages
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


_MISSING = object()


def _form_items(form: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    lists = getattr(form, "lists", None)
    pairs = lists() if callable(lists) else form.items()
    for key, value in pairs:
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            value = value[-1]  # Django's QueryDict semantics: the last one wins
        yield str(key), "" if value is None else str(value)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _java_len(value: str) -> int:
    # AWS (Java) counts UTF-16 code units.
    return len(value.encode("utf-16-le")) // 2


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


@functools.cache
def _category_classes() -> dict[str, str]:
    """Character-class bodies for Java's ``\\p{X}``, keyed by major general category."""
    ranges: dict[str, list[str]] = {}
    current, start = "", 0
    for cp in range(sys.maxunicode + 2):
        major = unicodedata.category(chr(cp))[0] if cp <= sys.maxunicode else ""
        if major != current:
            if current:
                ranges.setdefault(current, []).append(_range(start, cp - 1))
            current, start = major, cp
    return {major: "".join(parts) for major, parts in ranges.items()}


def _range(start: int, end: int) -> str:
    return f"\\U{start:08x}" if start == end else f"\\U{start:08x}-\\U{end:08x}"


@functools.cache
def _compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a model (Java) regex for ``fullmatch``; ``\\p{L}`` etc. are expanded."""
    translated = re.sub(
        r"\\p\{(\w)\w*\}", lambda m: _category_classes()[m.group(1).upper()], pattern
    )
    return re.compile(translated, re.ASCII)


class _Parser:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, value: Any, path: str, constraint: str, sensitive: bool = False) -> None:
        if value is None:
            where = f"Value null at '{path}'"
        elif sensitive:
            where = f"Value at '{path}'"
        else:
            where = f"Value '{_format_value(value)}' at '{path}'"
        self.errors.append(f"{where} failed to satisfy constraint: {constraint}")

    # -- structure / list / map ------------------------------------------------------------

    def structure(self, node: _Node | None, shape: Shape, path: str) -> Any:
        if node is None or not node.children:
            return _MISSING
        return self.members(node, shape, path)

    def members(self, node: _Node, shape: Shape, path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        required = set(shape.required_members)
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            lookup = wire
            if member.type_name == "list" and member.serialization.get("flattened"):
                # botocore replaces the last key component by the member's name, if any.
                lookup = member.member.serialization.get("name", wire)
            member_path = f"{path}.{_lower_camel(wire)}" if path else _lower_camel(wire)
            value = self.value(node.children.get(lookup), member, member_path)
            if value is _MISSING:
                if name in required:
                    self.error(None, member_path, "Member must not be null")
                continue
            result[name] = value
        return result

    def value(self, node: _Node | None, shape: Shape, path: str) -> Any:
        if node is None:
            return _MISSING
        kind = shape.type_name
        if kind == "structure":
            return self.structure(node, shape, path)
        if kind == "list":
            return self.parse_list(node, shape, path)
        if kind == "map":
            return self.parse_map(node, shape, path)
        if node.value is None:
            return _MISSING
        return self.scalar(node.value, shape, path)

    @staticmethod
    def _indexed(node: _Node | None) -> list[_Node]:
        if node is None:
            return []
        indexed: dict[int, _Node] = {}
        for key, child in node.children.items():
            if not (key.isdigit() and key.isascii() and int(key) >= 1):
                continue
            other = indexed.setdefault(int(key), child)
            if other is not child:  # "1" and "01": which one is element 1?
                first, second = sorted((other.key, child.key))
                raise _malformed(f"The parameters {first} and {second} name the same list "
                                 "element: write each index once, without leading zeros.")
        return [indexed[index] for index in sorted(indexed)]

    def parse_list(self, node: _Node, shape: Shape, path: str) -> Any:
        member = shape.member
        if shape.serialization.get("flattened"):
            items_node: _Node | None = node
        else:
            items_node = node.children.get(member.serialization.get("name", "member"))
        elements = self._indexed(items_node)
        if not elements:
            if node.value is not None or items_node is not None:
                result: list[Any] = []  # ``Name=`` is the query protocol's empty list
                self.check_collection(result, shape, path)
                return result
            return _MISSING
        values: list[Any] = []
        scalar_member = member.type_name not in ("structure", "list", "map")
        inner = _Parser() if scalar_member else self
        for index, element in enumerate(elements, 1):
            element_path = f"{path}.{index}.member"
            value = inner.value(element, member, element_path)
            if value is not _MISSING:
                values.append(value)
        if scalar_member and inner.errors:
            constraints = list(dict.fromkeys(e.split(" failed to satisfy constraint: ", 1)[1]
                                             for e in inner.errors))
            self.error(values, path, f"Member must satisfy constraint: [{', '.join(constraints)}]",
                       sensitive=bool(member.metadata.get("sensitive")))
        self.check_collection(values, shape, path)
        return values

    def parse_map(self, node: _Node, shape: Shape, path: str) -> Any:
        entries_node = node if shape.serialization.get("flattened") else node.children.get("entry")
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entries = self._indexed(entries_node)
        if not entries:
            if node.value is not None or entries_node is not None:
                return {}
            return _MISSING
        result: dict[Any, Any] = {}
        for index, entry in enumerate(entries, 1):
            entry_path = f"{path}.{index}"
            key = self.value(entry.children.get(key_name), shape.key, f"{entry_path}.key")
            value = self.value(entry.children.get(value_name), shape.value, f"{entry_path}.value")
            if key is _MISSING:
                self.error(None, f"{entry_path}.key", "Member must not be null")
                continue
            if value is _MISSING:
                self.error(None, f"{entry_path}.value", "Member must not be null")
                continue
            result[key] = value
        self.check_collection(result, shape, path)
        return result

    def check_bounds(self, value: Any, size: float, shape: Shape, path: str, what: str,
                     sensitive: bool = False) -> None:
        """The model's min/max on `size`, the value's `what` ("length" or "value")."""
        meta = shape.metadata
        if "min" in meta and size < meta["min"]:
            self.error(value, path,
                       f"Member must have {what} greater than or equal to {meta['min']}", sensitive)
        if "max" in meta and size > meta["max"]:
            self.error(value, path,
                       f"Member must have {what} less than or equal to {meta['max']}", sensitive)

    def check_collection(self, value: Any, shape: Shape, path: str) -> None:
        self.check_bounds(value, len(value), shape, path, "length")

    # -- scalars -----------------------------------------------------------------------------

    def scalar(self, raw: str, shape: Shape, path: str) -> Any:
        kind = shape.type_name
        meta = shape.metadata
        sensitive = bool(meta.get("sensitive"))
        if kind == "string":
            self.check_string(raw, shape, path)
            return raw
        if kind in ("integer", "long"):
            text = raw.strip()
            low, high = _INT_BOUNDS[kind]
            if not _INT_RE.fullmatch(text) or not low <= int(text) <= high:
                self.error(raw, path, f"Member must be a valid {kind}", sensitive)
                return _MISSING
            number = int(text)
            self.check_range(number, shape, path)
            return number
        if kind in ("float", "double"):
            try:
                real = float(raw)
            except ValueError:
                self.error(raw, path, f"Member must be a valid {kind}", sensitive)
                return _MISSING
            self.check_range(real, shape, path)
            return real
        if kind == "boolean":
            text = raw.strip().lower()
            if text not in ("true", "false"):
                self.error(raw, path, "Member must be a valid boolean (true or false)", sensitive)
                return _MISSING
            return text == "true"
        if kind == "timestamp":
            parsed = _parse_timestamp(raw)
            if parsed is None:
                self.error(raw, path, "Member must be a valid ISO 8601 timestamp", sensitive)
                return _MISSING
            return parsed
        if kind == "blob":
            try:
                blob = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                self.error(raw, path, "Member must be valid base64", sensitive)
                return _MISSING
            self.check_collection(blob, shape, path)
            return blob
        raise ValueError(f"unsupported shape type {kind!r} at {path}")

    def check_string(self, value: str, shape: Shape, path: str) -> None:
        meta = shape.metadata
        sensitive = bool(meta.get("sensitive"))
        self.check_bounds(value, _java_len(value), shape, path, "length", sensitive)
        pattern = meta.get("pattern")
        if pattern and not _compile_pattern(pattern).fullmatch(value):
            self.error(value, path,
                       f"Member must satisfy regular expression pattern: {pattern}", sensitive)
        enum = meta.get("enum")
        if enum and value not in enum:
            self.error(value, path,
                       f"Member must satisfy enum value set: [{', '.join(enum)}]", sensitive)

    def check_range(self, value: float, shape: Shape, path: str) -> None:
        self.check_bounds(value, value, shape, path, "value",
                          bool(shape.metadata.get("sensitive")))


def _parse_timestamp(raw: str) -> dt.datetime | None:
    text = raw.strip()
    try:
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
        value = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _validation_error(errors: list[str]) -> QueryError:
    count = len(errors)
    noun = "validation error" if count == 1 else "validation errors"
    return QueryError("ValidationError", f"{count} {noun} detected: {'; '.join(errors)}", 400)


def _operation(service: str, action: str | None, version: str | None) -> OperationModel:
    model = service_model(service)
    if not action:
        raise QueryError("MissingAction", "No action was supplied with this request.", 400)
    shown_version = version if version else "NO_VERSION_SPECIFIED"
    if (version or "").strip() != model.api_version or action not in model.operation_names:
        raise QueryError(
            "InvalidAction", f"Could not find operation {action} for version {shown_version}", 400
        )
    return model.operation_model(action)


def parse_request(
    service: str, form: Mapping[str, list[str]] | Mapping[str, str]
) -> tuple[str, dict[str, Any]]:
    """Decode a Query form into ``(operation_name, params)`` as a boto3 caller passed them.

    Raises :class:`QueryError` (MissingAction / InvalidAction / ValidationError, and
    InvalidQueryParameter for a list index written twice, ``1`` and ``01``).
    """
    root = _Node()
    for key, value in _form_items(form):
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node(f"{node.key}.{part}" if node.key else part)
            node = child
        node.value = value
    action_node = root.children.pop("Action", None)
    version_node = root.children.pop("Version", None)
    operation = _operation(
        service,
        action_node.value if action_node else None,
        version_node.value if version_node else None,
    )
    shape = operation.input_shape
    if shape is None:
        return operation.name, {}
    parser = _Parser()
    params = parser.members(root, shape, "")
    if parser.errors:
        raise _validation_error(parser.errors)
    return operation.name, params


# --------------------------------------------------------------------------- serialization


_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    # Characters XML 1.0 cannot carry become U+FFFD; CR is kept as a character reference
    # (an XML parser would normalize a literal \r to \n).
    value = _XML_INVALID_RE.sub("\ufffd", value)
    return _xml_escape(value).replace("\r", "&#13;")


def _format_timestamp(value: Any, path: str) -> str:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{path}: expected datetime, got {type(value).__name__}")
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def element(self, name: str, value: Any, shape: Shape, path: str) -> None:
        kind = shape.type_name
        if kind == "structure":
            self.parts.append(f"<{name}>")
            self.members(value, shape, path)
            self.parts.append(f"</{name}>")
        elif kind == "list":
            self.write_list(name, value, shape, path)
        elif kind == "map":
            self.write_map(name, value, shape, path)
        else:
            self.parts.append(f"<{name}>{self.scalar(value, shape, path)}</{name}>")

    def members(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, Mapping):
            raise TypeError(f"{path}: expected a dict for {shape.name}, got {type(value).__name__}")
        unknown = set(value) - set(shape.members)
        if unknown:
            raise KeyError(f"{path}: unknown member(s) {sorted(unknown)} for {shape.name}")
        required = set(shape.required_members)
        for name, member in shape.members.items():
            item = value.get(name)
            member_path = f"{path}.{name}" if path else name
            if item is None:
                if name not in required:
                    continue
                if member.type_name != "list":
                    raise ValueError(f"{member_path}: required member missing")
                item = []
            wire = member.serialization.get("name", name)
            self.element(wire, item, member, member_path)

    def write_list(self, name: str, value: Any, shape: Shape, path: str) -> None:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise TypeError(f"{path}: expected a list, got {type(value).__name__}")
        items = list(value)
        member = shape.member
        if shape.serialization.get("flattened"):
            member_name = member.serialization.get("name", name)
            for index, item in enumerate(items, 1):
                self.element(member_name, item, member, f"{path}[{index}]")
            return
        if not items:
            self.parts.append(f"<{name}/>")
            return
        member_name = member.serialization.get("name", "member")
        self.parts.append(f"<{name}>")
        for index, item in enumerate(items, 1):
            if item is None:
                raise ValueError(f"{path}[{index}]: None in a list")
            self.element(member_name, item, member, f"{path}[{index}]")
        self.parts.append(f"</{name}>")

    def write_map(self, name: str, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, Mapping):
            raise TypeError(f"{path}: expected a dict, got {type(value).__name__}")
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flattened = bool(shape.serialization.get("flattened"))
        if not value and not flattened:
            self.parts.append(f"<{name}/>")
            return
        if not flattened:
            self.parts.append(f"<{name}>")
        entry = name if flattened else "entry"
        for key, item in value.items():
            self.parts.append(f"<{entry}>")
            self.element(key_name, key, shape.key, f"{path}[{key!r}]")
            self.element(value_name, item, shape.value, f"{path}[{key!r}]")
            self.parts.append(f"</{entry}>")
        if not flattened:
            self.parts.append(f"</{name}>")

    @staticmethod
    def scalar(value: Any, shape: Shape, path: str) -> str:
        kind = shape.type_name
        if kind == "string":
            if not isinstance(value, str):
                raise TypeError(f"{path}: expected str, got {type(value).__name__}")
            if shape.name == POLICY_DOCUMENT_SHAPE:
                return urllib.parse.quote(value, safe="")
            return _text(value)
        if kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{path}: expected int, got {type(value).__name__}")
            return str(value)
        if kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{path}: expected a number, got {type(value).__name__}")
            return repr(float(value))
        if kind == "boolean":
            if not isinstance(value, bool):
                raise TypeError(f"{path}: expected bool, got {type(value).__name__}")
            return "true" if value else "false"
        if kind == "timestamp":
            return _format_timestamp(value, path)
        if kind == "blob":
            if isinstance(value, str):
                value = value.encode("utf-8")
            if not isinstance(value, (bytes, bytearray, memoryview)):
                raise TypeError(f"{path}: expected bytes, got {type(value).__name__}")
            return base64.b64encode(bytes(value)).decode("ascii")
        raise ValueError(f"{path}: unsupported shape type {kind!r}")


def serialize_result(
    service: str, operation: str, result: Mapping[str, Any] | None, request_id: str
) -> bytes:
    """The success XML document of ``operation`` for ``result`` (keys as boto3 returns them).

    Raises KeyError/TypeError/ValueError on programming errors (unknown keys, wrong types,
    missing required non-list members).
    """
    op = service_model(service).operation_model(operation)
    writer = _Writer()
    writer.parts.append(f'<{op.name}Response xmlns="{_namespace(service)}">')
    shape = op.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{op.name}Result")
        writer.parts.append(f"<{wrapper}>")
        writer.members(result or {}, shape, "")
        writer.parts.append(f"</{wrapper}>")
    elif result:
        raise KeyError(f"{operation} has no output, got {sorted(result)}")
    writer.parts.append(
        f"<ResponseMetadata><RequestId>{_text(request_id)}</RequestId></ResponseMetadata>"
    )
    writer.parts.append(f"</{op.name}Response>")
    return "".join(writer.parts).encode("utf-8")


def serialize_error(
    service: str, code: str, message: str, request_id: str, sender_fault: bool = True
) -> bytes:
    """The ``<ErrorResponse>`` document (RequestId is a sibling of ``<Error>``, as AWS sends)."""
    kind = "Sender" if sender_fault else "Receiver"
    return (
        f'<ErrorResponse xmlns="{_namespace(service)}">'
        f"<Error><Type>{kind}</Type><Code>{_text(code)}</Code>"
        f"<Message>{_text(message)}</Message></Error>"
        f"<RequestId>{_text(request_id)}</RequestId>"
        "</ErrorResponse>"
    ).encode()
