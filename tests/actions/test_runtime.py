"""Process-wide services: built once whatever the threads, warmed up before the server serves."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from actions.errors import MessagesError, WarmUpError
from actions.messages import FaqMessages, load_messages
from actions.runtime import REGISTRY, Lazy, warm_up
from tests.stack import ACTIONS_TOKEN, REPO_ROOT, free_port, services_python


def test_registry_warms_up_messages_ioc_and_faq() -> None:
    names = [service.name for service in REGISTRY]
    assert names == ["claim verifier", "FAQ messages", "IOC service", "FAQ service"]


def test_concurrent_first_uses_build_once() -> None:
    builds: list[int] = []

    def build() -> list[int]:
        time.sleep(0.2)  # long enough for every thread to ask while the build runs
        builds.append(1)
        return builds

    lazy = Lazy("slow", build)
    results: list[list[int]] = []
    threads = [threading.Thread(target=lambda: results.append(lazy.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1]
    assert all(result is builds for result in results)
    assert lazy.loaded


def _broken_faq_messages(tmp_path: Path) -> Path:
    text = (REPO_ROOT / "data" / "messages" / "faq.yml").read_text(encoding="utf-8")
    path = tmp_path / "faq.yml"
    path.write_text(text.replace("{domains}", "{domain}"), encoding="utf-8")
    return path


def test_failed_build_is_retried_on_next_use(tmp_path: Path) -> None:
    path = _broken_faq_messages(tmp_path)
    lazy = Lazy("FAQ messages", lambda: load_messages(path, FaqMessages))
    with pytest.raises(MessagesError):
        lazy.get()
    assert not lazy.loaded
    shutil.copy(REPO_ROOT / "data" / "messages" / "faq.yml", path)
    assert lazy.get().suggest_lead == "Ý bạn là…?"


def test_warm_up_names_the_service_and_the_problem(tmp_path: Path) -> None:
    path = _broken_faq_messages(tmp_path)
    later = Lazy("never built", lambda: pytest.fail("warm-up went on after a failure"))
    with pytest.raises(WarmUpError, match=r"cannot load the FAQ messages:\n.*faq\.yml:6: "):
        warm_up((Lazy("FAQ messages", lambda: load_messages(path, FaqMessages)), later))


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("faq.yml", "{domains}", "{domain}", "faq.yml:6: message 'decline' uses {domain}"),
        (
            "indicators.yml",
            "partial: ",
            "partial_: ",
            "indicators.yml:1: missing template 'partial'",
        ),
    ],
)
def test_action_server_with_a_broken_messages_file_exits_before_serving(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    data = shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    path = data / "messages" / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
        "ASSISTANT_ACTIONS_TOKEN": ACTIONS_TOKEN,
    }
    done = subprocess.run(
        [services_python(), "-m", "actions", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()
    assert "error: cannot load the" in done.stderr, done.stderr[-3000:]
    assert expected in last[-1]
    assert str(path) in last[-1]


def test_action_server_does_not_start_without_rasas_token() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ASSISTANT_ACTIONS_TOKEN": ""}
    done = subprocess.run(
        [services_python(), "-m", "actions", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert "ASSISTANT_ACTIONS_TOKEN is empty" in done.stderr
