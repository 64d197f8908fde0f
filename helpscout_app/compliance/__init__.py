"""The contact-info detector: pure functions, no I/O, nothing of Flask or the workers.

from helpscout_app.compliance import check
report = check(text, html=False, attachments=())
"""

from helpscout_app.compliance.detector import check
from helpscout_app.compliance.findings import Finding, Kind, Report, Severity
from helpscout_app.compliance.options import CheckOptions

__all__ = ["CheckOptions", "Finding", "Kind", "Report", "Severity", "check"]
