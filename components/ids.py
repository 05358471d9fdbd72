"""Component ids shared by layouts and their callbacks, so the two cannot disagree."""

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

# Citizen: SOS
SOS_BUTTON = "sos-button"
SOS_TYPE = "sos-type"
SOS_NOTE = "sos-note"
SOS_GEO = "sos-geolocation"
SOS_GEO_STATUS = "sos-geo-status"
SOS_MAP = "sos-map"
SOS_MAP_MARKER = "sos-map-marker"
SOS_PICKED = "sos-picked-point"
SOS_COORDS = "sos-coordinates"
SOS_LANDMARK = "sos-landmark"
SOS_RESULT = "sos-result"
SOS_OPEN_BANNER = "sos-open-banner"
SOS_REFRESH = "sos-refresh"

# Citizen: tracking one SOS
TRACK_SOS_ID = "track-sos-id"
TRACK_REFRESH = "track-refresh"
TRACK_BODY = "track-body"
TRACK_TIMELINE = "track-timeline"
TRACK_CANCEL = "track-cancel"
TRACK_MESSAGE = "track-message"

# Hospital: SOS queue and active emergencies
QUEUE_REFRESH = "queue-refresh"
QUEUE_LIST = "queue-list"
QUEUE_ACTIVE = "queue-active"
QUEUE_MESSAGE = "queue-message"
QUEUE_SOUND = "queue-sound"
QUEUE_SEEN = "queue-seen"
QUEUE_NEW_IDS = "queue-new-ids"
QUEUE_UPDATED = "queue-updated"


def accept_button(sos_id: int) -> dict:
    return {"type": "accept-sos", "sos": sos_id}


def decline_button(sos_id: int) -> dict:
    return {"type": "decline-sos", "sos": sos_id}


def unit_select(sos_id: int) -> dict:
    return {"type": "unit-select", "sos": sos_id}


def assign_button(sos_id: int) -> dict:
    return {"type": "assign-unit", "sos": sos_id}


def step_button(sos_id: int, to_status: str) -> dict:
    return {"type": "step-unit", "sos": sos_id, "to": to_status}


def resolve_button(sos_id: int) -> dict:
    return {"type": "resolve-sos", "sos": sos_id}


# Hospital: ambulances
UNITS_GRID = "units-grid"
UNITS_REFRESH = "units-refresh"
UNITS_MESSAGE = "units-message"
UNIT_FORM_CALL_SIGN = "unit-call-sign"
UNIT_FORM_PLATE = "unit-plate"
UNIT_FORM_LEVEL = "unit-level"
UNIT_FORM_CREW = "unit-crew"
UNIT_FORM_SUBMIT = "unit-register"
UNIT_RETIRE = "unit-retire"
UNIT_SERVICE_TOGGLE = "unit-service-toggle"

# Officer: SOS needing attention
ATTENTION_REFRESH = "attention-refresh"
ATTENTION_LIST = "attention-list"
