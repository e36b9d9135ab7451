"""Open311 XML: the standard's element names (services/service, service_requests/request, errors/error)."""

from xml.etree.ElementTree import Element, SubElement, tostring

from rest_framework.renderers import BaseRenderer

# A list inside an element: the name of each item.
ITEM_NAMES = {"attributes": "attribute", "values": "value"}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element, value):
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(SubElement(element, item_name), child)
    else:
        element.text = _text(value)


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and response.status_code >= 400:
            root_name, item_name = "errors", "error"
        else:
            root_name = getattr(view, "xml_root", "response")
            item_name = getattr(view, "xml_item", "item")
        root = Element(root_name)
        if isinstance(data, list):
            for item in data:
                _fill(SubElement(root, item_name), item)
        else:
            _fill(root, data)
        return tostring(root, encoding="utf-8", xml_declaration=True)
