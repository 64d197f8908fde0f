"""Help Scout: Mailbox API 2.0 client, webhook and sidebar signatures, webhook payload views.

Import from the modules themselves (`helpscout_app.helpscout.client`, `.signatures`,
`.webhook_events`, `.errors`); this package re-exports nothing, so importing the signature check
never loads `requests`.
"""
