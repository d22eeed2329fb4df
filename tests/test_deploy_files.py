"""deploy/: the docker-compose file, Rasa's production endpoints and the Helm values hang together.

They are not run on this machine (no Docker, no Kubernetes); this test parses them: valid YAML,
every service / host / file they reference exists, every setting they pass is in .env.example.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from settings.defaults import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
_SETTING = re.compile(r"^(ASSISTANT|TELEGRAM|ZALO)_[A-Z0-9_]+$")
_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")
# infrastructure variables of Rasa's official Helm chart (deploy/endpoints.production.yml)
CHART_VARS = {
    "DB_HOST",
    "DB_PORT",
    "DB_USER",
    "DB_PASSWORD",
    "DB_DATABASE",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "RABBITMQ_HOST",
    "RABBITMQ_PORT",
    "RABBITMQ_USERNAME",
    "RABBITMQ_PASSWORD",
}
# secrets of the infrastructure containers, given to compose from the environment
COMPOSE_SECRETS = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _variables(path: Path) -> set[str]:
    """The ${VAR}s a file uses (comments left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {v for line in lines if not line.lstrip().startswith("#") for v in _VAR.findall(line)}


@pytest.fixture(scope="module")
def env_example() -> set[str]:
    lines = (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(_load(DEPLOY / "docker-compose.yml"))


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def test_compose_references_only_services_volumes_and_files_that_exist(compose: dict) -> None:
    services = compose["services"]
    volumes = set(compose.get("volumes") or {})
    assert {"postgres", "redis", "rabbitmq", "nginx", "web", "actions", "analytics"} <= set(
        services
    )
    assert sum(name.startswith("rasa-") for name in services) >= 2
    for name, service in services.items():
        for needed in service.get("depends_on") or []:
            assert needed in services, f"{name} depends on unknown service {needed}"
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} uses undeclared volume {source}"
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file()
        command = [str(part) for part in service.get("command") or []]
        if "-m" in command:  # our services image: the module must exist
            module = command[command.index("-m") + 1]
            assert importlib.util.find_spec(module) is not None, f"{name}: no module {module}"
        for option in command:
            if option.startswith(("--endpoints=/app/", "--credentials=/app/")):
                assert (REPO_ROOT / option.split("=/app/", 1)[1]).is_file(), option


def test_compose_hosts_in_urls_are_services(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        env = service.get("environment") or {}
        for key, value in env.items():
            value = str(value)
            if key == "ASSISTANT_PUBLIC_URL":  # the public address, outside the topology
                continue
            if key.endswith(("_URL", "_HOST")) and "://" in value:
                host = _host(value.replace("${", "").replace("}", ""))
                assert host in services, f"{name}: {key} points at unknown host {host}"
            elif key.endswith("_HOST") and key in CHART_VARS:
                assert value in services, f"{name}: {key}={value} is not a service"
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for upstream_host in re.findall(r"server ([a-z0-9-]+):\d+", conf):
        assert upstream_host in services, f"nginx.conf names unknown service {upstream_host}"


def test_every_setting_passed_is_in_env_example(compose: dict, env_example: set[str]) -> None:
    for var in _variables(DEPLOY / "docker-compose.yml"):
        assert var in env_example or var in COMPOSE_SECRETS, f"compose uses unknown ${{{var}}}"
    for name, service in compose["services"].items():
        for key in service.get("environment") or {}:
            if _SETTING.match(key):
                assert key in env_example, f"{name}: {key} is not a setting (.env.example)"
    values = _load(DEPLOY / "helm" / "values.yaml")
    parts = [values, values["rasa-action-server"], values["webApp"], values["analyticsConsumer"]]
    for part in parts:
        for entry in part.get("extraEnv") or []:
            assert entry["name"] in env_example, f"helm: {entry['name']} is not a setting"


def test_rasa_endpoints_variables_are_provided(compose: dict, env_example: set[str]) -> None:
    endpoints = _load(DEPLOY / "endpoints.production.yml")
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["event_broker"]["type"] == "pika"
    used = _variables(DEPLOY / "endpoints.production.yml")
    assert used - env_example <= CHART_VARS
    for name, service in compose["services"].items():
        if name.startswith("rasa-"):
            missing = used - set(service["environment"])
            assert not missing, f"{name} does not set {sorted(missing)}"


def test_helm_values_follow_rasas_chart_and_wire_the_consumer() -> None:
    values = _load(DEPLOY / "helm" / "values.yaml")
    endpoints = values["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["enabled"]
    assert endpoints["trackerStore"]["type"] == "sql"
    assert endpoints["trackerStore"]["dialect"] == "postgresql"
    assert endpoints["lockStore"]["enabled"]
    assert endpoints["lockStore"]["type"] == "redis"
    assert endpoints["eventBroker"]["enabled"]
    assert endpoints["eventBroker"]["type"] == "pika"
    assert values["replicaCount"] >= 2
    assert values["nginx"]["enabled"]
    for infra in ("postgresql", "redis", "rabbitmq"):
        assert "install" in values[infra]
        assert "external" in values[infra]
    assert values["rasa-action-server"]["install"]
    consumer_env = {e["name"]: e for e in values["analyticsConsumer"]["extraEnv"]}
    assert consumer_env["ASSISTANT_EVENTS_SOURCE"]["value"] == "rabbitmq"
    assert consumer_env["ASSISTANT_RABBITMQ_QUEUE"]["value"] in endpoints["eventBroker"]["queues"]
    for part in ("rasa-action-server", "webApp", "analyticsConsumer"):
        command = values[part]["command"]
        assert importlib.util.find_spec(command[command.index("-m") + 1]) is not None


def test_deployment_doc_says_plainly_it_was_not_run() -> None:
    doc = (REPO_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "not run on" in doc
    for name in ("docker-compose.yml", "helm/values.yaml", "endpoints.production.yml"):
        assert name in doc
