"""Amazon: buyer relay addresses, notification emails, marketplace data, the SP-API wrapper.

Shared by the Help Scout side (which conversations are Amazon's) and the reconciliation workers
(which buyer a notification belongs to); nothing here talks to the network unless its module says
so.
"""
