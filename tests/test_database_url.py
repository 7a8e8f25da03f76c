"""Choosing server mode: --database-url, then MAPPING_DATABASE_URL, then [database] url in secrets."""

from __future__ import annotations

from mapping import cli, config


def test_the_url_comes_from_the_flag_then_the_environment_then_the_secrets_file(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "postgresql://from-secrets/zbk"\n', encoding="utf-8")
    monkeypatch.setattr(config, "secrets_files", lambda: [tmp_path / "missing.toml", secrets])
    monkeypatch.delenv("MAPPING_DATABASE_URL", raising=False)
    assert config.database_url() == "postgresql://from-secrets/zbk"
    monkeypatch.setenv("MAPPING_DATABASE_URL", "postgresql://from-env/zbk")
    assert config.database_url() == "postgresql://from-env/zbk"
    assert config.database_url("postgresql://from-flag/zbk") == "postgresql://from-flag/zbk"


def test_without_any_url_the_embedded_file_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "secrets_files", lambda: [tmp_path / "missing.toml"])
    monkeypatch.delenv("MAPPING_DATABASE_URL", raising=False)
    assert config.database_url() is None


def test_the_cli_takes_database_url_before_the_command_name():
    args = cli.build_parser().parse_args(["--database-url", "postgresql://h/zbk", "build"])
    assert args.database_url == "postgresql://h/zbk" and args.command == "build"
