"""The product's words, defined once: roles, status labels, display numbers.

The database's CHECK constraints (db/models.py), the domain rules and every screen read these;
nothing else spells a role or a status label.
"""

from __future__ import annotations

from enum import StrEnum

from db.errors import N_


class Role(StrEnum):
    """Who a signed-in account is. A `Role` is its stored string (`Role.CITIZEN == "citizen"`)."""

    CITIZEN = "citizen"
    HOSPITAL_ADMIN = "hospital_admin"
    HEALTH_OFFICER = "health_officer"
    SUPER_ADMIN = "super_admin"
    DISPLAY = "display"
    # An ambulance's crew, signed in through a crew link: bound to one unit (db/crew.py).
    CREW = "crew"


ROLES: tuple[str, ...] = tuple(role.value for role in Role)
ALL_SIGNED_IN: tuple[Role, ...] = tuple(Role)
ROLE_LABELS = {
    Role.CITIZEN: N_("Citizen"),
    Role.HOSPITAL_ADMIN: N_("Hospital admin"),
    Role.HEALTH_OFFICER: N_("Health officer"),
    Role.SUPER_ADMIN: N_("Super admin"),
    Role.DISPLAY: N_("Wall display"),
    Role.CREW: N_("Ambulance crew"),
}
# Roles that register and wait for a super admin's approval.
STAFF_ROLES = (Role.HOSPITAL_ADMIN, Role.HEALTH_OFFICER)
# Roles a super admin may give in the console. Super admins are made on the command line only.
ASSIGNABLE_ROLES = (Role.CITIZEN, Role.HOSPITAL_ADMIN, Role.HEALTH_OFFICER, Role.DISPLAY)
# Who oversees the region: response figures, feedback across hospitals, exports.
OVERSIGHT_ROLES = (Role.HEALTH_OFFICER, Role.SUPER_ADMIN)

# The demo city's accounts (public passwords) all live under this domain, and log in only where
# demo data is switched on.
DEMO_EMAIL_DOMAIN = "demo.healthfirst.in"

USER_STATUS_LABELS = {"pending": "Waiting for approval", "active": "Active", "rejected": "Rejected",
                      "disabled": "Disabled"}
HOSPITAL_STATUS_LABELS = {"active": "Active", "proposed": "Proposed", "rejected": "Rejected"}

# An SOS's status in the words the citizen reads.
SOS_STATUS_LABELS = {
    "pending": N_("Waiting for a hospital"),
    "accepted": N_("Accepted by a hospital"),
    "dispatched": N_("Ambulance assigned"),
    "en_route": N_("Ambulance on the way"),
    "on_scene": N_("Ambulance with you"),
    "transporting": N_("On the way to hospital"),
    "at_hospital": N_("Arrived at hospital"),
    "resolved": N_("Resolved"),
    "cancelled": N_("Cancelled"),
    "unanswered": N_("No hospital has answered yet: a health officer has been alerted"),
}
# The same statuses in a word or two, for the control room's wall (open SOS only).
SOS_STATUS_SHORT_LABELS = {
    "pending": "Waiting", "unanswered": "UNANSWERED", "accepted": "Accepted", "dispatched": "Dispatched",
    "en_route": "En route", "on_scene": "On scene", "transporting": "Transporting", "at_hospital": "At hospital",
}
PRIORITY_LABELS = {
    "critical": "Critical",
    "emergent": "Emergent",
    "lower_acuity": "Lower acuity",
    "non_acute": "Non-acute",
}
# The same statuses in a dispatcher's words, for hospital screens ("Unit on scene", not the
# citizen's "Ambulance with you").
DISPATCHER_STATUS_LABELS = {
    "pending": "Waiting for an answer",
    "accepted": "Accepted: no unit yet",
    "dispatched": "Unit assigned",
    "en_route": "Unit en route",
    "on_scene": "Unit on scene",
    "transporting": "Transporting",
    "at_hospital": "Unit at hospital",
    "resolved": "Resolved",
    "cancelled": "Cancelled",
    "unanswered": "Unanswered",
}
UNIT_STATUS_LABELS = {
    "available": N_("Available"),
    "dispatched": N_("Dispatched"),
    "en_route": N_("En route"),
    "on_scene": N_("On scene"),
    "transporting": N_("Transporting"),
    "at_hospital": N_("At hospital"),
    "out_of_service": N_("Out of service"),
}
LEVEL_LABELS = {"BLS": "Basic life support", "ALS": "Advanced life support", "CCT": "Critical care"}


def sos_number(sos_id: int) -> str:
    """How people say an SOS's id: on the phone, on the wall, in every message (`SOS-00012`)."""
    return f"SOS-{sos_id:05d}"
