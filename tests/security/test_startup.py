"""A worker's callbacks are all in place before it serves anyone (issue 19): Dash completes its
setup on the first request and marks it done before it is, so a second request arriving meanwhile
found no callback for its output (KeyError "Callback function not found for output
'..queue-list.children…'"). `app._finish_setup` makes that first request while the app is built
(each web worker builds its own app before it serves, serve.py)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from app import create_app
from config import Config
app = create_app(Config.from_env())
print(json.dumps({"setup_done": app._got_first_request["setup_server"],
                  "queue_refresh": any("queue-rows.data" in key for key in app.callback_map),
                  "callbacks": len(app.callback_map)}))
"""


def test_a_freshly_built_app_holds_every_page_callback_before_its_first_request(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HEALTHFIRST_INSTANCE_DIR": str(tmp_path),
           "HEALTHFIRST_DATABASE_URL": f"sqlite:///{tmp_path / 'startup.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    built = json.loads(done.stdout.strip().splitlines()[-1])
    assert built["setup_done"] and built["queue_refresh"] and built["callbacks"] > 40, built
