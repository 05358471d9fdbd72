"""Reading what a browser sends: a message at the field, or a value; never another exception."""

from datetime import date

import pytest

from db.errors import InvalidInput
from db.parse import count_or_zero, iso_date, iso_datetime, record_id, whole_number


@pytest.mark.parametrize("raw", ["1e309", "-1e309", "inf", "nan", 1e309, float("nan"), "1.5", "x", "", None, True, -3])
def test_whole_number_refuses_what_is_not_a_count(raw):
    with pytest.raises(InvalidInput) as refused:
        whole_number(raw, "total", "beds", maximum=1000)
    assert refused.value.field == "total"


@pytest.mark.parametrize("raw,value", [("12", 12), (12, 12), (12.0, 12), (" 7 ", 7), ("0", 0)])
def test_whole_number_reads_counts(raw, value):
    assert whole_number(raw, "total", "beds", maximum=1000) == value


@pytest.mark.parametrize("raw,value", [(5, 5), ("5", 5), ("x", 0), (None, 0), (True, 0), (-2, 0), ({"a": 1}, 0),
                                       ("1e3", 0)])
def test_record_id_is_a_positive_number_or_nothing(raw, value):
    assert record_id(raw) == value


@pytest.mark.parametrize("raw,value", [(3, 3), ("3", 0), (None, 0), (False, 0), (-1, 0)])
def test_count_or_zero(raw, value):
    assert count_or_zero(raw) == value


def test_dates_from_a_picker_and_their_refusal():
    assert iso_date("2031-12-31", "expiry", "the expiry") == date(2031, 12, 31)
    assert iso_date("2031-12-31T00:00:00", "expiry", "the expiry") == date(2031, 12, 31)
    assert iso_date("", "expiry", "the expiry") is None
    with pytest.raises(InvalidInput, match="is not a date") as refused:
        iso_date("31/31/2031", "expiry", "the expiry")
    assert refused.value.field == "expiry"
    with pytest.raises(InvalidInput):
        iso_datetime("yesterday", "version")
