"""The EDXL-HAVE 1.0 export, validated against the OASIS schema set with lxml: every document the
builder makes, and oxygen beds carried the standard's way (a sub-category of a HAVE bed type)."""

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from lxml import etree

from components import exports
from components.exports import HAVE_NS, availability_csv, have_xml
from db.capacity import DEFAULT_BED_TYPES, BedFigure
from tests.builders import T0
from tests.unit.xml_schemas import HAVE_XSD, assert_valid

H = f"{{{HAVE_NS}}}"
XPIL = "{urn:oasis:names:tc:ciq:xpil:3}"
HAVE_TYPES = {code: have_type for code, _, have_type in DEFAULT_BED_TYPES}  # as a fresh install stores them


def hospital(name="Alpha Hospital", **overrides):
    values = dict(id=1, name=name, address="1 MG Road, Bengaluru", phone="+91 80 1234 5678", latitude=12.9716,
                  longitude=77.5946, ems_status="normal", ems_reason="", ems_updated_at=None)
    values.update(overrides)
    return SimpleNamespace(**values)


def figures(icu=(4, 2), oxygen=(6, 0), general=(20, 11)):
    return [BedFigure("ICU", "ICU", *icu, T0), BedFigure("OXYGEN", "Oxygen", *oxygen, T0 + timedelta(minutes=5)),
            BedFigure("GENERAL", "General", *general, None)]


def bed_capacities(document: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(document)
    return {c.findtext(f"{H}BedType"): c for c in root.iter(f"{H}BedCapacity")}


def counts(capacity) -> list[tuple[str | None, str, str]]:
    return [(c.findtext(f"{H}CapacityStatus"), c.findtext(f"{H}AvailableCount"), c.findtext(f"{H}BaselineCount"))
            for c in capacity.findall(f"{H}Capacity")]


CASES = {
    "figures, phone and address": [(hospital(), figures())],
    "closed, with a reason": [(hospital(ems_status="closed", ems_reason="Flooded ground floor <&>",
                                        ems_updated_at=T0), figures())],
    "no phone, no address, no figures": [(hospital(phone="", address=""), [])],
    "everything full": [(hospital(), figures(icu=(4, 0), oxygen=(6, 0), general=(20, 0)))],
    "no beds at all": [(hospital(), figures(icu=(0, 0), oxygen=(0, 0), general=(0, 0)))],
    "only oxygen beds": [(hospital(), [BedFigure("OXYGEN", "Oxygen", 3, 1, T0)])],
    "two hospitals": [(hospital(), figures()), (hospital("Beta Hospital", id=2, ems_status="advisory"), figures())],
}


@pytest.mark.parametrize("rows", CASES.values(), ids=CASES.keys())
def test_every_export_is_valid_have_1_0(rows):
    assert_valid(have_xml(rows, HAVE_TYPES), HAVE_XSD)


def test_other_bed_types_stay_valid():
    # Bed types are data: one a HAVE parent is given for, and one HAVE 1.0 does not know at all.
    rows = [(hospital(), [BedFigure("VENT", "Ventilator", 2, 1, T0), BedFigure("DAY", "Day care", 5, 5, T0)])]
    document = have_xml(rows, {"VENT": "AdultICU/Ventilator", "DAY": "DayCare"})
    assert_valid(document, HAVE_XSD)
    assert exports.have_bed_type("AdultICU/Ventilator") == ("AdultICU", "Ventilator")
    assert exports.have_bed_type("DayCare") == (None, "DayCare")


def test_oxygen_beds_are_a_sub_category_of_ward_beds():
    beds = bed_capacities(have_xml([(hospital(), figures())], HAVE_TYPES))
    assert set(beds) == {"AdultICU", "MedicalSurgical"}
    assert counts(beds["AdultICU"]) == [("Vacant/Available", "2", "4")]
    ward = beds["MedicalSurgical"]
    assert [s.text for s in ward.findall(f"{H}SubCategoryBedType")] == ["Oxygen", "General"]
    # The parent's figures first (the sum), then one Capacity per sub-category in the same order.
    assert counts(ward) == [("Vacant/Available", "11", "26"), (None, "0", "6"), (None, "11", "20")]
    assert ward.findtext(f"{H}CommentText") == "Capacity in order: MedicalSurgical in all, then Oxygen, General."


def test_a_full_parent_is_never_marked_not_available_when_it_has_sub_categories():
    # HAVE 1.0: with sub-categories the parent's CapacityStatus cannot be NotAvailable.
    beds = bed_capacities(have_xml([(hospital(), figures(icu=(4, 0), oxygen=(6, 0), general=(20, 0)))], HAVE_TYPES))
    assert counts(beds["AdultICU"]) == [("NotAvailable", "0", "4")]
    assert counts(beds["MedicalSurgical"])[0] == (None, "0", "26")


def test_contact_number_uses_xpil_attributes():
    number = etree.fromstring(have_xml([(hospital(), [])], HAVE_TYPES)).find(f".//{XPIL}ContactNumber")
    assert dict(number.attrib) == {f"{XPIL}CommunicationMediaType": "Telephone", f"{XPIL}Usage": "Business"}


def test_have_needs_a_hospital():
    with pytest.raises(ValueError, match="at least one hospital"):
        have_xml([], HAVE_TYPES)


def test_csv_names_the_have_bed_type_the_xml_uses():
    text = availability_csv([(hospital(), figures())], HAVE_TYPES)
    have_column = [row["have_bed_type"] for row in csv.DictReader(io.StringIO(text))]
    assert have_column == ["AdultICU", "MedicalSurgical/Oxygen", "MedicalSurgical"]
