"""Flask's signed session cookie is verified once per exact cookie and then read from memory
(auth._SessionInterface): the memory answers exactly as Flask would, an expired or altered cookie
included."""

from datetime import timedelta

from flask import Flask, flash, get_flashed_messages, session

from auth import _SessionInterface


def _app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "memo-test-key"
    app.session_interface = _SessionInterface()

    @app.get("/set")
    def set_():
        session["who"] = "42:token"
        return "ok"

    @app.get("/read")
    def read():
        return session.get("who", "nobody")

    @app.get("/flash")
    def flash_():
        flash("saved")
        return "ok"

    @app.get("/flashed")
    def flashed():
        return ",".join(get_flashed_messages())

    return app


def _signed_in():
    """An app and a browser whose session was just set and read once through it."""
    app = _app()
    client = app.test_client()
    client.get("/set")
    assert client.get("/read").text == "42:token"
    return app, client


def test_a_kept_cookie_reads_as_flask_reads_it_and_expires_as_it_does():
    app, client = _signed_in()
    assert client.get("/read").text == "42:token"  # from memory
    assert len(app.session_interface._verified) == 1
    app.permanent_session_lifetime = timedelta(seconds=-1)  # every cookie is now too old
    assert client.get("/read").text == "nobody"


def test_an_altered_cookie_or_another_key_reads_nobody():
    app, client = _signed_in()
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/read").text == "nobody"
    client.set_cookie("session", value)
    app.secret_key = "another-key"
    assert client.get("/read").text == "nobody"


def test_a_session_changed_in_place_is_never_kept():
    app = _app()
    client = app.test_client()
    client.get("/flash")
    assert client.get("/flashed").text == "saved"
    assert client.get("/flashed").text == ""
    assert all("_flashes" not in data for _signed, data in app.session_interface._verified.values())
