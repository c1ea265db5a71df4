"""GeoReport v2 XML: the same records as the JSON lists, as ``<services><service>…`` etc."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi import Response

ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_xml(root: str, records: list[dict]) -> bytes:
    top = ET.Element(root)
    for record in records:
        item = ET.SubElement(top, ROOTS[root])
        for key, value in record.items():
            ET.SubElement(item, key).text = _text(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def xml_response(root: str, records: list[dict], status_code: int = 200, headers: dict | None = None) -> Response:
    return Response(to_xml(root, records), status_code=status_code, media_type="application/xml", headers=headers)
