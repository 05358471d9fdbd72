"""The register form's optional address (users.address): a citizen's is kept, too long is said at
the field with nothing stored, a hospital admin's is not kept (citizens only)."""

from sqlalchemy import select

from db.models import User


def _register(client, auth, **fields):
    page = client.get("/register")
    assert 'name="address"' in page.get_data(as_text=True)
    return client.post("/register", data={
        "csrf_token": auth.csrf_from(page.get_data(as_text=True)), "full_name": "Asha Rao",
        "password": "Strong-pass-77", "confirm": "Strong-pass-77", **fields})


def _address(web_db, email):
    with web_db.factory() as session:
        return session.execute(select(User.address).where(User.email == email)).scalar_one_or_none()


def test_a_citizen_registers_with_an_address(client, auth, web_db):
    response = _register(client, auth, email="asha@example.in", role="citizen", address=" 14, 2nd Cross, Indiranagar ")
    assert response.status_code == 302
    assert _address(web_db, "asha@example.in") == "14, 2nd Cross, Indiranagar"


def test_a_too_long_address_is_said_at_its_field_and_nothing_is_stored(client, auth, web_db):
    response = _register(client, auth, email="long@example.in", role="citizen", address="x" * 301)
    assert response.status_code == 400
    assert 'id="address-error-1"' in response.get_data(as_text=True)
    with web_db.factory() as session:
        assert session.execute(select(User).where(User.email == "long@example.in")).first() is None


def test_staff_addresses_are_not_kept(client, auth, web_db, web_people):
    hospital = web_people["hospital_a"]
    response = _register(client, auth, email="staff@example.in", role="hospital_admin", address="Somewhere",
                         hospital=f"#{hospital.id} {hospital.name}")
    assert response.status_code == 200
    assert _address(web_db, "staff@example.in") is None
