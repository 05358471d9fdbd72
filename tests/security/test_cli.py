"""The command line: super admins, hospital import, audit chain check, a quiet `init-db`."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, select, text

from db.models import Hospital, User

ROOT = Path(__file__).resolve().parents[2]

CSV = '''Location_Coordinates,Hospital_Name,Address_Original_First_Line
"12.97, 77.59",Cli Hospital,1 Road
"99, 77.59",Bad Hospital,2 Road
'''


def test_create_superuser_non_interactively(web_app, web_db):
    runner = web_app.server.test_cli_runner()
    result = runner.invoke(args=["create-superuser", "--email", "Root@Example.in",
                                 "--password", "Strong-pass-77"])
    assert result.exit_code == 0, result.output
    assert "root@example.in created" in result.output
    with web_db.factory() as session:
        user = session.execute(select(User).where(User.email == "root@example.in")).scalar_one()
        assert user.role == "super_admin" and user.status == "active"
    again = runner.invoke(args=["create-superuser", "--email", "root@example.in",
                                "--password", "Strong-pass-77"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_superuser_interactively_refuses_weak_password(web_app, web_db):
    runner = web_app.server.test_cli_runner()
    result = runner.invoke(args=["create-superuser"], input="boss@example.in\nshort\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    with web_db.factory() as session:
        assert session.execute(select(User)).first() is None


def test_import_hospitals_command_reports_and_is_idempotent(web_app, web_db, tmp_path):
    path = tmp_path / "hospitals.csv"
    path.write_text(CSV)
    runner = web_app.server.test_cli_runner()
    first = runner.invoke(args=["import-hospitals", str(path)])
    assert first.exit_code == 0, first.output
    assert "2 rows read: 1 imported, 0 already present, 1 skipped" in first.output
    assert "line 3: coordinates '99, 77.59': Latitude is -90 to 90" in first.output
    second = runner.invoke(args=["import-hospitals", str(path)])
    assert "1 already present" in second.output
    with web_db.factory() as session:
        assert len(session.execute(select(Hospital)).all()) == 1


def test_verify_audit_command_names_the_edited_entry(web_app, web_db):
    runner = web_app.server.test_cli_runner()
    runner.invoke(args=["create-superuser", "--email", "a@example.in", "--password", "Strong-pass-77"])
    runner.invoke(args=["create-superuser", "--email", "b@example.in", "--password", "Strong-pass-77"])
    ok = runner.invoke(args=["verify-audit"])
    assert ok.exit_code == 0 and "intact: 2 entries" in ok.output
    with web_db.engine.begin() as connection:
        first = connection.execute(text("SELECT min(id) FROM audit_log")).scalar_one()
        connection.execute(text("UPDATE audit_log SET actor_label='nobody' WHERE id=:i"), {"i": first})
    broken = runner.invoke(args=["verify-audit"])
    assert broken.exit_code != 0 and f"entry {first} was edited" in broken.output


def _flask(tmp_path, *args):
    """The real command line, as an operator types it (demo data not asked for)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHFIRST_")}
    env.update(HEALTHFIRST_INSTANCE_DIR=str(tmp_path / "instance"),
               HEALTHFIRST_DATABASE_URL=f"sqlite:///{tmp_path / 'hf.sqlite3'}")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_init_db_on_an_empty_database_makes_no_accounts_and_no_warning(tmp_path):
    result = _flask(tmp_path, "init-db")
    assert result.returncode == 0, result.stderr
    assert "could not check" not in result.stderr and "Traceback" not in result.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'hf.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from users")).scalar_one() == 0
        assert connection.execute(text("select count(*) from hospitals")).scalar_one() == 0
        # An older demo run left a demo account behind: the next start says it cannot log in.
        connection.execute(text(
            "insert into users (email, password_hash, full_name, role, status, created_at, session_token,"
            " failed_login_count) values ('superadmin@demo.healthfirst.in', 'x', 'Old demo', "
            "'super_admin', 'active', '2026-01-01 00:00:00', 't', 0)"))
        connection.commit()
    engine.dispose()
    again = _flask(tmp_path, "init-db")
    assert again.returncode == 0, again.stderr
    assert "1 demo account(s) exist in this database; they cannot log in" in again.stderr
