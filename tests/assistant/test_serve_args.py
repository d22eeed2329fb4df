"""``assistant.serve``: Rasa's API and CORS come from the settings, closed by default."""

from __future__ import annotations

import pytest

from assistant import serve
from settings.rasa import load_rasa_settings


def test_api_is_off_and_cors_is_the_web_app_by_default() -> None:
    args = serve.rasa_security_args(load_rasa_settings({}))
    assert "--enable-api" not in args
    assert args == ["--cors", "http://127.0.0.1:8080"]


def test_api_token_enables_the_api_with_auth_and_lists_origins() -> None:
    settings = load_rasa_settings(
        {
            "ASSISTANT_RASA_API_TOKEN": "s3cret",
            "ASSISTANT_RASA_CORS_ORIGINS": "https://tinh.gov.vn, https://cong.tinh.gov.vn",
        }
    )
    assert serve.rasa_security_args(settings) == [
        "--enable-api",
        "--auth-token",
        "s3cret",
        "--cors",
        "https://tinh.gov.vn",
        "https://cong.tinh.gov.vn",
    ]


@pytest.mark.parametrize("option", ["--enable-api", "--cors", "--auth-token=x", "--jwt-secret"])
def test_security_options_on_the_command_line_are_refused(option: str) -> None:
    with pytest.raises(SystemExit, match="ASSISTANT_RASA_API_TOKEN"):
        serve.main(["--model", "m.tar.gz", option])
