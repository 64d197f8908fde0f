"""Slack's mrkdwn: escaping names and building section fields.

Slack reads both an alert's `text` and its blocks as mrkdwn, so `&`, `<` and `>` in anything
that comes from Help Scout or Amazon are escaped
(https://api.slack.com/reference/surfaces/formatting#escaping).
"""

from __future__ import annotations


def escape(text: str) -> str:
    """Text safe in Slack mrkdwn: the three characters Slack asks to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def field(title: str, value: str) -> dict[str, str]:
    """A section field: bold title, value below."""
    return {"type": "mrkdwn", "text": f"*{title}*\n{value}"}


def link(url: str, label: str) -> str:
    """A mrkdwn link; `label` is escaped, the URL is Slack's to read as given."""
    return f"<{url}|{escape(label)}>"
