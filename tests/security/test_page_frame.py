"""The frame around every page, as a screen reader and a keyboard meet it: the page's language,
one main landmark with a skip link to it, and a browser-tab title of its own for every page."""

from __future__ import annotations

import json
import re

import dash

from tests.security.callbacks import ACCOUNT_FOR_ROLE


def test_pages_declare_their_language(client, auth, web_people):
    auth.login("citizen@example.in")
    assert '<html lang="en">' in client.get("/citizen").get_data(as_text=True)


def test_every_page_has_a_title_of_its_own_and_the_refusal_another(web_app, auth_for, web_people):
    seen: dict[str, str] = {}
    for role, email in ACCOUNT_FOR_ROLE.items():
        client = web_app.server.test_client()
        auth = auth_for(client)
        auth.login(email)
        with client:
            client.get("/login")  # a request context with this person signed in
            for page in dash.page_registry.values():
                title = page["title"](sos_id="1") if callable(page["title"]) else page["title"]
                if role in page["allowed_roles"]:
                    assert title.endswith(" · HealthFirst") and title != " · HealthFirst", page["path"]
                    assert seen.setdefault(page["path"], title) == title
                else:
                    assert title == "No access · HealthFirst", (role, page["path"])
    assert len(set(seen.values())) == len(seen), "two pages share a tab title"


def test_the_frame_has_one_main_landmark_and_a_skip_link_to_it(web_app, auth_for, web_people):
    from pages.shell import serve_shell

    client = web_app.server.test_client()
    auth_for(client).login("admin.a@example.in")
    with client:
        client.get("/login")
        frame = serve_shell().to_plotly_json()
    found = []

    def walk(node):
        if isinstance(node, dict) and "type" in node and "props" in node:
            found.append((node["type"], node["props"].get("id"), node["props"].get("href")))
            walk(node["props"].get("children"))
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            walk(node.to_plotly_json())

    walk(frame)
    mains = [f for f in found if f[0] == "Main"]
    assert len(mains) == 1
    assert ("A", "skip-link", f"#{mains[0][1]}") in found


def test_the_frame_has_a_polite_live_region_and_the_navbar_groups_pages(web_app, auth_for, web_people):
    from components.navbar import NavGroup
    from pages.shell import navigation_for, serve_shell

    client = web_app.server.test_client()
    auth_for(client).login("super@example.in")
    with client:
        client.get("/login")
        frame = json.dumps(serve_shell().to_plotly_json(), default=lambda node: node.to_plotly_json())
    live = re.search(r'\{[^{}]*"id": "live-status"[^{}]*\}', frame)
    assert live and '"role": "status"' in live.group() and '"aria-live": "polite"' in live.group()
    # The super admin's 13 pages: 9 entries in the navbar, every page still in it once.
    entries = navigation_for("super_admin")
    pages = [i.href for e in entries for i in (e.items if isinstance(e, NavGroup) else (e,))]
    assert len(entries) <= 9 and len(pages) == len(set(pages)) == 13


def test_form_errors_are_tied_to_their_field_and_read_out(client):
    page = client.get("/register")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    html = client.post("/register", data={"csrf_token": token, "full_name": "", "role": "citizen"}).get_data(as_text=True)
    field = next(line for line in html.splitlines() if 'id="full_name"' in line and "<input" in line)
    assert 'aria-describedby="full_name-error-1"' in field and 'aria-invalid="true"' in field
    assert '<div class="invalid-feedback d-block" role="alert" id="full_name-error-1">Enter your name.</div>' in html
