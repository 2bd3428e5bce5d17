"""WordprocessingML helpers shared by the docx reader and its numbering: namespaces, tags, attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAX_SPAN = 64  # a gridSpan beyond this is not a report table


def split_tag(tag: object) -> tuple[str, str]:
    """``{namespace}local`` -> ``(namespace, local)``; comments and PIs give ``("", str(tag))``."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return "", str(tag)
    ns, _, name = tag[1:].partition("}")
    return ns, name


def is_w(el: Element, name: str) -> bool:
    """True when ``el`` is ``w:name`` (transitional or strict namespace)."""
    ns, local = split_tag(el.tag)
    return local == name and ns in W_NS


def wattr(el: Element, name: str) -> str | None:
    """The ``w:name`` attribute of ``el``, or None."""
    for ns in W_NS:
        value = el.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def child(el: Element, name: str) -> Element | None:
    """The first ``w:name`` child of ``el``, or None."""
    for kid in el:
        if is_w(kid, name):
            return kid
    return None


def int_attr(el: Element | None, default: int) -> int:
    """The integer ``w:val`` of ``el`` clamped to 0..MAX_SPAN, or ``default``."""
    if el is None:
        return default
    try:
        return max(0, min(MAX_SPAN, int(wattr(el, "val") or default)))
    except ValueError:
        return default
