"""Settings: read from the environment once, as one msgspec Struct.

Every setting is listed in README.md; tests/unit/test_settings.py keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A generated development key is marked so production can recognise and refuse it.
DEV_KEY_PREFIX = "dev-"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: str = "development"
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index: str = "civic"
    log_level: str = "INFO"
    upload_dir: Path = PROJECT_ROOT / "var" / "uploads"
    max_body_bytes: int = 20 * 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    trusted_proxies: tuple[str, ...] = ()
    cookie_secure: bool = False
    run_relay: bool = True
    run_consumers: bool = True
    run_scheduler: bool = True
    ocds_prefix: str = "ocds-civic-th"
    # The licence of the open datasets and their catalogue (civic/opendata), an SPDX id.
    opendata_licence: str = "CC-BY-4.0"
    # Days after a consultation closes by which its outcome is due (civic/consultations/rules.py
    # outcome_due_days): the platform's promise, and the period used for a section 77 hearing.
    outcome_due_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 30
    outcome_due_days_s77: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 30
    # Inhabitants per province code, from POPULATION_CSV, and where they come from
    # (POPULATION_SOURCE, shown under the map): with them the dashboard's map shades participation
    # per 100,000 inhabitants; without, raw counts, and it says so.
    population: dict[str, int] | None = None
    population_source: str = ""
    pool_max: int = 10
    # Unset: `civic run` starts the development catcher (civic/mail/catcher.py) and sets it.
    smtp_url: str | None = None
    mail_from: str = "civic <no-reply@localhost>"
    mail_reply_to: str | None = None
    # Seconds one SMTP conversation may take, connect to QUIT (civic/mail/sender.py).
    smtp_timeout: Annotated[float, msgspec.Meta(gt=0, le=600)] = 30.0
    run_mail: bool = True
    # OpenID Connect login (civic/identity): shown only when the issuer and client id are set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_provider_name: str = "OpenID Connect"
    # Moderators and admins must enrol a TOTP second factor before using staff tools.
    staff_totp_required: bool = True

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_development(self) -> bool:
        """Development-only tools (/dev/mail) exist only here: not in production, staging or tests
        that say otherwise."""
        return self.env == "development"


class SettingsError(RuntimeError):
    pass


def _dev_secret(data_dir: Path) -> str:
    """Development only: keep a generated key in var/ so sessions survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = DEV_KEY_PREFIX + secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _decode_path(type_: type, value: object) -> object:
    if type_ is Path and isinstance(value, str):
        return Path(value)
    # msgspec's protocol for "this hook does not handle that type" (not a stub).
    raise NotImplementedError(type_)


def load_settings(environ: dict[str, str] | os._Environ[str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("CIVIC_DATA_DIR", str(PROJECT_ROOT / "var")))
    civic_env = env.get("CIVIC_ENV", "development")
    secret = env.get("SECRET_KEY", "")
    if civic_env == "production":
        if not secret or secret.startswith(DEV_KEY_PREFIX) or len(secret) < 32:
            raise SettingsError(
                "CIVIC_ENV=production needs SECRET_KEY: a random value of at least 32 characters, "
                "not the generated development key."
            )
    elif not secret:
        secret = _dev_secret(data_dir)
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "8000")
    raw = {
        "env": civic_env,
        "database_url": env.get("DATABASE_URL") or None,
        "data_dir": str(data_dir),
        "secret_key": secret,
        "base_url": (env.get("BASE_URL") or _local_url(host, port)).rstrip("/"),
        "host": host,
        "port": port,
        "workers": env.get("WORKERS", "1"),
        "meili_url": env.get("MEILI_URL") or None,
        "meili_key": env.get("MEILI_KEY") or None,
        "meili_index": env.get("MEILI_INDEX", "civic"),
        "log_level": env.get("LOG_LEVEL", "INFO").upper(),
        "upload_dir": env.get("UPLOAD_DIR", str(data_dir / "uploads")),
        "max_body_bytes": env.get("MAX_BODY_BYTES", str(20 * 1024 * 1024)),
        "max_upload_bytes": env.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)),
        "trusted_proxies": tuple(p.strip() for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip()),
        "cookie_secure": _bool(env.get("COOKIE_SECURE", "true" if civic_env == "production" else "false")),
        "run_relay": _bool(env.get("RUN_RELAY", "true")),
        "run_consumers": _bool(env.get("RUN_CONSUMERS", "true")),
        "run_scheduler": _bool(env.get("RUN_SCHEDULER", "true")),
        "ocds_prefix": env.get("OCDS_PREFIX", "ocds-civic-th"),
        "opendata_licence": env.get("OPEN_DATA_LICENCE") or "CC-BY-4.0",
        "outcome_due_days": env.get("OUTCOME_DUE_DAYS", "30"),
        "outcome_due_days_s77": env.get("OUTCOME_DUE_DAYS_S77", "30"),
        "pool_max": env.get("DB_POOL_MAX", "10"),
        "smtp_url": env.get("SMTP_URL") or None,
        "mail_from": env.get("MAIL_FROM") or "civic <no-reply@localhost>",
        "mail_reply_to": env.get("MAIL_REPLY_TO") or None,
        "smtp_timeout": env.get("SMTP_TIMEOUT", "30"),
        "run_mail": _bool(env.get("RUN_MAIL", "true")),
        "oidc_issuer": env.get("OIDC_ISSUER") or None,
        "oidc_client_id": env.get("OIDC_CLIENT_ID") or None,
        "oidc_client_secret": env.get("OIDC_CLIENT_SECRET", ""),
        "oidc_scopes": env.get("OIDC_SCOPES") or "openid email profile",
        "oidc_provider_name": env.get("OIDC_PROVIDER_NAME") or "OpenID Connect",
        "staff_totp_required": _bool(env.get("STAFF_TOTP_REQUIRED", "true")),
    }
    from civic.opendata.rules import LICENCES

    if raw["opendata_licence"] not in LICENCES:
        raise SettingsError(f"OPEN_DATA_LICENCE must be one of {', '.join(LICENCES)}.")
    if raw["smtp_url"]:
        from civic.mail.rules import SmtpUrlError, parse_smtp_url

        try:
            parse_smtp_url(raw["smtp_url"])
        except SmtpUrlError as exc:
            raise SettingsError(str(exc)) from exc
    raw["population"], raw["population_source"] = _population(env)
    try:
        return msgspec.convert(raw, Settings, strict=False, dec_hook=_decode_path)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"Invalid setting: {exc}") from exc


def _population(env) -> tuple[dict[str, int] | None, str]:
    path, source = env.get("POPULATION_CSV"), " ".join(env.get("POPULATION_SOURCE", "").split())
    if not path:
        return None, ""
    if not source:
        raise SettingsError(
            "POPULATION_CSV needs POPULATION_SOURCE: who counted these people, and when "
            "(for example the Department of Provincial Administration's registered population, 31 December 2024)."
        )
    from civic import provinces
    from civic.dashboard.rules import parse_population

    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a spreadsheet's export may begin with a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"POPULATION_CSV {path} cannot be read: {exc}") from exc
    found, errors = parse_population(text, provinces.code_for_name)
    if errors:
        raise SettingsError(f"POPULATION_CSV {path}: " + "; ".join(errors))
    return found, source


def _local_url(host: str, port: str) -> str:
    """The address this server answers on, for links when BASE_URL is unset: a link saying
    port 8000 from a server on 8100 leads nowhere. A wildcard host is reached as localhost."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (recognised, not bound)
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
