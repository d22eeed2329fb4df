"""Every command-line entry point reports invalid settings the same way: one message, status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings.defaults import REPO_ROOT

# each command with the prefix of its error line (Vietnamese for the editors' commands)
COMMANDS = [
    (["-m", "analytics", "consume", "--once"], "error"),
    (["-m", "stores.privacy", "export", "tg:1"], "error"),
    (["-m", "actions.tokens", "mint", "--sender", "web-1"], "lỗi"),
    (["-m", "editorial.domain_cli", "list"], "lỗi"),
    (["-m", "editorial.faq_cli", "validate"], "lỗi"),
    (["-m", "tools.cluster"], "error"),
    ([str(REPO_ROOT / "scripts" / "run_all.py")], "error"),
]


IDS = ["analytics", "privacy", "token", "domain", "faq", "cluster", "run_all"]


@pytest.mark.parametrize(("command", "prefix"), COMMANDS, ids=IDS)
def test_invalid_settings_print_every_problem_and_exit_2(
    command: list[str], prefix: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
        "ASSISTANT_ANALYTICS_POLL_S": "0",  # must be > 0
        "ASSISTANT_EVENTS_KEEP_ROWS": "0",  # must be ≥ 1
    }
    done = subprocess.run(
        [sys.executable, *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"{prefix}: invalid settings (see .env.example):\n")
    assert "ASSISTANT_ANALYTICS_POLL_S='0'" in done.stderr
    assert "ASSISTANT_EVENTS_KEEP_ROWS='0'" in done.stderr
    assert not (tmp_path / "var").exists()  # nothing was created before the check
