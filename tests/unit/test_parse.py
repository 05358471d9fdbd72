"""Reading what a browser sends: a message at the field, or a value; never another exception."""

from datetime import date

import pytest

from db.errors import InvalidInput
from db.parse import MAX_ID, choice, count_or_zero, iso_date, iso_datetime, record_id, text, whole_number


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


# ---- text, bounded ids, choices (issue 15, item 6: wrong-typed values) ----------------------------

@pytest.mark.parametrize("raw", [12, 1e308, True, {"a": 1}, [1, 2], "\x00", "x" * 101])
def test_text_refuses_what_is_not_text_at_its_field(raw):
    with pytest.raises(InvalidInput) as refused:
        text(raw, "label", max_len=100, label="The name")
    assert refused.value.field == "label"


@pytest.mark.parametrize("raw,value", [(None, ""), ("", ""), (" AMB-3 ", " AMB-3 "), ("x" * 100, "x" * 100)])
def test_text_reads_text(raw, value):
    assert text(raw, "label", max_len=100) == value


@pytest.mark.parametrize("raw", [MAX_ID + 1, 12345678901234567890, str(10**30), "١٢"])
def test_record_id_beyond_the_databases_integers_names_no_row(raw):
    assert record_id(raw) == 0
    with pytest.raises(InvalidInput, match="again") as refused:
        record_id(raw, "reference", "Choose it again.")
    assert refused.value.field == "reference"


def test_record_id_up_to_the_databases_integers():
    assert record_id(MAX_ID) == MAX_ID
    assert record_id(str(MAX_ID), "reference") == MAX_ID


@pytest.mark.parametrize("raw", [["a"], {"a": 1}, 1, None, "z"])
def test_choice_refuses_anything_but_one_of_the_options(raw):
    with pytest.raises(InvalidInput):
        choice(raw, "reason", {"a": 1, "b": 2}, "Choose one.")
    assert choice("a", "reason", {"a": 1}, "Choose one.") == "a"


@pytest.mark.parametrize("raw", [{"a": 1}, [1], 10**400])
def test_whole_number_refuses_objects_and_integers_beyond_any_float(raw):
    with pytest.raises(InvalidInput):
        whole_number(raw, "total", "beds", maximum=1000)
