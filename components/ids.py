"""Component ids shared by layouts and their callbacks, so the two cannot disagree."""

# App shell
URL = "url"
NAVBAR = "navbar"
ERROR_BANNER = "error-banner"

# Super admin: approvals
APPROVALS_TABLE = "approvals-table"
APPROVALS_MESSAGE = "approvals-message"
APPROVALS_REFRESH = "approvals-refresh"


def approve_button(user_id: int) -> dict:
    return {"type": "approve-user", "user": user_id}


def reject_button(user_id: int) -> dict:
    return {"type": "reject-user", "user": user_id}


# Role dashboards: each has its own summary area and refresh timer.
CITIZEN_SUMMARY = "citizen-summary"
CITIZEN_REFRESH = "citizen-refresh"
HOSPITAL_SUMMARY = "hospital-summary"
HOSPITAL_REFRESH = "hospital-refresh"
OFFICER_SUMMARY = "officer-summary"
OFFICER_REFRESH = "officer-refresh"
ADMIN_SUMMARY = "admin-summary"
ADMIN_REFRESH = "admin-refresh"
