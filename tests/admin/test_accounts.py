"""Admin accounts: `bin/assistant admin passwd` writes argon2 hashes that the login verifies."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from admin.accounts import AccountError, load_accounts, verify
from settings.defaults import REPO_ROOT


def _passwd(path: Path, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_ADMIN_USERS_FILE": str(path)}
    return subprocess.run(
        [str(REPO_ROOT / "bin" / "assistant"), "admin", "passwd", *args, "--password-stdin"],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_passwd_writes_an_argon2_hash_the_login_verifies(tmp_path: Path) -> None:
    path = tmp_path / "users.yml"
    done = _passwd(
        path, "lan", "--role", "editor", "--domains", "y_te,giao_duc", password="mat-khau-dai-1"
    )
    assert done.returncode == 0, done.stderr
    assert "mat-khau-dai-1" not in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o077 == 0  # readable by the service account only
    accounts = load_accounts(path)
    assert accounts["lan"].domains == {"y_te", "giao_duc"}
    assert accounts["lan"].password_hash.startswith("$argon2id$")
    assert verify(accounts, "lan", "mat-khau-dai-1") == accounts["lan"]
    assert verify(accounts, "lan", "mat-khau-sai-1") is None
    assert verify(accounts, "ai-do", "mat-khau-dai-1") is None
    again = _passwd(path, "quantri", "--role", "admin", password="mat-khau-quan-tri")
    assert again.returncode == 0
    assert set(load_accounts(path)) == {"lan", "quantri"}  # other accounts kept
    short = _passwd(path, "lan", "--domains", "y_te", password="ngan")
    assert short.returncode == 2
    assert "10" in short.stderr


def test_a_broken_accounts_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "users.yml"
    assert load_accounts(path) == {}  # no file: nobody can log in
    path.write_text("users:\n  - name: lan\n    password_hash: plain\n", encoding="utf-8")
    with pytest.raises(AccountError, match="admin passwd"):
        load_accounts(path)
