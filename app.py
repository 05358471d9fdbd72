"""HealthFirst: the web application.

`create_app(config)` wires the Flask server, authentication, the database, the plain routes and
the Dash pages. `python app.py` prepares the database (migrations, demo data on first run) and
serves it; production runs `python -m serve` (Granian, serve.py), each worker calling `create_server`. The scheduler never runs here: it is its
own process (`python -m jobs`). Nothing imports this module.
"""

from __future__ import annotations

import gc
import logging
import sys

import dash
from flask import Flask
from sqlalchemy import inspect
from werkzeug.serving import make_server

from auth import init_auth
from auth.callback_body import install_callback_check
from auth.callback_types import install_callback_types
from auth.compression import install_compression, install_content_fingerprints
from auth.context import EXTENSION_KEY
from auth.csrf import install_dash_csrf
from auth.headers import install_security_headers
from auth.i18n import init_i18n, with_page_language
from auth.outage import install_outage_handling
from auth.proxy import install_forwarded_proto
from cli import register_cli
from components.navbar import register_navbar_toggle
from config import PROJECT_ROOT, Config
from db import demo
from db.engine import bound_database_waits, make_engine, make_session_factory, session_scope
from db.setup import prepare_database
from db.users import demo_account_count
from db.vocabulary import ROLE_LABELS
from pages.shell import on_callback_error, protect_pages, serve_shell
from web import register_routes


def create_app(config: Config | None = None) -> dash.Dash:
    config = config or Config.from_env()
    server = Flask(__name__, instance_path=str(config.instance_dir),
                   template_folder=str(PROJECT_ROOT / "templates"))
    engine = make_engine(config.database_url, pool_size=config.db_pool_size,
                         max_overflow=config.db_max_overflow)
    if engine.dialect.name == "postgresql":
        bound_database_waits(config.db_wait_seconds)  # a stalled database answers "Not saved" in seconds
    server.extensions[EXTENSION_KEY] = {
        "config": config,
        "engine": engine,
        "session_factory": make_session_factory(engine),
    }
    # First, so that its hook runs last: it compresses what every other hook has finished.
    install_compression(server)
    init_auth(server, config)
    install_dash_csrf(server)
    init_i18n(server, config.instance_dir)
    install_outage_handling(server)
    register_routes(server)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        use_async=False,
        enable_mcp=False,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        assets_path_ignore=["^forms$"],  # scripts of the plain HTML forms (templates/), not of Dash pages
        suppress_callback_exceptions=True,
        title="HealthFirst",
        update_title=None,
        on_error=on_callback_error,
        serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # The page's language for screen readers and translation (Dash's own page says nothing): the
    # person's language, set per request (auth/i18n.py).
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.interpolate_index = with_page_language(app.interpolate_index)
    app.layout = serve_shell
    install_content_fingerprints(app)  # scripts and styles named by content: unchanged files survive a deploy
    install_callback_check(server, lambda: app.callback_map)
    install_callback_types(app)  # values of a type their component never sends: 400
    install_security_headers(server, app.csp_hashes)
    register_navbar_toggle(app)
    protect_pages()
    register_cli(server)
    install_forwarded_proto(server, config.forwarded_allow_ips)  # last: the outermost layer
    _finish_setup(server)
    return app


def _finish_setup(server: Flask) -> None:
    """Dash completes its setup (the callback map among it) on the first request, and marks it done
    before it is: a second request arriving meanwhile, on another thread, found no callback for its
    output (KeyError "Callback function not found"). One request here, before the app serves
    anyone (in production, in each web worker before it accepts a connection), makes that impossible."""
    with server.test_client() as client:
        client.get("/healthz")


def _warn_about_demo_accounts(config: Config) -> None:
    """Demo accounts have public passwords: where demo data is off they cannot log in, and the
    log says so once at start. A database that cannot be reached now is not this check's business."""
    if config.demo_data:
        return
    engine = make_engine(config.database_url)
    try:
        if not inspect(engine).has_table("users"):
            return  # an empty database (`init-db` creates it): no account of any kind yet
        with session_scope(make_session_factory(engine)) as session:
            count = demo_account_count(session)
    except Exception as error:  # noqa: BLE001 - the check must never stop the app from starting
        logging.getLogger("healthfirst").warning("could not check for demo accounts: %s", error)
        return
    finally:
        engine.dispose()  # this check's connection is not the app's: nothing of it stays open
    if count:
        logging.getLogger("healthfirst").warning(
            "%d demo account(s) exist in this database; they cannot log in because demo data is off "
            "(HEALTHFIRST_DEMO_DATA=0).", count)


def create_server() -> Flask:
    """The WSGI application of one web worker (serve.py runs it under Granian, `app:create_server`)."""
    config = Config.from_env()
    _warn_about_demo_accounts(config)
    server = create_app(config).server
    # Everything built so far (Dash's component registry, page layouts) lives as long as the
    # worker: keep it out of the garbage collector's way, so collections stay short under load.
    gc.collect()
    gc.freeze()
    return server


def _welcome(config: Config, seeded: bool) -> str:
    """What the quick start leaves on screen: where to go and how to log in."""
    lines = ["", f"HealthFirst is running at http://{config.host}:{config.port}/", ""]
    if config.demo_data:
        lines.append("Demo logins (demo data" + (" loaded now):" if seeded else "):"))
        for account in demo.DEMO_ACCOUNTS:
            lines.append(f"  {ROLE_LABELS[account.role]:<15} {account.email:<42} {account.password}")
        lines.append("")
    lines.append("Stop with Ctrl+C.")
    return "\n".join(lines)


def main() -> None:
    config = Config.from_env()
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per request only when asked for (HEALTHFIRST_ACCESS_LOG): every open page refreshes
    # itself, and the lines would push the logins off the screen.
    logging.getLogger("werkzeug").setLevel(logging.INFO if config.access_log else logging.WARNING)
    seeded = prepare_database(config.database_url, demo_data=config.demo_data)
    _warn_about_demo_accounts(config)
    app = create_app(config)
    if config.debug:  # HEALTHFIRST_DEBUG: Dash's dev tools, for development only
        app.enable_dev_tools(debug=True, dev_tools_disable_version_check=True)
    # The development server (production runs `python -m serve`, see README). Bound before the welcome
    # text is printed, so the URL it shows already answers.
    server = make_server(config.host, config.port, app.server, threaded=True)
    print(_welcome(config, seeded), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def __getattr__(name: str):
    # `flask --app app <command>` looks for a Flask object named `app`; building it lazily
    # keeps `import app` cheap for tools.
    if name == "app":
        return create_server()
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
