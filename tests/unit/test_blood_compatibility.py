"""Red-cell and plasma compatibility, every row of the table in domain.md §5."""

import pytest

from db.blood import donors_for
from db.errors import InvalidInput

RED_CELLS = {
    "O-": {"O-"},
    "O+": {"O-", "O+"},
    "A-": {"O-", "A-"},
    "A+": {"O-", "O+", "A-", "A+"},
    "B-": {"O-", "B-"},
    "B+": {"O-", "O+", "B-", "B+"},
    "AB-": {"O-", "A-", "B-", "AB-"},
    "AB+": {"O-", "O+", "A-", "A+", "B-", "B+", "AB-", "AB+"},
}


@pytest.mark.parametrize("recipient,donors", sorted(RED_CELLS.items()))
def test_red_cell_donors(recipient, donors):
    assert set(donors_for(recipient, "red_cells")) == donors
    assert set(donors_for(recipient, "whole_blood")) == donors


@pytest.mark.parametrize("recipient", sorted(RED_CELLS))
def test_plasma_is_the_reverse(recipient):
    expected = {donor for donor, receives_from in RED_CELLS.items() if recipient in receives_from}
    assert set(donors_for(recipient, "plasma")) == expected


def test_ab_is_the_universal_plasma_donor_and_o_minus_the_universal_red_cell_donor():
    assert all("AB+" in donors_for(g, "plasma") for g in RED_CELLS)
    assert all("O-" in donors_for(g, "red_cells") for g in RED_CELLS)


def test_unknown_group_is_refused():
    with pytest.raises(InvalidInput) as error:
        donors_for("C+")
    assert error.value.field == "blood_group"
