"""Every Dash callback is a public HTTP endpoint: each must refuse callers outside its roles.

The callbacks are enumerated from the running app, so a callback added later is covered (or
fails `test_every_callback_declares_its_roles`) without anyone remembering to add a test.
"""

import subprocess
import sys

import pytest

from db.models import User
from db.vocabulary import ALL_SIGNED_IN
from tests.builders import ROOT, add_crew
from tests.security.callbacks import ACCOUNT_FOR_ROLE, PAGES_ROUTER, body_for, server_callbacks


def _role_callbacks(web_app, client):
    return {k: v for k, v in server_callbacks(web_app, client).items() if PAGES_ROUTER not in k}


def test_every_callback_declares_its_roles(web_app, client):
    callbacks = _role_callbacks(web_app, client)
    assert len(callbacks) >= 5
    undeclared = [k for k, v in callbacks.items() if not getattr(v["callback"], "allowed_roles", None)]
    assert undeclared == [], "callbacks without @allowed_roles(...)"


def test_anonymous_callback_post_is_refused(web_app, client):
    for key, spec in server_callbacks(web_app, client).items():
        response = client.post("/_dash-update-component", json=body_for(key, spec))
        assert response.status_code == 401, key
        assert response.get_json()["error"] == "login required"


@pytest.mark.parametrize("role", ALL_SIGNED_IN)
def test_wrong_role_callback_post_is_refused(web_app, web_db, client, auth, web_people, role):
    if role == "crew":  # a crew signs in through its unit's crew link, never with a password
        with web_db.factory() as session:
            token, _unit, _crew = add_crew(session, session.get(User, web_people["admin_a"].id))
            session.commit()
        assert client.get(f"/kiosk/crew/{token}").status_code == 302
    else:
        assert auth.login(ACCOUNT_FOR_ROLE[role]).status_code == 302
    headers = auth.dash_headers()
    for key, spec in _role_callbacks(web_app, client).items():
        allowed = spec["callback"].allowed_roles
        response = client.post("/_dash-update-component", json=body_for(key, spec), headers=headers)
        if role in allowed:
            assert response.status_code in (200, 204), (key, response.get_data(as_text=True)[:300])
        else:
            assert response.status_code == 403, (key, role)


def test_callback_without_csrf_header_is_refused(web_app, client, auth, web_people):
    auth.login("super@example.in")
    key, spec = next(
        (k, v) for k, v in _role_callbacks(web_app, client).items()
        if "super_admin" in v["callback"].allowed_roles
    )
    response = client.post("/_dash-update-component", json=body_for(key, spec))
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["error"]


def test_page_router_serves_a_page_only_to_its_roles(web_app, client, auth, web_people):
    auth.login("citizen@example.in")
    headers = auth.dash_headers()
    key, spec = next((k, v) for k, v in server_callbacks(web_app, client).items() if PAGES_ROUTER in k)

    def route(pathname):
        body = body_for(key, spec)
        for dep in body["inputs"]:
            if isinstance(dep, dict) and dep["property"] == "pathname":
                dep["value"] = pathname
        response = client.post("/_dash-update-component", json=body, headers=headers)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert '"id": "forbidden"' in route("/admin/approvals").replace('"id":"', '"id": "')
    assert "forbidden" not in route("/citizen")


def test_every_callback_is_ready_before_the_first_request_arrives(tmp_path):
    """A callback arriving while a worker was still setting up once found no callback for its
    output (KeyError in Dash, seen under load right after start). A freshly built app, in a process
    of its own as a web worker is, knows every callback before it serves its first request."""
    script = f"""
from pathlib import Path
from app import create_app
from config import Config
from db.setup import prepare_database
url = "sqlite:///{tmp_path}/fresh.sqlite3"
prepare_database(url, demo_data=False)
app = create_app(Config(database_url=url, secret_key="k", upload_dir=Path("{tmp_path}"),
                        instance_dir=Path("{tmp_path}"), map_tiles_url=""))
print(sum(1 for spec in app.callback_map.values() if "callback" in spec))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 40
