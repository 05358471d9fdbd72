"""The language: Accept-Language, then the person's choice (cookie and account); `<html lang>`
follows; the switch is a CSRF-protected POST that redirects only within the site."""

import re

from sqlalchemy import select

from db.models import User

HINDI_LOGIN = "लॉग इन करें"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _choose(client, language: str, next_path: str = "/login"):
    # Any form page carries the session's token (/register shows for a signed-in person too).
    page = client.get("/register").get_data(as_text=True)
    return client.post("/language", data={"csrf_token": _csrf(page), "language": language, "next": next_path})


def test_a_hindi_browser_gets_hindi(client):
    page = client.get("/login", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="hi">' in page
    assert HINDI_LOGIN in page
    english = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english and HINDI_LOGIN not in english


def test_the_switch_sets_a_cookie_that_wins_over_the_browser(client):
    answer = _choose(client, "hi", "/register?x=1")
    assert answer.status_code == 303 and answer.headers["Location"] == "/register?x=1"
    assert "hf_lang=hi" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="hi">' in page and HINDI_LOGIN in page


def test_the_switch_refuses_a_forged_or_unknown_choice(client):
    assert client.post("/language", data={"language": "hi", "next": "/"}).status_code == 400
    answer = _choose(client, "xx")
    assert answer.status_code == 400 and b"not available" in answer.data
    assert "hf_lang" not in (answer.headers.get("Set-Cookie") or "")


def test_the_switch_never_sends_elsewhere(client):
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert _choose(client, "en", outside).headers["Location"] == "/"


def test_a_signed_in_persons_choice_is_kept_on_the_account_and_survives_logging_out_and_in(
        auth_for, web_people, web_db, web_app):
    # Two browsers, each a client of its own (not kept open: Flask would share one app context,
    # and with it the cached language and CSRF token, between them).
    phone, laptop = web_app.server.test_client(), web_app.server.test_client()
    auth_for(phone).login(web_people["citizen"].email)
    assert _choose(phone, "hi", "/citizen").status_code == 303
    with web_db.factory() as session:
        assert session.execute(select(User.language).where(User.id == web_people["citizen"].id)).scalar_one() == "hi"
    auth_for(phone).logout()
    # The laptop has no cookie and asks for English: the account's choice wins once logged in.
    assert '<html lang="en">' in laptop.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    auth_for(laptop).login(web_people["citizen"].email)
    page = laptop.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="hi">' in page


def test_a_translated_dash_page_says_loading_in_hindi_until_its_scripts_run(client, auth, web_people):
    # On a slow phone the page's first paint is Dash's placeholder: it must not be English.
    auth.login(web_people["citizen"].email)
    page = client.get("/beds", headers={"Accept-Language": "hi"}).get_data(as_text=True)
    assert '<html lang="hi">' in page and "लोड हो रहा है…" in page and "Loading..." not in page
    english = client.get("/beds", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Loading..." in english


def test_an_english_only_dash_page_says_it_is_english_whatever_the_choice(client, auth, web_people):
    # Officer screens are English only (issue 16): their <html lang> must not claim Hindi.
    auth.login(web_people["officer"].email)
    assert '<html lang="en">' in client.get("/officer", headers={"Accept-Language": "hi"}).get_data(as_text=True)
