"""The GeoReport v2 schemas the Open311 project published (schemas/, see its README), as
jsonschema validators, and the same checks for the XML form of an answer.

The JSON Schemas refer to each other by relative `$ref` ("service.json"). Each file is put in a
`referencing` Registry under its file: URI, so a ref resolves to the copy beside this module;
the registry has no way to retrieve anything else, so nothing is ever fetched over the network.

What the published files get wrong, and how the tests deal with it:

- swagger.json says GET tokens/{token} answers one TokenResponse object, and GET
  request/{id} one Request object. The GeoReport v2 wiki answers both with a list (`[{...}]`,
  `<service_requests><request>…`), as swagger.json's own XML examples do, and as clients read
  them (georeport's get_service_request takes `[0]`). Each item is checked against the
  definition and the answer must be a list of one.
- swagger.json cannot say that a field may be null (Swagger 2.0 has no null), where the JSON
  Schemas of the same commit allow null for every optional field. Its definitions are used only
  where no JSON Schema exists (POST requests and tokens), and the endpoints leave out an
  optional field they have no value for there.
- requests.json and services.json put `minItems: 1` inside `items`, where it constrains
  nothing; an empty list is valid, as the wiki allows.

No published file describes discovery or the error list; DISCOVERY and ERRORS below are ours,
written from the wiki's field lists, and are marked as such.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS: Final = Path(__file__).parent / "schemas"
FILES: Final = (
    "service.json",
    "services.json",
    "service-definition.json",
    "request.json",
    "requests.json",
    "swagger.json",
)

# Ours, not published: the wiki's Service Discovery and error list (see the docstring).
DISCOVERY: Final = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string", "format": "uri"},
                    "url": {"type": "string", "format": "uri"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"enum": ["application/json", "text/xml"]},
                    },
                },
            },
        },
    },
}
ERRORS: Final = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "minimum": 400, "maximum": 599},
            "description": {"type": "string", "minLength": 1},
        },
    },
}

# The wiki's date-time: a W3C (RFC 3339) date and time with Z or an HH:MM offset.
_DATE_TIME: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
FORMATS: Final = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # a format constrains strings only
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not re.search(r"\s", value)


def uri(name: str) -> str:
    return (SCHEMAS / name).as_uri()


@cache
def registry() -> Registry:
    resources = []
    for name in FILES:
        contents = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append((uri(name), Resource.from_contents(contents, DRAFT4)))
    return Registry().with_resources(resources)


@cache
def _validator(ref: str) -> Draft4Validator:
    return Draft4Validator({"$ref": ref}, registry=registry(), format_checker=FORMATS)


def ref(kind: str) -> str:
    """The schema of each kind of answer, as a ref into the registry."""
    return {
        "services": uri("services.json"),
        "service_definition": uri("service-definition.json"),
        "requests": uri("requests.json"),
        "request": uri("request.json"),
        "posted": uri("swagger.json") + "#/definitions/RequestResponse",
        "token": uri("swagger.json") + "#/definitions/TokenResponse",
    }[kind]


def problems(data: Any, kind: str) -> list[str]:
    """Every way `data` fails the schema of `kind`; a list answer (posted, token) is checked
    item by item (see the docstring)."""
    if kind in ("discovery", "errors"):
        validator = Draft4Validator(
            DISCOVERY if kind == "discovery" else ERRORS, format_checker=FORMATS
        )
        return _messages(validator, data)
    if kind in ("posted", "token"):
        if not isinstance(data, list) or len(data) != 1:
            return [f"{kind}: expected a list of one, got {data!r}"]
        return _messages(_validator(ref(kind)), data[0])
    return _messages(_validator(ref(kind)), data)


def _messages(validator: Draft4Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]


def schema_of(kind: str) -> dict[str, Any]:
    """The schema of `kind` with its top-level refs followed (for reading XML by it)."""
    if kind == "discovery":
        return DISCOVERY
    if kind == "errors":
        return ERRORS
    return _follow(registry().resolver().lookup(ref(kind)).contents)


def _follow(schema: Any) -> Any:
    """A schema with `$ref`s replaced by what they name, recursively (the published files
    have no cycles); swagger's refs are within swagger.json, the others name files."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            target: str = schema["$ref"]
            if target.startswith("#"):
                target = uri("swagger.json") + target
            elif "://" not in target:
                target = uri(target)
            return _follow(registry().resolver().lookup(target).contents)
        return {name: _follow(value) for name, value in schema.items()}
    if isinstance(schema, list):
        return [_follow(value) for value in schema]
    return schema


# --- XML -----------------------------------------------------------------------------------


def from_xml(element: ET.Element, schema: dict[str, Any], wrong: list[str] | None = None) -> Any:
    """An XML answer read as the data the JSON schema describes: each element's text becomes
    the type the schema gives its property (a boolean from true/false, a number, null for an
    empty element where null is allowed), a list from the item elements. Text that does not
    fit the type is left as text, so the schema then refuses it. An item element that is not
    the spec's (ITEMS) is added to `wrong`."""
    wrong = [] if wrong is None else wrong
    types = _types(schema)
    if "array" in types:
        items, item = schema.get("items", {}), ITEMS.get(element.tag)
        wrong += [f"{element.tag}/{c.tag}" for c in element if item is not None and c.tag != item]
        return [from_xml(child, items, wrong) for child in element]
    if "object" in types or "properties" in schema:
        properties = schema.get("properties", {})
        return {c.tag: from_xml(c, properties.get(c.tag, {}), wrong) for c in element}
    text = element.text
    if not text and len(element) == 0:
        return None if "null" in types or not types else ""
    if len(element):
        return {child.tag: from_xml(child, {}, wrong) for child in element}
    assert text is not None
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "integer" in types and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in types:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _types(schema: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    given = schema.get("type")
    if isinstance(given, str):
        found.add(given)
    elif isinstance(given, list):
        found.update(given)
    for choice in schema.get("anyOf", []):
        found |= _types(choice)
    if "enum" in schema and not found:
        found.add("string")
    return found


def xml_problems(root: ET.Element, kind: str, tag: str) -> list[str]:
    """Every way an XML answer fails: the document element, the item elements, and the data
    read by the schema of `kind` failing that schema. Required fields must be present."""
    found: list[str] = []
    if root.tag != tag:
        found.append(f"document element {root.tag}, expected {tag}")
    schema = schema_of(kind)
    if kind in ("posted", "token"):  # a list of one (see the docstring)
        schema = {"type": "array", "items": schema}
    wrong: list[str] = []
    data = from_xml(root, schema, wrong)
    return found + [f"item element {path}" for path in wrong] + problems(data, kind)


# The item element of each list, by the list's element: the spec's XML examples
# (services/service, service_requests/request, attributes/attribute, values/value,
# errors/error) and the Service Discovery page's (endpoints/endpoint, formats/format).
ITEMS: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
