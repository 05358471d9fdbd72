"""Command-line tools: `flask --app app <command>`. Each is a thin shell around a db/ operation.

    init-db           migrations, the rows every install needs (and the demo city if asked for)
    create-superuser  the only way to make a super admin
    import-hospitals  a National Hospital Directory CSV (safe to run twice)
    import-landmarks  named places (name, latitude, longitude) for an SOS's place in words
    verify-audit      the audit log's hash chain
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from auth.context import state
from db import hospitals, landmarks, users
from db.audit import verify_chain
from db.clock import utcnow
from db.engine import make_session_factory, session_scope, upgrade_database
from db.errors import DomainError, InvalidInput
from db.setup import prepare_database


def _session():
    return session_scope(make_session_factory(state()["engine"]))


@click.command("init-db")
@with_appcontext
def init_db():
    """Apply migrations (and demo data if HEALTHFIRST_DEMO_DATA allows)."""
    config = state()["config"]
    seeded = prepare_database(config.database_url, demo_data=config.demo_data)
    click.echo("Database is up to date." + (" Demo data loaded." if seeded else ""))


@click.command("create-superuser")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="Super admin", show_default=True)
@with_appcontext
def create_superuser(email, password, full_name):
    """Create a super admin (the only way to get one)."""
    upgrade_database(state()["config"].database_url)
    try:
        with _session() as session:
            user = users.create_superuser(session, email=email, password=password,
                                          full_name=full_name, now=utcnow())
            click.echo(f"Super admin {user.email} created.")
    except DomainError as error:
        raise click.ClickException(error.message) from None


@click.command("import-hospitals")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-skipped", default=20, show_default=True, help="How many skipped rows to list.")
@with_appcontext
def import_hospitals(csv_path: Path, show_skipped: int):
    """Import hospitals from a National Hospital Directory CSV (safe to run twice)."""
    upgrade_database(state()["config"].database_url)
    with csv_path.open(newline="", encoding="utf-8-sig") as source:
        try:
            with _session() as session:
                report = hospitals.import_csv(session, source, now=utcnow())
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(report.summary())
    for line, reason in report.skipped[:show_skipped]:
        click.echo(f"  line {line}: {reason}")
    if len(report.skipped) > show_skipped:
        click.echo(f"  … and {len(report.skipped) - show_skipped} more skipped rows")


@click.command("import-landmarks")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_landmarks(csv_path: Path):
    """Import landmarks (columns name, latitude, longitude, optional kind) that tell an SOS's
    place in words to dispatchers (safe to run twice)."""
    upgrade_database(state()["config"].database_url)
    try:
        with _session() as session:
            report = landmarks.import_csv(session, csv_path.read_text(encoding="utf-8-sig"), now=utcnow())
    except InvalidInput as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{report.added} landmarks added, {report.already_there} already there, "
               f"{len(report.refused)} lines refused.")
    for reason in report.refused[:20]:
        click.echo(f"  {reason}")


@click.command("verify-audit")
@with_appcontext
def verify_audit():
    """Check the audit log's hash chain; names the first edited or removed entry."""
    with _session() as session:
        result = verify_chain(session)
    if result.ok:
        click.echo(f"Audit log intact: {result.checked} entries checked.")
    else:
        raise click.ClickException(f"Audit log broken: {result.problem}")


def register_cli(server: Flask) -> None:
    for command in (init_db, create_superuser, import_hospitals, import_landmarks, verify_audit):
        server.cli.add_command(command)



