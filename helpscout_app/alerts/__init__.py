"""Slack alerts: tagged messages (DESIGN.md "Slack alerts"), their delivery and de-duplication.

Import from the modules themselves: `tags` (the tag vocabulary), `messages` (what an alert says),
`slack` (delivery), `dispatch` (once per fact), `errors`.
"""
