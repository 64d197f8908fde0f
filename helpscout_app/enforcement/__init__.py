"""Enforcement of Amazon's reply rules on Help Scout: sent replies, drafts, Send Later replies.

Import from the modules themselves: `sent_replies` (a reply that went out), `draft_scan` (drafts
and the Send-Later gate), `customer_messages` (the buyer's side of the SLA clock), and the
pieces they share: `conversation_ref`, `threads`, `notes`, `incidents` (check once, act once),
`stored_conversations` (what is written to the store).
"""
