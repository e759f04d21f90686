"""Names of the groups the data migration creates; roles are checked against these."""

CONSULTANT = "Consultant"
VIEWER = "Viewer"
REPORT_RECIPIENTS = "Coverage report recipients"
