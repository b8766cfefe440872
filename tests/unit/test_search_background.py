"""The app starts the relay and the scheduler only when the settings say so."""

from __future__ import annotations

from civic import background
from civic.settings import load_settings


def _settings(relay: str, scheduler: str):
    return load_settings(
        {"SECRET_KEY": "x" * 40, "RUN_RELAY": relay, "RUN_SCHEDULER": scheduler, "RUN_MAIL": "false", "RUN_CONSUMERS": "false", "CIVIC_DATA_DIR": "/tmp"}
    )


def test_loops_follow_settings():
    names = lambda s: [f.__name__ for f in background.enabled_loops(s)]  # noqa: E731
    assert names(_settings("true", "true")) == ["search_relay", "scheduler"]
    assert names(_settings("false", "true")) == ["scheduler"]
    assert names(_settings("true", "false")) == ["search_relay"]
    assert names(_settings("false", "false")) == []


def test_backend_is_chosen_by_meili_url():
    from civic.search.backend import backend_name

    assert backend_name(_settings("true", "true")) == "postgres"
    s = load_settings(
        {"SECRET_KEY": "x" * 40, "MEILI_URL": "http://127.0.0.1:7700", "CIVIC_DATA_DIR": "/tmp"}
    )
    assert backend_name(s) == "meilisearch"
