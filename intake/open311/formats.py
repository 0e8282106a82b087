"""GeoReport v2 answers in JSON or XML, chosen by the URL's extension as the spec does.

The same data serves both: a dict or a list of dicts. JSON writes it as it is; XML names the
root element and each list's items as the spec's examples do (`<services><service>…`,
`<service_requests><request>…`, `<errors><error>…`), with booleans as `true`/`false` and an
empty element for a missing value. XML is built with the standard library's ElementTree, which
escapes text, so the answer is always well-formed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Final
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from org.access import Refusal

JSON: Final = "json"
XML: Final = "xml"
CONTENT_TYPES: Final = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# Characters XML 1.0 cannot hold at all, not even escaped.
NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The element of each item of a list, by the list's element.
ITEMS: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def answer(data: Any, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    """`data` in `fmt`; `root` names the XML document element (a list's or an object's)."""
    if fmt == XML:
        body = xml_bytes(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False, default=_plain).encode()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)
    response["Cache-Control"] = "no-store"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list: [{"code": 400, "description": "…"}] / <errors><error>…"""
    return answer([{"code": status, "description": description}], fmt, "errors", status=status)


def refused(fmt: str, refusal: Refusal) -> HttpResponse:
    return error(fmt, refusal.status, refusal.message)


def xml_bytes(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill(element: ET.Element, data: Any) -> None:
    if isinstance(data, dict):
        for name, value in data.items():
            _fill(ET.SubElement(element, name), value)
    elif isinstance(data, list | tuple):
        item = ITEMS.get(element.tag, "item")
        for value in data:
            _fill(ET.SubElement(element, item), value)
    elif data is not None:
        element.text = _text(data)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return when(value) or ""
    return NOT_XML.sub("", str(value))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return when(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def when(value: datetime | None) -> str | None:
    """ISO 8601 in the district's time zone with its offset (2026-11-23T10:00:00+08:00)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")
