"""Whole reconciliation passes on a fixed clock: Amazon's emails in a Maildir, Help Scout behind
`responses`, Slack on a local server; every alert type, and no alert twice."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from reconciliation_times import at
from reconciliation_world import AmazonMailbox, FakeHelpScout, slack_texts
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.enforcement.conversation_ref import conversation_ref
from helpscout_app.enforcement.stored_conversations import store_conversation
from helpscout_app.reconciliation.reconcile_pass import ReconcileResult, run_reconcile_pass
from helpscout_app.settings import Settings
from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.models import AlertSent, AmazonNotification, Conversation

ORDER = "112-4839201-5512347"
ALIAS = "q1w2e3r4t5y6u7i"


def alerts(result: ReconcileResult) -> int:
    """Alerts a pass sent, but the daily digest."""
    return result.alerts_sent - result.digest_sent


def tags_sent(fake_slack: Any) -> list[str]:
    return [text.split("]", 1)[0] + "]" for text in slack_texts(fake_slack)]


def test_a_message_answered_in_time_raises_no_alert_and_is_matched(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
    fake_slack: Any,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(2))
    helpscout.customer_message(1, 11, at(0, 1))
    helpscout.reply(1, 12, at(2))

    result = run_pass(at(23))

    assert (result.ingested, result.conversations_synced, result.matched) == (1, 1, 1)
    assert (result.missing, result.warnings, result.breaches, alerts(result)) == (0, 0, 0, 0)
    assert result.errors == []
    [notification] = store_session.scalars(select(AmazonNotification)).all()
    assert (notification.matched_thread_id, notification.matched_conversation_id) == (11, 1)
    assert slack_texts(fake_slack) == []


def test_an_unanswered_message_warns_at_8h_and_2h_then_breaches_each_once(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0, 1))
    helpscout.customer_message(1, 11, at(0, 1))

    passes = [
        run_pass(moment) for moment in (at(1), at(16, 30), at(16, 35), at(22, 30), at(25), at(26))
    ]

    assert [alerts(p) for p in passes] == [0, 1, 0, 1, 1, 0]
    assert tags_sent(fake_slack) == ["[sla-warning]", "[sla-warning]", "[sla-breached]"]
    eight, two, breached = slack_texts(fake_slack)
    assert "Less than 8h left" in eight and "Less than 2h left" in two
    for text in (eight, two, breached):
        assert "Help Scout #4001 https://secure.helpscout.net/conversation/1/4001" in text
        assert f"order {ORDER}" in text
        assert "due Sat 21 Nov 09:01 UTC" in text
    assert "(59 min ago)" in breached


def test_a_conversation_first_seen_near_its_deadline_gets_only_the_most_urgent_warning(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
    store_session: Session,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))

    run_pass(at(23))
    run_pass(at(23, 10))

    [warning] = slack_texts(fake_slack)
    assert "Less than 2h left" in warning
    recorded = dict(
        store_session.execute(
            select(AlertSent.dedupe_key, AlertSent.summary).where(AlertSent.tag == "sla-warning")
        ).all()
    )
    assert recorded.keys() == {
        "sla-warning:waiting:thread-11:level:8h",
        "sla-warning:waiting:thread-11:level:2h",
    }
    assert recorded["sla-warning:waiting:thread-11:level:8h"].startswith("not sent")
    assert recorded["sla-warning:waiting:thread-11:level:2h"] == warning


def test_a_missing_message_is_alerted_after_the_grace_period_and_resolved_when_it_arrives(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    amazon_mailbox.deliver(
        alias=ALIAS, order=ORDER, at=at(0), case="c0ffee00-1111-2222-3333-444455556666"
    )

    early = run_pass(at(0, 20))
    late = run_pass(at(0, 40))
    again = run_pass(at(1))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(3))
    helpscout.customer_message(1, 11, at(2, 55))  # Help Scout got it three hours late
    found = run_pass(at(3, 5))
    after = run_pass(at(3, 10))

    assert (early.missing, late.missing, again.missing) == (0, 1, 1)
    assert (alerts(late), alerts(again)) == (1, 0)
    assert (found.matched, found.resolved, found.missing, after.resolved) == (1, 1, 0, 0)
    missing, resolution = slack_texts(fake_slack)
    assert missing.startswith("[missing] A buyer message never reached Help Scout: ")
    assert f"order {ORDER}" in missing and "from Jordan" in missing
    assert "received Fri 20 Nov 09:00 UTC" in missing
    assert "answer in Seller Central by Sat 21 Nov 09:00 UTC (23 h 20 min left)" in missing
    assert (
        "https://sellercentral.amazon.com/messaging/inbox?fi=caseId"
        "&ss=c0ffee00-1111-2222-3333-444455556666" in missing
    )
    assert "https://sellercentral.amazon.com/messaging/no-response-needed?cc=c0ffee00" in missing
    assert resolution.startswith("Resolved: the [missing] buyer message (")
    assert "reached Help Scout as Help Scout #4001" in resolution


def test_a_notification_read_after_its_thread_was_synced_is_matched_without_alarm(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))
    first = run_pass(at(0, 5))
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0, 2))  # the copy came in late

    second = run_pass(at(2))

    assert (first.matched, second.ingested, second.matched, second.missing) == (0, 1, 1, 0)
    assert slack_texts(fake_slack) == []


def test_a_date_in_a_zone_python_does_not_know_is_matched_not_missing(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
    fake_slack: Any,
) -> None:
    # 18:00 JST is T0. The stdlib reads an unknown zone name as UTC: the notification was
    # dated 9 h late, outside matching's window, and raised a false [missing]. Now the newest
    # Received hop (T0, +0000) dates it.
    _, raw = AmazonMailbox.notification(alias=ALIAS, order=ORDER, at=at(0))
    raw = re.sub(rb"^Date: .*$", b"Date: Fri, 20 Nov 2026 18:00:00 JST", raw, count=1, flags=re.M)
    amazon_mailbox.maildir.add(raw)
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(2))
    helpscout.customer_message(1, 11, at(0, 1))
    helpscout.reply(1, 12, at(2))

    result = run_pass(at(10))

    assert (result.ingested, result.matched, result.missing) == (1, 1, 0)
    [notification] = store_session.scalars(select(AmazonNotification)).all()
    assert notification.received_at == at(0)
    assert slack_texts(fake_slack) == []


def test_a_buyer_message_without_any_date_is_counted_and_can_still_be_missing(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    # No Date and no Received: it used to be stored without a time, which matching and the
    # missing check both skip, so it was never alerted and no count said so. Help Scout answers
    # with no conversation (a pass whose sync failed would declare nothing missing).
    _, raw = AmazonMailbox.notification(alias=ALIAS, order=ORDER, at=at(0))
    amazon_mailbox.maildir.add(AmazonMailbox.undated(raw))

    read = run_pass(at(0))
    later = run_pass(at(1))

    assert (read.ingested, read.undated, read.missing) == (1, 1, 0)
    assert (later.undated, later.missing, alerts(later)) == (0, 1, 1)
    [missing] = slack_texts(fake_slack)
    assert missing.startswith("[missing] A buyer message never reached Help Scout: ")
    assert "received Fri 20 Nov 09:00 UTC" in missing  # when it was read


def test_two_messages_from_one_buyer_are_each_paired_with_their_own_thread(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0, 30))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(1))
    helpscout.customer_message(1, 12, at(0, 31))
    helpscout.customer_message(1, 11, at(0, 1))

    result = run_pass(at(1))

    assert result.matched == 2
    pairs = store_session.execute(
        select(AmazonNotification.received_at, AmazonNotification.matched_thread_id).order_by(
            AmazonNotification.received_at
        )
    ).all()
    assert [thread for _, thread in pairs] == [11, 12]


def test_a_message_help_scout_received_hours_late_is_due_24_hours_after_the_buyer_wrote(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
    store_session: Session,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))  # the buyer writes at 09:00
    run_pass(at(0, 35))  # [missing]: not in Help Scout after the grace period
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(4))
    helpscout.customer_message(1, 11, at(4))  # Help Scout's inbound mail was 4 h late
    run_pass(at(4, 5))
    found = run_pass(at(4, 15))  # matched once its own notification had time to come
    warned = run_pass(at(16, 5))  # 7 h 55 min left by Amazon's clock
    resynced = run_pass(at(18))  # a later sync of the conversation keeps the buyer's time
    helpscout.touch(1, at(18, 30))
    run_pass(at(18, 35))
    breached = run_pass(at(24, 5))

    conversation = store_session.get(Conversation, 1, populate_existing=True)
    assert conversation is not None
    assert (conversation.waiting_since, conversation.due_at) == (at(0), at(24))
    assert (found.matched, warned.warnings, alerts(resynced), breached.breaches) == (1, 1, 0, 1)
    assert [text[:15] for text in slack_texts(fake_slack)] == [
        "[missing] A buy",
        "Resolved: the [",
        "[sla-warning] L",
        "[sla-breached] ",
    ]


def test_a_buyer_s_next_message_does_not_resolve_an_earlier_one_that_never_arrived(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
    store_session: Session,
) -> None:
    """Help Scout has the buyer's message about another order before the mailbox gives its
    copy: that copy must claim it, and the first message stay missing."""
    amazon_mailbox.deliver(alias=ALIAS, order="111-1111111-1111111", at=at(0))
    run_pass(at(1))  # [missing]: it never reaches Help Scout
    helpscout.conversation(1, alias=ALIAS, order="222-2222222-2222222", modified_at=at(3))
    helpscout.customer_message(1, 11, at(3))
    run_pass(at(3, 5))
    amazon_mailbox.deliver(alias=ALIAS, order="222-2222222-2222222", at=at(3))
    run_pass(at(3, 10))
    run_pass(at(3, 40))

    matched = store_session.execute(
        select(AmazonNotification.order_ids, AmazonNotification.matched_thread_id).order_by(
            AmazonNotification.received_at
        )
    ).all()
    assert [tuple(row) for row in matched] == [
        (["111-1111111-1111111"], None),
        (["222-2222222-2222222"], 11),
    ]
    [missing] = slack_texts(fake_slack)
    assert missing.startswith("[missing]") and "111-1111111-1111111" in missing


def test_a_message_whose_conversation_is_merged_is_not_warned_about_again(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))
    helpscout.conversation(2, alias=ALIAS, order=ORDER, modified_at=at(2))
    helpscout.customer_message(2, 21, at(2))
    run_pass(at(16, 30))  # 8 h left for message 11, in conversation 1
    helpscout.merge(1, into_id=2, modified_at=at(17))
    merged = run_pass(at(17, 5))  # message 11 now waits in conversation 2, still < 8 h left

    assert (merged.warnings, alerts(merged)) == (1, 0)
    [warning] = slack_texts(fake_slack)
    assert warning.startswith("[sla-warning] Less than 8h left")


def test_without_amazon_mailboxes_no_message_is_declared_missing(
    reconcile_settings: Settings,
    amazon_mailbox: AmazonMailbox,
    store_session: Session,
    fake_slack: Any,
) -> None:
    """Nothing of Help Scout is synced then: every message would look missing."""
    unconfigured = reconcile_settings.model_copy(update={"amazon_mailbox_ids": []})
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))

    result = run_reconcile_pass(store_session, unconfigured, now=at(2))

    assert (result.ingested, result.missing, result.conversations_synced) == (1, 0, 0)
    assert slack_texts(fake_slack) == []


def test_closed_without_a_reply_needs_nrn_until_tagged_nrn_done(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
    store_session: Session,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(1), status="closed")
    helpscout.customer_message(1, 11, at(0, 1))

    closed = run_pass(at(1, 5))
    repeated = run_pass(at(17))  # 8 h left, but closed: no warning, the NRN alert said it
    helpscout.touch(1, at(18), tags=["amazon", "nrn-done"])
    marked = run_pass(at(18, 5))
    past_deadline = run_pass(at(30))

    assert (closed.nrn_needed, alerts(closed)) == (1, 1)
    assert (repeated.nrn_needed, repeated.warnings, alerts(repeated)) == (1, 0, 0)
    assert (marked.nrn_needed, past_deadline.breaches, alerts(past_deadline)) == (0, 0, 0)
    [nrn] = slack_texts(fake_slack)
    assert nrn.startswith('[nrn-needed] Closed without a reply: mark "No response needed"')
    assert (
        "No response needed: https://sellercentral.amazon.com/messaging/no-response-needed?" in nrn
    )
    conversation = store_session.get(Conversation, 1, populate_existing=True)
    assert conversation is not None and conversation.nrn_marked_by == "tag nrn-done"
    resolved = store_session.scalar(
        select(AlertSent.resolved_at).where(AlertSent.tag == "nrn-needed")
    )
    assert resolved == at(18, 5)


def test_the_nrn_done_tag_counts_when_the_draft_scan_stored_the_tags_first(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
    store_session: Session,
) -> None:
    """Marked in Seller Central, tagged, and closed a little later: the draft scan (which lists
    active conversations every minute) stores the tags before the sync sees them."""
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))
    run_pass(at(0, 5))
    helpscout.touch(1, at(1), tags=["nrn-done"])
    tagged = helpscout.conversations[1]
    store_conversation(store_session, tagged, conversation_ref(tagged), now=at(1, 1))
    store_session.commit()
    run_pass(at(1, 5))
    helpscout.touch(1, at(2), status="closed")
    results = [run_pass(at(hours, 5)) for hours in (2, 17, 23, 25)]

    assert [(r.nrn_needed, r.warnings, r.breaches) for r in results] == [(0, 0, 0)] * 4
    assert slack_texts(fake_slack) == []
    conversation = store_session.get(Conversation, 1, populate_existing=True)
    assert conversation is not None
    assert (conversation.nrn_marked_at, conversation.nrn_marked_by) == (at(1, 1), "tag nrn-done")
    assert conversation.waiting_since is None


def test_closed_and_never_marked_breaches_at_the_deadline(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(1), status="closed")
    helpscout.customer_message(1, 11, at(0))

    run_pass(at(1))
    run_pass(at(24, 5))

    assert tags_sent(fake_slack) == ["[nrn-needed]", "[sla-breached]"]
    assert "closed without a reply or" in slack_texts(fake_slack)[1]


def test_auto_replies_notes_and_drafts_do_not_stop_the_clock(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(1))
    helpscout.customer_message(1, 11, at(0))
    helpscout.reply(
        1, 12, at(0, 1), body="<p>This is an <b>automatic</b> reply. We answer within a day.</p>"
    )
    helpscout.reply(1, 13, at(0, 30), state="draft")

    result = run_pass(at(17))

    assert (result.warnings, alerts(result)) == (1, 1)
    assert tags_sent(fake_slack) == ["[sla-warning]"]


def test_a_follow_up_after_a_reply_starts_a_new_clock(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(3))
    helpscout.customer_message(1, 11, at(0))
    helpscout.reply(1, 12, at(2))
    answered = run_pass(at(17))
    helpscout.customer_message(1, 13, at(20))
    helpscout.touch(1, at(20))

    follow_up = run_pass(at(20 + 17))

    assert answered.warnings == 0
    assert (follow_up.warnings, alerts(follow_up)) == (1, 1)
    assert "due Sun 22 Nov 05:00 UTC" in slack_texts(fake_slack)[0]


def test_a_merged_conversation_carries_its_waiting_message_to_the_target(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
    fake_slack: Any,
) -> None:
    helpscout.conversation(2, alias=ALIAS, order=ORDER, modified_at=at(1))
    helpscout.customer_message(2, 21, at(0))
    helpscout.reply(2, 22, at(0, 30))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(1))
    helpscout.customer_message(1, 11, at(1))
    run_pass(at(2))
    helpscout.merge(1, into_id=2, modified_at=at(3))

    merged = run_pass(at(17))

    source = store_session.get(Conversation, 1, populate_existing=True)
    target = store_session.get(Conversation, 2, populate_existing=True)
    assert source is not None and (source.status, source.waiting_since) == ("merged", None)
    assert target is not None and (target.waiting_thread_id, target.due_at) == (11, at(25))
    assert (merged.warnings, alerts(merged)) == (1, 1)
    assert "Help Scout #4002" in slack_texts(fake_slack)[0]


def test_a_restart_between_passes_repeats_no_alert(
    helpscout: FakeHelpScout,
    reconcile_settings: Settings,
    store_session: Session,
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))

    for _ in range(2):  # two processes, one after the other: new engine, new client
        engine = create_engine_for(reconcile_settings.database_url)
        with session_factory(engine)() as session:
            run_reconcile_pass(session, reconcile_settings, now=at(17))
        engine.dispose()

    assert tags_sent(fake_slack) == ["[sla-warning]"]


def test_the_incremental_pass_lists_only_what_changed(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
) -> None:
    for conversation_id in range(1, 61):
        helpscout.conversation(
            conversation_id, alias=f"buyer{conversation_id}x", order=ORDER, modified_at=at(0)
        )
        helpscout.customer_message(conversation_id, conversation_id * 10, at(0))
        helpscout.reply(conversation_id, conversation_id * 10 + 1, at(1))
    helpscout.touch(60, at(1, 30))
    first = run_pass(at(2))
    helpscout.touch(5, at(3))
    second = run_pass(at(4))

    # Each pass asks for a token, then a page per 25 conversations; the second lists #5 and,
    # within the overlap before the watermark, #60.
    assert (first.conversations_synced, first.helpscout_requests) == (60, 1 + 3)
    assert (second.conversations_synced, second.helpscout_requests) == (2, 1 + 1)


def test_a_conversation_changed_while_the_pass_pages_through_is_not_skipped(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
) -> None:
    for conversation_id in range(1, 61):
        helpscout.conversation(
            conversation_id, alias=f"buyer{conversation_id}x", order=ORDER, modified_at=at(0)
        )
        helpscout.customer_message(conversation_id, conversation_id * 10, at(0, conversation_id))

    def change_an_early_one(request_number: int) -> None:
        if request_number == 2:  # between the first and the second page
            helpscout.touch(3, at(2))  # #3 moves from the first page to the end of the list

    helpscout.before_list = change_an_early_one
    result = run_pass(at(3))

    stored = set(store_session.scalars(select(Conversation.id)))
    assert stored == set(range(1, 61))
    assert result.conversations_synced >= 60


def test_a_breach_more_than_a_day_old_is_counted_not_alerted(
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    fake_slack: Any,
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))  # due at(24)

    result = run_pass(at(49))  # first seen a day after its deadline

    assert (result.breaches, alerts(result)) == (1, 0)
    assert slack_texts(fake_slack) == []
