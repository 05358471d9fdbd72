"""The command line: super admins, hospital import, audit chain check."""

from sqlalchemy import select, text

from db.models import Hospital, User

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
