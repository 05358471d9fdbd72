"""Hospital availability as OASIS EDXL-HAVE 1.0 XML and as CSV (pure builders)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pandas as pd

HAVE_NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"
XNL_NS = "urn:oasis:names:tc:ciq:xnl:3"
XPIL_NS = "urn:oasis:names:tc:ciq:xpil:3"
XAL_NS = "urn:oasis:names:tc:ciq:xal:3"
GML_NS = "http://www.opengis.net/gml"
EMS_TRAFFIC = {"normal": "Normal", "advisory": "Advisory", "closed": "Closed"}
# CapacityStatus values (edxl-have.xsd).
VACANT, NOT_AVAILABLE = "Vacant/Available", "NotAvailable"
# BedType: HAVE 1.0's closed list (edxl-have.xsd). Other kinds of bed go in as a named
# SubCategoryBedType of one of these, the standard's own way to carry them.
HAVE_BED_TYPES = frozenset({
    "AdultICU", "PediatricICU", "NeonatalICU", "EmergencyDepartment", "NurseryBeds", "MedicalSurgical",
    "RehabLongTermCare", "Burn", "Pediatrics", "AdultPsychiatric", "PediatricPsychiatric",
    "NegativeFlowIsolation", "OtherIsolation", "OperatingRooms",
})
# Stored HAVE bed types that HAVE 1.0 does not list, and the listed type they are part of:
# oxygen-supported beds are ward (medical/surgical) beds with an oxygen supply.
SUBCATEGORY_OF = {"Oxygen": "MedicalSurgical"}

for prefix, uri in (("have", HAVE_NS), ("xnl", XNL_NS), ("xpil", XPIL_NS), ("xal", XAL_NS), ("gml", GML_NS)):
    ET.register_namespace(prefix, uri)


def _iso(at: datetime | None) -> str:
    at = at or datetime(1970, 1, 1, tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _el(parent, ns: str, tag: str, text: str | None = None, attrs: dict | None = None):
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs or {})
    if text is not None:
        element.text = text
    return element


def have_bed_type(have_type: str) -> tuple[str | None, str | None]:
    """A bed type's stored `have_type` as (HAVE BedType, SubCategoryBedType).

    "AdultICU" -> ("AdultICU", None); "Oxygen" -> ("MedicalSurgical", "Oxygen");
    "AdultICU/Ventilator" -> ("AdultICU", "Ventilator"); a name HAVE 1.0 does not know and no
    parent is given for -> (None, the name): a sub-category without a parent, never an invalid BedType.
    """
    if have_type in HAVE_BED_TYPES:
        return have_type, None
    if have_type in SUBCATEGORY_OF:
        return SUBCATEGORY_OF[have_type], have_type
    parent, _, sub = have_type.partition("/")
    if sub and parent in HAVE_BED_TYPES:
        return parent, sub
    return None, have_type


def have_bed_type_text(have_type: str) -> str:
    """The same as one word for a CSV column: "AdultICU", "MedicalSurgical/Oxygen"."""
    parent, sub = have_bed_type(have_type)
    return "/".join(part for part in (parent, sub) if part)


def _status(available: int) -> str:
    return VACANT if available else NOT_AVAILABLE


def _capacity(parent, available: int, total: int, status: str | None) -> None:
    counts = _el(parent, HAVE_NS, "Capacity")
    if status is not None:
        _el(counts, HAVE_NS, "CapacityStatus", status)
    _el(counts, HAVE_NS, "AvailableCount", str(available))
    _el(counts, HAVE_NS, "BaselineCount", str(total))


def _bed_capacity(beds, bed_type: str | None, members: list) -> None:
    """One BedCapacity: a HAVE bed type alone, or with its named sub-categories.

    With sub-categories the Capacity elements follow the standard's order: the parent's first
    (the sum; its status only Vacant/Available, never NotAvailable, as HAVE 1.0 asks), then one per
    SubCategoryBedType in the order they are named (counts only). A CommentText says so in words.
    """
    capacity = _el(beds, HAVE_NS, "BedCapacity")
    if bed_type is not None:
        _el(capacity, HAVE_NS, "BedType", bed_type)
        if len(members) == 1 and members[0][0] is None:
            figure = members[0][1]
            _capacity(capacity, figure.available, figure.total, _status(figure.available))
            return
    names = [sub or figure.name for sub, figure in members]
    for name in names:
        _el(capacity, HAVE_NS, "SubCategoryBedType", name)
    if bed_type is None:
        figure = members[0][1]
        _capacity(capacity, figure.available, figure.total, _status(figure.available))
        _el(capacity, HAVE_NS, "CommentText", f"{names[0]}: not an EDXL-HAVE 1.0 bed type.")
        return
    available = sum(figure.available for _, figure in members)
    total = sum(figure.total for _, figure in members)
    _capacity(capacity, available, total, VACANT if available else None)
    for _, figure in members:
        _capacity(capacity, figure.available, figure.total, None)
    _el(capacity, HAVE_NS, "CommentText",
        f"Capacity in order: {bed_type} in all, then {', '.join(names)}.")


def _bed_capacities(node, figures, have_types: dict[str, str]) -> None:
    """Our bed types grouped under the HAVE bed type each belongs to, in the order given."""
    groups: dict[str | None, list] = {}
    for figure in figures:
        bed_type, sub = have_bed_type(have_types.get(figure.code, figure.code))
        groups.setdefault(bed_type, []).append((sub, figure))
    beds = _el(node, HAVE_NS, "HospitalBedCapacityStatus")
    for bed_type, members in groups.items():
        if bed_type is None:
            for member in members:
                _bed_capacity(beds, None, [member])
        else:
            _bed_capacity(beds, bed_type, members)


def _organization(node, hospital) -> None:
    """xPIL's order: OrganisationName, Addresses, ContactNumbers; then the location."""
    organization = _el(node, HAVE_NS, "Organization")
    info = _el(organization, HAVE_NS, "OrganizationInformation")
    name = _el(info, XNL_NS, "OrganisationName")
    _el(name, XNL_NS, "NameElement", hospital.name)
    if hospital.address:
        addresses = _el(info, XPIL_NS, "Addresses")
        free = _el(_el(addresses, XPIL_NS, "Address"), XAL_NS, "FreeTextAddress")
        _el(free, XAL_NS, "AddressLine", hospital.address)
    if hospital.phone:
        numbers = _el(info, XPIL_NS, "ContactNumbers")
        number = _el(numbers, XPIL_NS, "ContactNumber", attrs={
            f"{{{XPIL_NS}}}CommunicationMediaType": "Telephone", f"{{{XPIL_NS}}}Usage": "Business"})
        _el(number, XPIL_NS, "ContactNumberElement", hospital.phone)
    where = _el(organization, HAVE_NS, "OrganizationGeoLocation")
    _el(_el(where, GML_NS, "Point"), GML_NS, "pos", f"{hospital.latitude:.7f} {hospital.longitude:.7f}")


def have_xml(rows, have_types: dict[str, str]) -> bytes:
    """rows: [(hospital, [BedFigure])] (at least one: HAVE 1.0 needs a Hospital);
    have_types: our bed code -> its stored HAVE bed type (see have_bed_type)."""
    if not rows:
        raise ValueError("An EDXL-HAVE document needs at least one hospital.")
    root = ET.Element(f"{{{HAVE_NS}}}HospitalStatus")
    for hospital, figures in rows:
        node = _el(root, HAVE_NS, "Hospital")
        _organization(node, hospital)
        traffic = _el(_el(node, HAVE_NS, "EmergencyDepartmentStatus"), HAVE_NS, "EMSTraffic")
        _el(traffic, HAVE_NS, "EMSTrafficStatus", EMS_TRAFFIC.get(hospital.ems_status, "Normal"))
        if hospital.ems_reason:
            _el(traffic, HAVE_NS, "EMSTrafficReason", hospital.ems_reason)
        if figures:
            _bed_capacities(node, figures, have_types)
        updates = [f.updated_at for f in figures if f.updated_at] + (
            [hospital.ems_updated_at] if hospital.ems_updated_at else [])
        _el(node, HAVE_NS, "LastUpdateTime", _iso(max(updates) if updates else None))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


CSV_HEADER = ["hospital_id", "hospital", "address", "latitude", "longitude", "ems_status", "ems_reason",
              "bed_type", "have_bed_type", "available", "baseline", "last_updated_utc"]


def availability_csv(rows, have_types: dict[str, str]) -> str:
    """One line per hospital and bed type, in the order given (CSV_HEADER's columns)."""
    table = pd.DataFrame(
        [[hospital.id, hospital.name, hospital.address, f"{hospital.latitude:.7f}", f"{hospital.longitude:.7f}",
          hospital.ems_status, hospital.ems_reason, figure.code, have_bed_type_text(have_types.get(figure.code, figure.code)),
          figure.available, figure.total, _iso(figure.updated_at) if figure.updated_at else ""]
         for hospital, figures in rows for figure in figures],
        columns=CSV_HEADER, dtype=object,
    )
    return table.to_csv(index=False, lineterminator="\r\n")  # the csv module's dialect, as before
