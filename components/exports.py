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


def have_xml(rows, have_types: dict[str, str]) -> bytes:
    """rows: [(hospital, [BedFigure])]; have_types: our bed code -> HAVE BedType."""
    root = ET.Element(f"{{{HAVE_NS}}}HospitalStatus")
    for hospital, figures in rows:
        node = _el(root, HAVE_NS, "Hospital")
        organization = _el(node, HAVE_NS, "Organization")
        info = _el(organization, HAVE_NS, "OrganizationInformation")
        name = _el(info, XNL_NS, "OrganisationName")
        _el(name, XNL_NS, "NameElement", hospital.name)
        if hospital.phone:
            numbers = _el(info, XPIL_NS, "ContactNumbers")
            number = _el(numbers, XPIL_NS, "ContactNumber", attrs={
                f"{{{XPIL_NS}}}MediaType": "Telephone", f"{{{XPIL_NS}}}ContactNature": "Business"})
            _el(number, XPIL_NS, "ContactNumberElement", hospital.phone)
        if hospital.address:
            addresses = _el(info, XPIL_NS, "Addresses")
            free = _el(_el(addresses, XPIL_NS, "Address"), XAL_NS, "FreeTextAddress")
            _el(free, XAL_NS, "AddressLine", hospital.address)
        where = _el(organization, HAVE_NS, "OrganizationGeoLocation")
        _el(_el(where, GML_NS, "Point"), GML_NS, "pos", f"{hospital.latitude:.7f} {hospital.longitude:.7f}")
        traffic = _el(_el(node, HAVE_NS, "EmergencyDepartmentStatus"), HAVE_NS, "EMSTraffic")
        _el(traffic, HAVE_NS, "EMSTrafficStatus", EMS_TRAFFIC.get(hospital.ems_status, "Normal"))
        if hospital.ems_reason:
            _el(traffic, HAVE_NS, "EMSTrafficReason", hospital.ems_reason)
        if figures:
            beds = _el(node, HAVE_NS, "HospitalBedCapacityStatus")
            for figure in figures:
                capacity = _el(beds, HAVE_NS, "BedCapacity")
                _el(capacity, HAVE_NS, "BedType", have_types.get(figure.code, figure.code))
                counts = _el(capacity, HAVE_NS, "Capacity")
                _el(counts, HAVE_NS, "CapacityStatus", "VacantAvailable" if figure.available else "NotAvailable")
                _el(counts, HAVE_NS, "AvailableCount", str(figure.available))
                _el(counts, HAVE_NS, "BaselineCount", str(figure.total))
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
          hospital.ems_status, hospital.ems_reason, figure.code, have_types.get(figure.code, figure.code),
          figure.available, figure.total, _iso(figure.updated_at) if figure.updated_at else ""]
         for hospital, figures in rows for figure in figures],
        columns=CSV_HEADER, dtype=object,
    )
    return table.to_csv(index=False, lineterminator="\r\n")  # the csv module's dialect, as before
