"""Alert messages: the tagged fallback text (DESIGN.md contract), the blocks, the dedupe keys."""

from __future__ import annotations

import pytest

from helpscout_app.alerts.messages import (
    Alert,
    blocked_reply_alert,
    draft_flagged_alert,
    noncompliant_sent_alert,
)
from helpscout_app.alerts.tags import AlertTag
from helpscout_app.enforcement.conversation_ref import ConversationRef

CONVERSATION = ConversationRef(
    conversation_id=3120419377,
    conversation_number=4187,
    mailbox_id=101,
    web_url="https://secure.helpscout.net/conversation/3120419377/4187",
    customer_email="k7m2q9x4b1c8d3f@marketplace.amazon.com",
    subject="Inquiry from Amazon customer Jordan (Order: 112-4839201-5512347)",
    order_ids=("112-4839201-5512347",),
)
LINK = "https://secure.helpscout.net/conversation/3120419377/4187"
BODY_HASH = "ab" * 32


def test_tags_are_the_design_contract() -> None:
    assert [str(tag) for tag in AlertTag] == [
        "missing",
        "sla-warning",
        "sla-breached",
        "nrn-needed",
        "blocked-reply",
        "noncompliant-sent",
        "draft-flagged",
        "digest",
    ]


def test_noncompliant_sent_alert() -> None:
    alert = noncompliant_sent_alert(
        CONVERSATION, thread_id=8812004511, agent_name="Sam Agent", kinds={"phone", "email"}
    )

    assert alert.tag is AlertTag.NONCOMPLIANT_SENT
    assert alert.dedupe_key == "noncompliant-sent:conv:3120419377:thread:8812004511"
    assert alert.conversation_id == 3120419377
    assert alert.text == (
        "[noncompliant-sent] Sam Agent sent an Amazon buyer a reply with email, phone: "
        f"Help Scout #4187 {LINK}, order 112-4839201-5512347"
    )
    assert alert.blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*[noncompliant-sent]* Sam Agent sent an Amazon buyer a reply with "
                "email, phone",
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Conversation*\n<{LINK}|Help Scout #4187>"},
                {"type": "mrkdwn", "text": "*Amazon order*\n112-4839201-5512347"},
                {"type": "mrkdwn", "text": "*Agent*\nSam Agent"},
                {"type": "mrkdwn", "text": "*Found*\nemail, phone"},
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Already sent: a note with the findings is on the conversation.",
                }
            ],
        },
    ]


@pytest.mark.parametrize(
    ("cancelled", "expected_text"),
    [
        (
            True,
            "[blocked-reply] Send Later reply by Sam Agent cancelled: it would have sent an "
            f"Amazon buyer attachment, url: Help Scout #4187 {LINK}, order 112-4839201-5512347",
        ),
        (
            False,
            "[blocked-reply] Send Later reply by Sam Agent will send an Amazon buyer "
            f"attachment, url: Help Scout #4187 {LINK}, order 112-4839201-5512347",
        ),
    ],
)
def test_blocked_reply_alert(cancelled: bool, expected_text: str) -> None:
    alert = blocked_reply_alert(
        CONVERSATION,
        thread_id=8812004530,
        agent_name="Sam Agent",
        kinds=["url", "attachment"],
        cancelled=cancelled,
    )

    assert alert.tag is AlertTag.BLOCKED_REPLY
    assert alert.text == expected_text
    assert alert.dedupe_key == "blocked-reply:conv:3120419377:thread:8812004530"
    outcome = alert.blocks[-1]["elements"][0]["text"]
    assert outcome.startswith("Cancelled" if cancelled else "Not cancelled (flag mode)")


def test_blocked_reply_alert_with_a_body_hash_is_one_fact_per_content() -> None:
    alert = blocked_reply_alert(
        CONVERSATION,
        thread_id=8812004530,
        agent_name=None,
        kinds=["url"],
        cancelled=True,
        body_hash=BODY_HASH,
    )

    assert alert.dedupe_key == f"blocked-reply:conv:3120419377:thread:8812004530:body:{BODY_HASH}"
    assert alert.text.startswith("[blocked-reply] Send Later reply by an agent cancelled: ")


def test_draft_flagged_alert() -> None:
    alert = draft_flagged_alert(
        CONVERSATION,
        thread_id=8812004522,
        body_hash=BODY_HASH,
        agent_name="Lee Agent",
        kinds=["phone"],
    )

    assert alert.tag is AlertTag.DRAFT_FLAGGED
    assert alert.dedupe_key == f"draft-flagged:conv:3120419377:thread:8812004522:body:{BODY_HASH}"
    assert alert.text == (
        f"[draft-flagged] Draft by Lee Agent holds phone: Help Scout #4187 {LINK}, "
        "order 112-4839201-5512347"
    )


def test_without_number_orders_or_agent_the_text_says_what_is_known() -> None:
    conversation = ConversationRef(
        conversation_id=3120419400,
        conversation_number=None,
        mailbox_id=None,
        web_url="https://secure.helpscout.net/conversation/3120419400",
        customer_email=None,
        subject=None,
        order_ids=(),
    )

    alert = noncompliant_sent_alert(conversation, thread_id=1, agent_name=None, kinds=["url"])

    assert alert.text == (
        "[noncompliant-sent] An agent sent an Amazon buyer a reply with url: "
        "Help Scout conversation 3120419400 https://secure.helpscout.net/conversation/3120419400"
    )
    fields = [field["text"] for field in alert.blocks[1]["fields"]]
    assert fields[1:3] == ["*Amazon order*\nnot known", "*Agent*\nnot known"]


def test_several_orders_are_all_named() -> None:
    conversation = ConversationRef(
        **{**CONVERSATION.__dict__, "order_ids": ("112-4839201-5512347", "114-7720193-0012345")}
    )

    alert = noncompliant_sent_alert(conversation, thread_id=1, agent_name="Sam", kinds=["url"])

    assert alert.text.endswith(", orders 112-4839201-5512347, 114-7720193-0012345")


def test_names_are_escaped_for_slack_mrkdwn() -> None:
    alert = noncompliant_sent_alert(
        CONVERSATION, thread_id=1, agent_name="Sam <@U123> & Co", kinds=["url"]
    )

    assert alert.text.startswith("[noncompliant-sent] Sam &lt;@U123&gt; &amp; Co sent ")
    assert "*Agent*\nSam &lt;@U123&gt; &amp; Co" in [f["text"] for f in alert.blocks[1]["fields"]]


def test_alerts_compare_by_their_facts() -> None:
    def make() -> Alert:
        return noncompliant_sent_alert(CONVERSATION, thread_id=1, agent_name="Sam", kinds=["url"])

    assert make() == make()
