"""Hostile text from Help Scout and Amazon in every field the sidebar shows stays text.

The payload's subject and names, the conversation's subject, the buyer's message and the draft
(from Help Scout), the order's item title and ASIN (from SP-API) and the "No response needed"
link (from Amazon's email) all carry markup or script; the rendered widget and page are parsed
and must hold no element, attribute or link that any of it could have created.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sidebar_case import NOW, SidebarCaller
from sqlalchemy.orm import Session

from helpscout_app.store.models import AmazonNotification

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "body", "script", "noscript", "div", "section",
    "h4", "p", "strong", "span", "a", "form", "input", "button", "ul", "li", "code", "pre",
    "dl", "dt", "dd", "label", "textarea",
}  # fmt: skip


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_texts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_texts.append(data)


def assert_inert(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert value is not None and value.startswith(("http://", "https://", "/")), value
        if tag == "script":
            assert dict(attrs).get("src") in (
                "/sidebar/static/sidebar.js",
                "/sidebar/static/countdown.js",
            )
    assert parser.script_texts == []


@pytest.fixture
def hostile_everything(
    store_conversation: Callable[..., None],
    store_session: Session,
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    store_conversation(status="closed")
    store_session.add(
        AmazonNotification(
            message_id="<nrn-xss@amazon.test>",
            kind="buyer_message",
            received_at=NOW - timedelta(hours=3),
            no_response_needed_url='javascript:alert("nrn")//https://sellercentral.amazon.com',
            matched_thread_id=8812004503,
            matched_conversation_id=3120419377,
        )
    )
    store_session.commit()
    conversation_answers("get_conversation.xss.json")
    order_answers(items="get_order_items.xss.json")


def test_the_dynamic_widget_shows_hostile_text_as_text(
    sidebar: SidebarCaller, hostile_everything: None
) -> None:
    html = sidebar.dynamic("dynamic.xss.json").get_json()["html"]

    assert_inert(html)
    # what a person sees: the text itself, escaped
    assert "&lt;script&gt;alert(&#34;ticket&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#34;fname&#34;)&gt;" in html
    assert "&lt;img src=x onerror=alert(&#34;title&#34;)&gt; Kettle" in html
    assert "&#34;&gt;&lt;script&gt;alert(&#34;asin&#34;)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert "No response needed pending" in html and "had no link" in html


def test_the_iframe_page_shows_hostile_text_as_text(
    sidebar: SidebarCaller, hostile_everything: None
) -> None:
    response = sidebar.app()

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_inert(html)
    assert "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;" in html
    assert "javascript:" not in html
