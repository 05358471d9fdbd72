"""Settings from the environment."""

import pytest

from config import Config, normalise_database_url


@pytest.mark.parametrize(
    "given,expected",
    [
        ("postgresql://u@h:5432/d", "postgresql+psycopg2://u@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_defaults_keep_data_and_secret_in_instance_folder(tmp_path, monkeypatch):
    for name in ("HEALTHFIRST_DATABASE_URL", "HEALTHFIRST_SECRET_KEY", "HEALTHFIRST_PORT",
                 "HEALTHFIRST_DEBUG", "HEALTHFIRST_UPLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEALTHFIRST_INSTANCE_DIR", str(tmp_path))
    config = Config.from_env()
    assert config.database_url == f"sqlite:///{tmp_path / 'healthfirst.sqlite3'}"
    assert config.port == 8050 and config.debug is False
    assert config.upload_dir == tmp_path / "uploads"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == config.secret_key and len(config.secret_key) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # The generated key is kept: sessions survive a restart.
    assert Config.from_env().secret_key == config.secret_key


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("HEALTHFIRST_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("HEALTHFIRST_DATABASE_URL", "postgresql://app@db/healthfirst")
    monkeypatch.setenv("HEALTHFIRST_SECRET_KEY", "from-env")
    monkeypatch.setenv("HEALTHFIRST_PORT", "9000")
    monkeypatch.setenv("HEALTHFIRST_UPLOAD_DIR", str(tmp_path / "files"))
    config = Config.from_env()
    assert config.database_url == "postgresql+psycopg2://app@db/healthfirst"
    assert config.secret_key == "from-env" and config.port == 9000
    assert config.upload_dir == tmp_path / "files"
    assert not (tmp_path / "secret_key").exists()
