"""Settings: read once from the environment; production refuses weak keys; all documented."""

from __future__ import annotations

import ast
import re
import stat
from pathlib import Path

import pytest

from civic import settings as settings_mod
from civic.settings import DEV_KEY_PREFIX, PROJECT_ROOT, SettingsError, get_settings, load_settings

STRONG_KEY = "k3y-" + "x" * 40


@pytest.mark.parametrize(
    "secret",
    [None, "", "short-but-random", DEV_KEY_PREFIX + "y" * 60],
)
def test_production_refuses_a_missing_short_or_development_key(tmp_path, secret):
    env = {"CIVIC_ENV": "production", "CIVIC_DATA_DIR": str(tmp_path)}
    if secret is not None:
        env["SECRET_KEY"] = secret
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(env)
    # Nothing was generated on the way.
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_the_generated_development_key(tmp_path):
    dev = load_settings({"CIVIC_DATA_DIR": str(tmp_path)})
    with pytest.raises(SettingsError):
        load_settings(
            {"CIVIC_ENV": "production", "CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": dev.secret_key}
        )


def test_production_with_a_real_key(tmp_path):
    s = load_settings({"CIVIC_ENV": "production", "SECRET_KEY": STRONG_KEY, "CIVIC_DATA_DIR": str(tmp_path)})
    assert s.is_production and s.secret_key == STRONG_KEY
    assert s.cookie_secure is True  # secure cookies by default in production
    assert (
        load_settings(
            {"CIVIC_ENV": "production", "SECRET_KEY": STRONG_KEY, "COOKIE_SECURE": "false"}
        ).cookie_secure
        is False
    )


def test_development_generates_and_reuses_a_key_file(tmp_path):
    data_dir = tmp_path / "var"
    first = load_settings({"CIVIC_DATA_DIR": str(data_dir)})
    key_file = data_dir / "secret_key"
    assert key_file.exists()
    assert first.secret_key.startswith(DEV_KEY_PREFIX) and len(first.secret_key) > 40
    assert key_file.read_text().strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = load_settings({"CIVIC_DATA_DIR": str(data_dir)})
    assert second.secret_key == first.secret_key
    # Another data folder gets another key.
    assert load_settings({"CIVIC_DATA_DIR": str(tmp_path / "other")}).secret_key != first.secret_key


def test_an_explicit_key_writes_no_file(tmp_path):
    s = load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY})
    assert s.secret_key == STRONG_KEY
    assert not (tmp_path / "secret_key").exists()


def test_defaults_and_parsing(tmp_path):
    s = load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY})
    assert s.env == "development" and not s.is_production
    assert s.database_url is None and s.meili_url is None
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 8000, 1)
    assert s.data_dir == tmp_path and s.upload_dir == tmp_path / "uploads"
    assert s.max_body_bytes == 20 * 1024 * 1024
    assert s.trusted_proxies == () and s.cookie_secure is False
    s = load_settings(
        {
            "CIVIC_DATA_DIR": str(tmp_path),
            "SECRET_KEY": STRONG_KEY,
            "PORT": "9001",
            "MAX_BODY_BYTES": "1000",
            "TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16 ,",
            "BASE_URL": "https://civic.example.go.th/",
            "LOG_LEVEL": "debug",
            "RUN_RELAY": "no",
            "DATABASE_URL": "",
        }
    )
    assert s.port == 9001 and s.max_body_bytes == 1000
    assert s.trusted_proxies == ("10.0.0.1", "192.168.0.0/16")
    assert s.base_url == "https://civic.example.go.th"
    assert s.log_level == "DEBUG" and s.run_relay is False
    assert s.database_url is None


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "eighty"), ("WORKERS", "1.5"), ("MAX_BODY_BYTES", "20MB")]
)
def test_invalid_values_are_a_clear_error(tmp_path, name, value):
    with pytest.raises(SettingsError, match="Invalid setting"):
        load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY, name: value})


@pytest.mark.parametrize("value", ["0", "-1", "601", "soon"])
def test_an_smtp_timeout_of_none_over_ten_minutes_or_not_a_number_names_the_setting(tmp_path, value):
    with pytest.raises(SettingsError, match="smtp_timeout"):
        load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY, "SMTP_TIMEOUT": value})


def test_the_smtp_timeout_is_read(tmp_path):
    s = load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY, "SMTP_TIMEOUT": "12.5"})
    assert s.smtp_timeout == 12.5
    assert load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG_KEY}).smtp_timeout == 30


def test_get_settings_reads_the_environment_once(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("PORT", "8123")
    get_settings.cache_clear()
    try:
        s = get_settings()
        assert s.port == 8123
        monkeypatch.setenv("PORT", "8124")
        assert get_settings() is s
        get_settings.cache_clear()
        assert get_settings().port == 8124
    finally:
        get_settings.cache_clear()


def env_names_read_by_load_settings() -> set[str]:
    """Every `env.get("NAME", ...)` inside load_settings, found in its source."""
    tree = ast.parse(Path(settings_mod.__file__).read_text(encoding="utf-8"))
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "load_settings")
    names = set()
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def documented_settings() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", readme, flags=re.MULTILINE)


def test_every_setting_is_documented_in_the_readme():
    read = env_names_read_by_load_settings()
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "BASE_URL",
        "HOST",
        "PORT",
        "MEILI_URL",
        "MEILI_KEY",
        "LOG_LEVEL",
    } <= read
    documented = documented_settings()
    assert len(documented) == len(set(documented)), "a setting is listed twice in README.md"
    missing = sorted(read - set(documented))
    assert not missing, f"settings read by civic/settings.py but missing from README.md's table: {missing}"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8100"}, "http://127.0.0.1:8100"),
        ({"HOST": "10.0.0.5", "PORT": "9000"}, "http://10.0.0.5:9000"),
        ({"HOST": "0.0.0.0", "PORT": "8100"}, "http://localhost:8100"),
        ({"HOST": "::1"}, "http://[::1]:8000"),
        ({"PORT": "8100", "BASE_URL": "https://civic.example.go.th/"}, "https://civic.example.go.th"),
    ],
)
def test_base_url_follows_host_and_port_unless_set(tmp_path, env, expected):
    assert load_settings({"CIVIC_DATA_DIR": str(tmp_path), **env}).base_url == expected


def test_a_population_table_needs_its_source_and_every_province(tmp_path):
    from civic.dashboard.rules import TILES

    table = tmp_path / "population.csv"
    table.write_text("province,population\n" + "".join(f"{c},{i + 1}\n" for i, c in enumerate(sorted(TILES))))
    base = {"SECRET_KEY": "k" * 40, "CIVIC_DATA_DIR": str(tmp_path), "POPULATION_CSV": str(table)}
    with pytest.raises(SettingsError, match="POPULATION_SOURCE"):
        load_settings(base)
    settings = load_settings(base | {"POPULATION_SOURCE": "  a  named   count "})
    assert len(settings.population) == 77 and settings.population_source == "a named count"
    table.write_text("province,population\nBKK,0\n")
    with pytest.raises(SettingsError, match=r"BKK.*above 0.*no population for 77 provinces"):
        load_settings(base | {"POPULATION_SOURCE": "x"})
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(base | {"POPULATION_SOURCE": "x", "POPULATION_CSV": str(tmp_path / "none.csv")})
    assert load_settings({"SECRET_KEY": "k" * 40, "CIVIC_DATA_DIR": str(tmp_path)}).population is None
