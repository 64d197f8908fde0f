"""Reconciliation of Help Scout against Amazon's buyer-message notifications.

`notifications` reads the independent copy of Amazon's notification emails into the store;
`helpscout_sync` brings the Amazon conversations and their threads over from Help Scout;
`matching` pairs each buyer-message notification with the Help Scout thread it became; `clock`
keeps each conversation's 24-hour response clock; `missing`, `deadlines`,
`no_response_needed` and `digest` decide what to alert; `reconcile_pass` runs one whole pass
(the periodic job and `amz-guard reconcile --once` both call it).
"""
