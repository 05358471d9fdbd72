"""HealthFirst: the web application.

`create_app(config)` wires the Flask server, authentication, the database and the Dash pages;
`python app.py` prepares the database (migrations, demo data on first run) and serves it.
The scheduler never runs here: it is its own process (`python -m jobs`).
"""

from __future__ import annotations

import gc
import logging
import secrets
import sys
from pathlib import Path

import click
import dash
from dash import dcc, html
from flask import Flask, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from auth import init_auth
from auth.context import EXTENSION_KEY, db_session
from components import ids
from components.alerts import banner_container
from components.cards import forbidden
from components.navbar import NavItem, navbar, register_navbar_toggle
from config import PROJECT_ROOT, Config
from db import demo, hospitals, users
from db.capacity import ensure_bed_types
from db.clock import utcnow
from db.guidance import ensure_default_guidance
from db.engine import make_engine, make_session_factory, session_scope, upgrade_database
from db.errors import DomainError

log = logging.getLogger("healthfirst")

# Dash's renderer sends this cookie back in a header on every callback (double-submit CSRF).
DASH_CSRF_COOKIE = "_csrf_token"
DASH_CSRF_HEADER = "X-CSRFToken"


def _on_callback_error(error: Exception):
    """Last line of defence for callbacks: refusals stay refusals, anything else becomes a
    banner instead of a broken page."""
    if isinstance(error, HTTPException):
        raise error
    log.exception("callback failed: %s", error)
    message = error.message if isinstance(error, DomainError) else (
        "Something went wrong while updating this view. The last data is still shown; "
        "it will retry by itself."
    )
    dash.set_props(ids.ERROR_BANNER, {"children": message, "is_open": True})
    return dash.no_update


def _navigation_for(role: str) -> list[NavItem]:
    pages = [p for p in dash.page_registry.values()
             if role in p.get("allowed_roles", ()) and p.get("nav_label")]
    pages.sort(key=lambda p: p.get("nav_order", 100))
    return [NavItem(p["nav_label"], p["relative_path"]) for p in pages]


def serve_shell():
    """The frame around every page: navbar for the user's role, error banner, page content."""
    import dash_bootstrap_components as dbc  # local: only the shell needs it here

    if current_user.is_authenticated:
        header = navbar(
            _navigation_for(current_user.role),
            user_name=current_user.full_name,
            role_label=users.ROLE_LABELS.get(current_user.role, current_user.role),
            csrf_token=generate_csrf(),
            active_path=request.path if request else "",
        )
    else:
        header = html.Div(id=ids.NAVBAR)
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            header,
            dbc.Container(
                [
                    dbc.Alert(id=ids.ERROR_BANNER, color="danger", is_open=False,
                              dismissable=True, className="fs-5"),
                    # Active public health alerts, on every page (pages/_alerts_banner.py). The wall
                    # display shows alerts in a tile of its own and covers the page anyway.
                    banner_container() if current_user.is_authenticated and current_user.role != "display"
                    else None,
                    dash.page_container,
                ],
                fluid=True,
                className="pb-5",
            ),
        ]
    )


def _protect_pages() -> None:
    """Every page declares `allowed_roles`; its layout is served only to those roles."""
    for page in dash.page_registry.values():
        roles = page.get("allowed_roles")
        if roles is None:
            raise RuntimeError(f"page {page['module']} does not declare allowed_roles")
        layout = page["layout"]
        if getattr(layout, "role_checked", False):
            continue

        def checked(_layout=layout, _roles=tuple(roles), **kwargs):
            if not current_user.is_authenticated or current_user.role not in _roles:
                return forbidden()
            return _layout(**kwargs) if callable(_layout) else _layout

        checked.role_checked = True
        page["layout"] = checked


def _install_dash_csrf(server: Flask) -> None:
    @server.after_request
    def _set_cookie(response):
        if current_user.is_authenticated and request.method == "GET" and not request.path.startswith("/_"):
            token = session.get("dash_csrf")
            if token is None:
                token = session["dash_csrf"] = secrets.token_urlsafe(32)
            response.set_cookie(DASH_CSRF_COOKIE, token, samesite="Strict",
                                secure=server.config["SESSION_COOKIE_SECURE"] or request.is_secure,
                                httponly=False)
        return response

    @server.before_request
    def _check_header():
        if request.method == "POST" and request.path.endswith("/_dash-update-component"):
            expected = session.get("dash_csrf")
            sent = request.headers.get(DASH_CSRF_HEADER, "")
            if current_user.is_authenticated and (not expected or not secrets.compare_digest(expected, sent)):
                return {"error": "missing or wrong CSRF token: reload the page"}, 403
        return None


def create_app(config: Config | None = None) -> dash.Dash:
    config = config or Config.from_env()
    server = Flask(__name__, instance_path=str(config.instance_dir),
                   template_folder=str(PROJECT_ROOT / "auth" / "templates"))
    engine = make_engine(config.database_url, pool_size=config.db_pool_size,
                         max_overflow=config.db_max_overflow)
    server.extensions[EXTENSION_KEY] = {
        "config": config,
        "engine": engine,
        "session_factory": make_session_factory(engine),
    }
    init_auth(server, config)
    _install_dash_csrf(server)
    from pages.downloads import bp as downloads  # plain Flask routes; Dash imports the rest of pages/
    from pages.cap_feed import bp as cap_feed  # public CAP 1.2 documents and feed
    from pages.display_feed import bp as display_feed  # what the wall display fetches
    import pages._alerts_banner  # noqa: F401 - the alerts banner's callback (not a page)

    server.register_blueprint(downloads)
    from pages.report_files import bp as report_files  # upload form and authorising download

    server.register_blueprint(report_files)
    server.register_blueprint(cap_feed)
    server.register_blueprint(display_feed)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        use_async=False,
        enable_mcp=False,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        suppress_callback_exceptions=True,
        title="HealthFirst",
        update_title=None,
        on_error=_on_callback_error,
        serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = serve_shell
    register_navbar_toggle(app)
    _protect_pages()
    _register_cli(server)
    return app


def prepare_database(config: Config) -> bool:
    """Migrate, and fill an empty database with the demo city. Returns True if it seeded."""
    upgrade_database(config.database_url)
    engine = make_engine(config.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            ensure_bed_types(session)
            ensure_default_guidance(session, utcnow())  # every install has first-aid guidance
            if config.demo_data:
                return demo.seed_demo(session, now=utcnow())
            return False
    finally:
        engine.dispose()


def _register_cli(server: Flask) -> None:
    def factory():
        return make_session_factory(server.extensions[EXTENSION_KEY]["engine"])

    @server.cli.command("init-db")
    def init_db():
        """Apply migrations (and demo data if HEALTHFIRST_DEMO_DATA allows)."""
        seeded = prepare_database(server.extensions[EXTENSION_KEY]["config"])
        click.echo("Database is up to date." + (" Demo data loaded." if seeded else ""))

    @server.cli.command("create-superuser")
    @click.option("--email", prompt=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--name", "full_name", default="Super admin", show_default=True)
    def create_superuser(email, password, full_name):
        """Create a super admin (the only way to get one)."""
        upgrade_database(server.extensions[EXTENSION_KEY]["config"].database_url)
        try:
            with session_scope(factory()) as session:
                user = users.create_superuser(session, email=email, password=password,
                                              full_name=full_name, now=utcnow())
                click.echo(f"Super admin {user.email} created.")
        except DomainError as error:
            raise click.ClickException(error.message) from None

    @server.cli.command("import-hospitals")
    @click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--show-skipped", default=20, show_default=True,
                  help="How many skipped rows to list.")
    def import_hospitals(csv_path: Path, show_skipped: int):
        """Import hospitals from a National Hospital Directory CSV (safe to run twice)."""
        upgrade_database(server.extensions[EXTENSION_KEY]["config"].database_url)
        with csv_path.open(newline="", encoding="utf-8-sig") as source:
            try:
                with session_scope(factory()) as session:
                    report = hospitals.import_csv(session, source, now=utcnow())
            except ValueError as error:
                raise click.ClickException(str(error)) from None
        click.echo(report.summary())
        for line, reason in report.skipped[:show_skipped]:
            click.echo(f"  line {line}: {reason}")
        if len(report.skipped) > show_skipped:
            click.echo(f"  … and {len(report.skipped) - show_skipped} more skipped rows")

    @server.cli.command("verify-audit")
    def verify_audit():
        """Check the audit log's hash chain; names the first edited or removed entry."""
        from db.audit import verify_chain

        with session_scope(factory()) as session:
            result = verify_chain(session)
        if result.ok:
            click.echo(f"Audit log intact: {result.checked} entries checked.")
        else:
            raise click.ClickException(f"Audit log broken: {result.problem}")


def _print_banner(config: Config, seeded: bool) -> None:
    url = f"http://{config.host}:{config.port}/"
    lines = ["", f"HealthFirst is running at {url}", ""]
    if config.demo_data:
        lines.append("Demo logins (demo data" + (" loaded now):" if seeded else "):"))
        for account in demo.DEMO_ACCOUNTS:
            lines.append(f"  {users.ROLE_LABELS[account.role]:<15} {account.email:<42} {account.password}")
        lines.append("")
    print("\n".join(lines), flush=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = Config.from_env()
    seeded = prepare_database(config)
    app = create_app(config)
    _print_banner(config, seeded)
    # The development server; production runs gunicorn (see README).
    app.run(host=config.host, port=config.port, debug=config.debug,
            dev_tools_disable_version_check=True, use_reloader=False)


def create_server() -> Flask:
    """The WSGI application, for gunicorn: `gunicorn 'app:create_server()'`."""
    server = create_app().server
    # Everything built so far (Dash's component registry, page layouts) lives as long as the
    # worker: keep it out of the garbage collector's way, so collections stay short under load.
    gc.collect()
    gc.freeze()
    return server


def __getattr__(name: str):
    # `flask --app app <command>` looks for a Flask object named `app`; building it lazily
    # keeps `import app` cheap for tests and tools.
    if name == "app":
        return create_server()
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
