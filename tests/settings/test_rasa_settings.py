"""Settings of the Rasa runtime (standard library only: runs in both runtimes' test suites)."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings.defaults import ACTIONS_URL, DATA_DIR, REPO_ROOT
from settings.rasa import RasaSettingsError, load_rasa_settings


def test_defaults_are_the_shared_ones() -> None:
    settings = load_rasa_settings({})
    assert settings.data_dir == DATA_DIR
    assert settings.actions_url == ACTIONS_URL
    assert settings.lexicon_dir == DATA_DIR / "lexicon"
    assert settings.log_level == "INFO"


def test_values_are_typed_and_paths_taken_from_the_repository() -> None:
    settings = load_rasa_settings(
        {
            "ASSISTANT_DATA_DIR": "mydata",
            "ASSISTANT_ACTIONS_TIMEOUT_S": "2.5",
            "ASSISTANT_LOG_LEVEL": "debug",
        }
    )
    assert settings.data_dir == REPO_ROOT / "mydata"
    assert settings.actions_timeout_s == 2.5
    assert settings.log_level == "DEBUG"


def test_every_bad_value_is_named_with_the_fix() -> None:
    with pytest.raises(RasaSettingsError) as info:
        load_rasa_settings({"ASSISTANT_ACTIONS_TIMEOUT_S": "soon", "ASSISTANT_LOG_LEVEL": "loud"})
    message = str(info.value)
    assert "ASSISTANT_ACTIONS_TIMEOUT_S='soon': not a number" in message
    assert "ASSISTANT_LOG_LEVEL='LOUD'" in message


def test_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ASSISTANT_MODEL=/models/a.tar.gz\nASSISTANT_ROLE_SECRET=from-file\n")
    monkeypatch.setenv("ASSISTANT_ROLE_SECRET", "from-env")
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    settings = load_rasa_settings(env_file=env_file)
    assert settings.model == "/models/a.tar.gz"
    assert settings.role_secret == "from-env"


def test_services_python_is_required_with_a_clear_message() -> None:
    with pytest.raises(RasaSettingsError, match="ASSISTANT_SVC_PYTHON is not set"):
        load_rasa_settings({}).require_services_python()


def test_tracker_and_event_files_follow_the_var_dir_unless_set() -> None:
    settings = load_rasa_settings({"ASSISTANT_VAR_DIR": "/srv/trolyao"})
    assert settings.tracker_db == Path("/srv/trolyao/rasa_tracker.sqlite3")
    assert settings.events_db == Path("/srv/trolyao/rasa_events.sqlite3")
    own = load_rasa_settings({"ASSISTANT_TRACKER_DB": "state/t.db", "ASSISTANT_EVENTS_DB": "/e.db"})
    assert own.tracker_db == REPO_ROOT / "state" / "t.db"
    assert own.events_db == Path("/e.db")
