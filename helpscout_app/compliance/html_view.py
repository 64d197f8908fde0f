"""HTML bodies as the buyer sees them, plus every attribute that can carry a link.

A reply written in Help Scout's editor is HTML. What the buyer reads is the text between tags
(inline tags joined without a gap, so `555-<b>123</b>-4567` reads as one number); what the
mail client fetches or opens is in attributes (`href`, `src`, CSS `url()`), including a link
hidden behind innocent link text and a one-pixel tracking image. Comments vanish from the
visible text (so `5<!-- -->55` reads 555) and are scanned on their own: they are not shown, but
they travel to Amazon and its filter reads them.

The scanner is a single forward pass with no backtracking, so nested or unclosed markup costs
time in proportion to its length.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from helpscout_app.compliance.text_view import TextView, ViewBuilder, fold_char

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead "
    "tr ul title head body html".split()
)
"""Tags that start a new line on screen, so text on either side is not run together."""

URL_ATTRIBUTES = frozenset(
    "href src srcset action formaction background poster data cite longdesc usemap codebase "
    "manifest ping lowsrc dynsrc xlink:href".split()
)
"""Attributes whose value a mail client follows, fetches or opens."""

TEXT_ATTRIBUTES = frozenset("alt title content value placeholder label aria-label".split())
"""Attributes whose value is shown to the buyer as text (tooltips, image alternatives)."""

_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_TAG_OPEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
_STYLE_CLOSE = re.compile(r"</style", re.IGNORECASE)
_PIXEL_SIZE = re.compile(r"^\s*[01](?:px)?\s*$")
_HIDES_CONTENT = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em|%)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)",
    re.IGNORECASE,
)
"""Styles that keep an element's text from the buyer's eyes but not from Amazon's filter."""

VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
"""Tags that have no content (and no closing tag)."""

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|(?:width|height)\s*:\s*[01](?:px)?\b|visibility\s*:\s*hidden",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AttributeSegment:
    """Where one attribute value (or comment) starts in the combined attribute view."""

    view_start: int
    tag: str
    attribute: str
    is_tracking_pixel: bool = False


@dataclass(frozen=True, slots=True)
class HtmlViews:
    """The visible text of an HTML body, and every attribute value worth checking.

    The attribute values (and comments) are joined into one view, one per line, so recognizers
    read them in one pass; `segments` says which tag and attribute each line came from.
    """

    text: TextView
    attributes: TextView
    segments: list[AttributeSegment]


def _copy_decoding(builder: ViewBuilder, source: str, start: int, end: int) -> None:
    """Copy source[start:end] into the view with HTML entities decoded."""
    position = start
    while True:
        amp = source.find("&", position, end)
        if amp < 0:
            break
        entity = _ENTITY.match(source, amp, end)
        if entity is None:
            position = amp + 1
            continue
        builder.copy(start, amp)
        decoded = "".join(fold_char(char) for char in html.unescape(entity.group()))
        builder.replace(amp, entity.end(), decoded)
        start = position = entity.end()
    builder.copy(start, end)


class _AttributeCollector:
    """Gathers attribute values into one view, a line each, remembering where each came from."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._builder = ViewBuilder(source)
        self.segments: list[AttributeSegment] = []
        self._length = 0

    def add(self, start: int, end: int, tag: str, attribute: str, pixel: bool = False) -> None:
        self.segments.append(AttributeSegment(self._builder.length, tag, attribute, pixel))
        _copy_decoding(self._builder, self._source, start, end)
        self._builder.replace(end, end, "\n")

    def build(self) -> TextView:
        return self._builder.build()


def _is_tracking_pixel(tag: str, attributes: dict[str, str]) -> bool:
    """An image the buyer can't see: it exists only to report the open to a third party."""
    if tag != "img":
        return False
    sizes = [attributes.get("width"), attributes.get("height")]
    if any(size is not None and _PIXEL_SIZE.match(size) for size in sizes):
        return True
    return bool(_HIDDEN_STYLE.search(attributes.get("style", "")))


def _collect_tag_attributes(
    collector: _AttributeCollector, source: str, tag: str, start: int, end: int
) -> bool:
    """Add the attribute values of one tag that can carry contact info; True if it hides its
    content (`display:none`, `hidden`, zero font size …)."""
    found: list[tuple[str, int, int]] = []
    values: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(source, start, end):
        name = match.group(1).lower()
        for group in (2, 3, 4):
            if match.group(group) is not None:
                found.append((name, match.start(group), match.end(group)))
                values[name] = match.group(group)
                break
    pixel = _is_tracking_pixel(tag, values) if tag == "img" else False
    for name, value_start, value_end in found:
        if name == "style":
            for css in _CSS_URL.finditer(source, value_start, value_end):
                group = 1 if css.group(1) is not None else 2
                collector.add(css.start(group), css.end(group), tag, "style", pixel)
        elif name in URL_ATTRIBUTES or name in TEXT_ATTRIBUTES or name.startswith("data-"):
            collector.add(value_start, value_end, tag, name, pixel)
    return "hidden" in values or bool(_HIDES_CONTENT.search(values.get("style", "")))


def html_views(source: str) -> HtmlViews:
    """Split an HTML body into its visible text and its link-bearing attribute values."""
    builder = ViewBuilder(source)
    collector = _AttributeCollector(source)
    length = len(source)
    text_start = position = 0
    no_more_gt = False
    style_close = -1  # last known "</style" position; -2 once none is left
    hidden_tag, hidden_depth = "", 0  # inside an element that hides its text

    while position < length:
        lt = source.find("<", position)
        if lt < 0:
            break
        if source.startswith("<!--", lt):
            close = source.find("-->", lt + 4)
            close_end = length if close < 0 else close + 3
            inner_end = length if close < 0 else close
            _copy_decoding(builder, source, text_start, lt)
            builder.replace(lt, close_end, "")
            collector.add(lt + 4, inner_end, "!--", "comment")
            text_start = position = close_end
            continue
        tag_open = _TAG_OPEN.match(source, lt)
        if tag_open is None or no_more_gt:
            position = lt + 1
            continue
        gt = source.find(">", tag_open.end())
        if gt < 0:
            no_more_gt = True  # nothing after this is a tag; avoids rescanning to the end
            position = lt + 1
            continue
        tag = tag_open.group(2).lower()
        closing = bool(tag_open.group(1))
        if hidden_depth:
            # Hidden text is checked on its own, and the visible text closes up around it:
            # "555<span style="display:none">x</span>1234567" reads 5551234567.
            collector.add(text_start, lt, hidden_tag, "hidden text")
            builder.replace(lt, gt + 1, "")
            if tag == hidden_tag and tag not in VOID_TAGS:
                hidden_depth += -1 if closing else 1
        else:
            _copy_decoding(builder, source, text_start, lt)
            builder.replace(lt, gt + 1, "\n" if tag in BLOCK_TAGS else "")
        hides = False
        if not closing and gt > tag_open.end():
            hides = _collect_tag_attributes(collector, source, tag, tag_open.end(), gt)
        if hides and not hidden_depth and tag not in VOID_TAGS and source[gt - 1] != "/":
            hidden_tag, hidden_depth = tag, 1
        text_start = position = gt + 1
        if tag == "style" and not tag_open.group(1):
            if style_close != -2 and style_close < position:
                found = _STYLE_CLOSE.search(source, position)
                style_close = found.start() if found else -2
            close = length if style_close == -2 else style_close
            for css in _CSS_URL.finditer(source, position, close):
                group = 1 if css.group(1) is not None else 2
                collector.add(css.start(group), css.end(group), "style", "style")
            builder.replace(position, close, " ")
            text_start = position = close
    if hidden_depth:
        collector.add(text_start, length, hidden_tag, "hidden text")
    else:
        _copy_decoding(builder, source, text_start, length)
    return HtmlViews(builder.build(), collector.build(), collector.segments)
