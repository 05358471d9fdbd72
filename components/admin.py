"""The super admin's console: user and hospital grid columns and row builders (the pages own
their component ids).

Rows are built field by field from the ORM objects, so nothing secret (password hashes, session
tokens) can reach the browser by accident."""

from __future__ import annotations

import hashlib
import json

import dash_bootstrap_components as dbc
from dash import html

from components.format import local_time
from components.i18n import _
from db.capacity import EMS_LABELS
from db.hospitals import EDITABLE_FIELDS, HospitalRow
from db.vocabulary import ASSIGNABLE_ROLES, HOSPITAL_STATUS_LABELS, ROLE_LABELS, USER_STATUS_LABELS


def labelled(label: str, control_id: str, control) -> html.Div:
    """A filter or field with a visible label that a screen reader announces with it."""
    return html.Div([dbc.Label(label, html_for=control_id, className="fw-semibold mb-1"), control])


# ---- users ----------------------------------------------------------------------------------

# Columns and options are built per request (functions), in the page's language.


def user_columns() -> list[dict]:
    return [
        {"field": "full_name", "headerName": _("Name"), "flex": 1, "minWidth": 170},
        {"field": "email", "headerName": _("Email"), "flex": 1.3, "minWidth": 230},
        {"field": "role", "headerName": _("Role"), "width": 145},
        # Coloured by the status's code, whatever language its label is in.
        {"field": "status", "headerName": _("Status"), "width": 175,
         "cellClassRules": {"text-success fw-bold": "params.data.status_code == 'active'",
                            "text-danger fw-bold": "params.data.status_code == 'disabled'",
                            "text-warning-emphasis fw-bold": "params.data.status_code == 'pending'"}},
        {"field": "hospital", "headerName": _("Hospital"), "flex": 1, "minWidth": 180},
        {"field": "created", "headerName": _("Created"), "width": 140},
        {"field": "last_login", "headerName": _("Last login"), "width": 140},
    ]


# Filters: "all" rather than an empty value, which a select shows as a blank box.
ANY = "all"


def role_filter_options() -> list[dict]:
    return [{"label": _("Any role"), "value": ANY}] + [
        {"label": _(label), "value": role} for role, label in ROLE_LABELS.items()]


def status_filter_options() -> list[dict]:
    return [{"label": _("Any status"), "value": ANY}] + [
        {"label": _(label), "value": status} for status, label in USER_STATUS_LABELS.items()]


def assignable_role_options() -> list[dict]:
    return [{"label": _(ROLE_LABELS[role]), "value": role} for role in ASSIGNABLE_ROLES]


def user_rows(found) -> list[dict]:
    return [
        {
            "id": str(user.id),
            "full_name": user.full_name,
            "email": user.email,
            "role": _(ROLE_LABELS.get(user.role, user.role)),
            "role_code": user.role,
            "status": _(USER_STATUS_LABELS.get(user.status, user.status)),
            "status_code": user.status,
            "hospital": user.hospital.name if user.hospital is not None else "",
            "hospital_id": user.hospital_id,
            "created": local_time(user.created_at, with_date=True),
            "last_login": local_time(user.last_login_at, with_date=True) if user.last_login_at else _("never"),
        }
        for user in found
    ]


def selected_summary(row: dict | None, *, yours: bool = False) -> str:
    if not row:
        return _("No account selected: click a row in the table below.")
    role = _("%(role)s at %(hospital)s", role=row["role"], hospital=row["hospital"]) if row.get("hospital") \
        else row["role"]
    summary = f"{row['full_name']} ({row['email']}) · {role} · {row['status']}"
    return summary + (" · " + _("your own account: another super admin must change it") if yours else "")


def hospital_options(hospitals, *, keep: dict | None = None) -> list[dict]:
    """Picker options; `keep` (the option currently chosen) stays in the list so it still shows."""
    options = [{"label": f"{h.name}, {h.city}" if h.city else h.name, "value": h.id} for h in hospitals]
    if keep and all(o["value"] != keep["value"] for o in options):
        options.insert(0, keep)
    return options


# ---- hospitals ------------------------------------------------------------------------------


def _hospital_column(field: str, header: str, **options) -> dict:
    """A column of the hospital grid: editable exactly when the directory lets a super admin
    correct that field (db/hospitals.py EDITABLE_FIELDS)."""
    return {"field": field, "headerName": header, "editable": field in EDITABLE_FIELDS, **options}


def hospital_columns() -> list[dict]:
    return [
        _hospital_column("name", _("Name"), flex=3, minWidth=230),
        _hospital_column("city", _("City"), width=120),
        _hospital_column("status", _("Status"), width=110,
                         # Shown as words, stored as the code the domain expects.
                         refData={code: _(label) for code, label in HOSPITAL_STATUS_LABELS.items()},
                         cellEditor="agSelectCellEditor",
                         cellEditorParams={"values": list(HOSPITAL_STATUS_LABELS)},
                         cellClassRules={"text-danger fw-bold": "params.value == 'rejected'",
                                         "text-warning-emphasis fw-bold": "params.value == 'proposed'"}),
        _hospital_column("ems_status", _("EMS status"), width=150,
                         cellClassRules={"text-danger fw-bold": "params.data.ems_code == 'closed'",
                                         "text-warning-emphasis fw-bold": "params.data.ems_code == 'advisory'"}),
        _hospital_column("admins", _("Admins"), width=95, type="numericColumn"),
        _hospital_column("latitude", _("Latitude"), width=105, cellEditor="agNumberCellEditor",
                         type="numericColumn"),
        _hospital_column("longitude", _("Longitude"), width=115, cellEditor="agNumberCellEditor",
                         type="numericColumn"),
        _hospital_column("phone", _("Phone"), width=165),
        _hospital_column("address", _("Address"), flex=2, minWidth=200),
    ]


def hospital_status_filter_options() -> list[dict]:
    return [{"label": _("Any status"), "value": ANY}] + [
        {"label": _(label), "value": status} for status, label in HOSPITAL_STATUS_LABELS.items()]


def hospital_rows(found: list[HospitalRow]) -> list[dict]:
    return [
        {
            "id": str(row.hospital.id),
            "name": row.hospital.name,
            "city": row.hospital.city,
            "status": row.hospital.status,
            "ems_status": _(EMS_LABELS.get(row.hospital.ems_status, row.hospital.ems_status)),
            "ems_code": row.hospital.ems_status,
            "admins": row.admins,
            "latitude": row.hospital.latitude,
            "longitude": row.hospital.longitude,
            "phone": row.hospital.phone or "",
            "address": row.hospital.address,
        }
        for row in found
    ]


def filter_value(value: str | None) -> str:
    return "" if value in (None, ANY) else value


def digest(rows: list[dict]) -> str:
    """A fingerprint of the rows, so a refresh that changes nothing sends nothing."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode("utf-8")).hexdigest()
