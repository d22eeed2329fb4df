"""The production topology on one machine (`make run-cluster`), also used by fault and load tests.

PostgreSQL (Rasa's tracker store + the services' state), Redis (Rasa's lock store + shared state),
RabbitMQ (Rasa's Pika event broker), N Rasa replicas and M action servers on loopback ports, nginx
in front of both (its config generated from ``deploy/nginx.cluster.conf.template`` into the work
directory), the web app talking to nginx. Each conversation is pinned to one replica by its sender
id (``deploy/nginx_sender.js``): Rasa OSS's Redis lock store alone is not safe for one conversation
spread over replicas (rasa#9213). Every child runs in its own session; :meth:`Cluster.stop` (and
SIGTERM to ``python -m tools.cluster``) stops them all.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from sqlalchemy.engine import make_url

from settings.defaults import REPO_ROOT
from settings.services import Settings

__all__ = [
    "Cluster",
    "ClusterError",
    "ClusterPlan",
    "check_postgres",
    "check_rabbitmq",
    "check_redis",
    "drop_ephemeral",
    "ephemeral_plan",
    "plan_from_settings",
]

DEPLOY = REPO_ROOT / "deploy"
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")
_ACTIONS_OFFSET = 50


class ClusterError(RuntimeError):
    """The cluster cannot start; the message names what is missing and where."""


@dataclass(frozen=True)
class ClusterPlan:
    """Everything needed to start the cluster (from the settings, or from a test)."""

    db_url: str
    redis_url: str
    rabbitmq_url: str
    rabbitmq_queue: str
    rasa_replicas: int
    action_servers: int
    port_base: int
    rasa_port: int
    actions_port: int
    web_port: int | None
    nginx: str
    work_dir: Path
    model: str
    rasa_python: str
    svc_python: str
    with_simulator: bool = True
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # Rasa's shared token for the action servers (generated when not configured)
    actions_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # Rasa's HTTP API (trackers): off when empty, as in production
    api_token: str = ""

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}/webhook"

    def replica_port(self, index: int) -> int:
        return self.port_base + 1 + index

    def action_port(self, index: int) -> int:
        return self.port_base + _ACTIONS_OFFSET + 1 + index


def plan_from_settings(settings: Settings, env: Mapping[str, str], work_dir: Path) -> ClusterPlan:
    """The plan of ``make run-cluster``: nginx on the public Rasa and actions ports."""
    cluster = settings.cluster
    return ClusterPlan(
        db_url=cluster.db_url,
        redis_url=cluster.redis_url,
        rabbitmq_url=settings.analytics.rabbitmq_url,
        rabbitmq_queue=settings.analytics.events_queue,
        rasa_replicas=cluster.rasa_replicas,
        action_servers=cluster.action_servers,
        port_base=cluster.port_base,
        rasa_port=urlsplit(settings.web.rasa_url).port or 5005,
        actions_port=settings.server.actions_port,
        web_port=settings.web.port,
        nginx=cluster.nginx,
        work_dir=work_dir,
        model=env["ASSISTANT_MODEL"],
        rasa_python=env["ASSISTANT_RASA_PYTHON"],
        svc_python=env["ASSISTANT_SVC_PYTHON"],
        actions_token=env.get("ASSISTANT_ACTIONS_TOKEN") or secrets.token_urlsafe(32),
        api_token=env.get("ASSISTANT_RASA_API_TOKEN", ""),
    )


# --- the stores: one clear error naming what and where -------------------------------------------


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or ''}".rstrip(":")


def check_postgres(url: str, *, create: bool = True, timeout_s: float = 3.0) -> None:
    """Connect to PostgreSQL; create the database when missing (and ``create``)."""
    import psycopg
    from psycopg import sql

    parsed = make_url(url)
    name = parsed.database or "trolyao"
    try:
        with psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            dbname="postgres",
            connect_timeout=max(1, int(timeout_s)),
            autocommit=True,
        ) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if found is None and create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise ClusterError(
            f"PostgreSQL at {parsed.host}:{parsed.port or 5432} (ASSISTANT_CLUSTER_DB_URL) is "
            f"unreachable or refused database {name!r}: {str(exc).strip().splitlines()[0]}"
        ) from exc


def check_redis(url: str, *, timeout_s: float = 2.0) -> None:
    """Ping Redis."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        client.ping()
        client.close()
    except RedisError as exc:
        raise ClusterError(
            f"Redis at {_where(url)} (ASSISTANT_CLUSTER_REDIS_URL) is unreachable: {exc}"
        ) from exc


def check_rabbitmq(url: str, queue: str, *, timeout_s: float = 3.0) -> None:
    """Connect to RabbitMQ and declare the events queue (durable, as Rasa declares it)."""
    import pika
    from pika.exceptions import AMQPError

    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = timeout_s
    params.blocked_connection_timeout = timeout_s
    try:
        connection = pika.BlockingConnection(params)
        try:
            connection.channel().queue_declare(queue=queue, durable=True)
        finally:
            connection.close()
    except (AMQPError, OSError) as exc:
        raise ClusterError(
            f"RabbitMQ at {_where(url)} (ASSISTANT_RABBITMQ_URL) is unreachable: "
            f"{exc.__class__.__name__} {exc}".strip()
        ) from exc


# --- processes --------------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    cmd: list[str]
    env: dict[str, str]
    ready_url: str | None
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the launcher, which stops us in order
            )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, deadline: float) -> None:
        if not self.ready_url:
            return
        while time.monotonic() < deadline:
            if not self.running:
                code = self.proc.returncode if self.proc else None
                raise ClusterError(f"{self.name} exited with code {code}:\n{self.tail()}")
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise ClusterError(f"{self.name} not ready ({self.ready_url}):\n{self.tail()}")

    def signal(self, sig: int) -> None:
        if self.running and self.proc is not None:
            self.proc.send_signal(sig)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _stores_env(plan: ClusterPlan) -> dict[str, str]:
    """The variables deploy/endpoints.cluster.yml names, from the three store URLs."""
    db = make_url(plan.db_url)
    redis = urlsplit(plan.redis_url)
    amqp = urlsplit(plan.rabbitmq_url)
    services_db = db.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return {
        "ASSISTANT_TRACKER_DB_HOST": db.host or "127.0.0.1",
        "ASSISTANT_TRACKER_DB_PORT": str(db.port or 5432),
        "ASSISTANT_TRACKER_DB_NAME": db.database or "trolyao",
        "ASSISTANT_TRACKER_DB_USER": db.username or "postgres",
        "ASSISTANT_TRACKER_DB_PASSWORD": db.password or "",
        "ASSISTANT_LOCK_REDIS_HOST": redis.hostname or "127.0.0.1",
        "ASSISTANT_LOCK_REDIS_PORT": str(redis.port or 6379),
        "ASSISTANT_LOCK_REDIS_DB": (redis.path or "/0").strip("/") or "0",
        "ASSISTANT_LOCK_REDIS_PASSWORD": unquote(redis.password or ""),
        "ASSISTANT_RABBITMQ_HOST": amqp.hostname or "127.0.0.1",
        "ASSISTANT_RABBITMQ_PORT": str(amqp.port or 5672),
        "ASSISTANT_RABBITMQ_USER": unquote(amqp.username or "guest"),
        "ASSISTANT_RABBITMQ_PASSWORD": unquote(amqp.password or "guest"),
        "ASSISTANT_RABBITMQ_QUEUE": plan.rabbitmq_queue,
        # the services runtime's own state goes to the same PostgreSQL and Redis
        "ASSISTANT_DB_URL": services_db,
        "ASSISTANT_REDIS_URL": plan.redis_url,
    }


def render_nginx(plan: ClusterPlan) -> Path:
    """Write ``<work_dir>/nginx/nginx.conf`` from the template; return its path."""
    prefix = plan.work_dir / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    fails = "max_fails=1 fail_timeout=2s"  # a restarted server is tried again within 2 s
    replicas = "\n".join(
        f"        server 127.0.0.1:{plan.replica_port(i)} {fails};"
        for i in range(plan.rasa_replicas)
    )
    actions = "\n".join(
        f"        server 127.0.0.1:{plan.action_port(i)} {fails};"
        for i in range(plan.action_servers)
    )
    text = (DEPLOY / "nginx.cluster.conf.template").read_text()
    for key, value in {
        "@@PREFIX@@": str(prefix),
        "@@JS_MODULE@@": str(JS_MODULE),
        "@@NJS@@": str(DEPLOY / "nginx_sender.js"),
        # as root, workers would run as `nobody` and could not use the temp paths above
        "@@USER@@": "user root;" if os.geteuid() == 0 else "",
        "@@RASA_SERVERS@@": replicas,
        "@@ACTION_SERVERS@@": actions,
        "@@RASA_LISTEN@@": f"127.0.0.1:{plan.rasa_port}",
        "@@ACTIONS_LISTEN@@": f"127.0.0.1:{plan.actions_port}",
    }.items():
        text = text.replace(key, value)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


# Rasa's SQLTrackerStore creates its table on start; two replicas starting together would race
_CREATE_TRACKER_TABLES = (
    "import os; from rasa.core.tracker_store import SQLTrackerStore as S; "
    "e = os.environ; S(dialect='postgresql', host=e['ASSISTANT_TRACKER_DB_HOST'], "
    "port=e['ASSISTANT_TRACKER_DB_PORT'], db=e['ASSISTANT_TRACKER_DB_NAME'], "
    "username=e['ASSISTANT_TRACKER_DB_USER'], password=e['ASSISTANT_TRACKER_DB_PASSWORD'])"
)


class Cluster:
    """Start, inspect, kill and stop the children of one cluster."""

    def __init__(self, plan: ClusterPlan) -> None:
        self.plan = plan
        self.log_dir = plan.work_dir / "logs"
        self.children: dict[str, Child] = {}

    def preflight(self) -> None:
        """Check nginx and the three stores; create the PostgreSQL database if missing."""
        plan = self.plan
        if not Path(plan.nginx).is_file():
            raise ClusterError(
                f"nginx not found at {plan.nginx} (ASSISTANT_NGINX): run 'make setup' as root "
                "(installs Debian's nginx-light and libnginx-mod-http-js)"
            )
        if not JS_MODULE.is_file():
            raise ClusterError(f"nginx's njs module {JS_MODULE} is missing: run 'make setup'")
        check_postgres(plan.db_url)
        check_redis(plan.redis_url)
        check_rabbitmq(plan.rabbitmq_url, plan.rabbitmq_queue)

    def _env(self) -> dict[str, str]:
        plan = self.plan
        return {
            **os.environ,
            **_stores_env(plan),
            "PYTHONPATH": str(REPO_ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "ASSISTANT_ACTIONS_URL": plan.actions_url,
            "ASSISTANT_RASA_URL": plan.rasa_url,
            "ASSISTANT_ACTIONS_TOKEN": plan.actions_token,
            "ASSISTANT_RASA_API_TOKEN": plan.api_token,
            **plan.extra_env,
        }

    def _plan_children(self) -> None:
        plan, env = self.plan, self._env()
        self.log_dir.mkdir(parents=True, exist_ok=True)

        def child(name: str, cmd: list[str], ready: str | None) -> None:
            self.children[name] = Child(name, cmd, env, ready, self.log_dir / f"{name}.log")

        for i in range(plan.action_servers):
            port = plan.action_port(i)
            child(
                f"actions-{i + 1}",
                [plan.svc_python, "-m", "actions", "--port", str(port)],
                f"http://127.0.0.1:{port}/health",
            )
        for i in range(plan.rasa_replicas):
            port = plan.replica_port(i)
            child(
                f"rasa-{i + 1}",
                [
                    plan.rasa_python,
                    "-m",
                    "assistant.serve",
                    "--model",
                    plan.model,
                    "--port",
                    str(port),
                    "--interface",
                    "127.0.0.1",
                    "--credentials",
                    str(REPO_ROOT / "credentials.yml"),
                    "--endpoints",
                    str(DEPLOY / "endpoints.cluster.yml"),
                ],
                f"http://127.0.0.1:{port}/webhooks/rest/",
            )
        conf = render_nginx(plan)
        child(
            "nginx",
            [
                plan.nginx,
                "-p",
                str(conf.parent),
                "-c",
                str(conf),
                "-e",
                str(conf.parent / "error.log"),
            ],
            f"{plan.rasa_url}/webhooks/rest/",
        )
        if plan.web_port is not None:
            child(
                "web",
                [plan.svc_python, "-m", "channels.app"],
                f"http://127.0.0.1:{plan.web_port}/health",
            )
        if plan.with_simulator:
            child("ioc-simulator", [plan.svc_python, "-m", "tools.iocdemo.simulator"], None)

    def start(self, *, timeout_s: float = 600.0) -> None:
        """Start every child (servers in parallel) and wait until each one answers."""
        self._plan_children()
        deadline = time.monotonic() + timeout_s
        schema = subprocess.run(
            [self.plan.rasa_python, "-c", _CREATE_TRACKER_TABLES],
            env=self._env(),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if schema.returncode != 0:
            raise ClusterError(f"cannot create Rasa's tracker tables:\n{schema.stderr[-2000:]}")
        servers = [c for c in self.children.values() if c.name.split("-")[0] in ("actions", "rasa")]
        for item in servers:
            item.start()
        for item in servers:
            item.wait_ready(deadline)
        for item in self.children.values():
            if item.proc is None:
                item.start()
                item.wait_ready(deadline)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to one child (a fault test) and wait for it to end."""
        child = self.children[name]
        child.signal(sig)
        if child.proc is not None:
            child.proc.wait(timeout=30)

    def restart(self, name: str, *, timeout_s: float = 300.0) -> None:
        """Start one (killed) child again and wait until it answers."""
        child = self.children[name]
        child.start()
        child.wait_ready(time.monotonic() + timeout_s)

    def dead(self) -> list[str]:
        """Children that have exited."""
        return [c.name for c in self.children.values() if c.proc is not None and not c.running]

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM every child (front first), then SIGKILL what is left after ``timeout_s``."""
        order = list(reversed(self.children.values()))
        for child in order:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in order:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()


# --- a throw-away cluster (fault tests, load benchmark) ----------------------------------------

EPHEMERAL_PG = "postgresql://postgres@127.0.0.1:5432"
EPHEMERAL_REDIS = "redis://127.0.0.1:6379/13"
EPHEMERAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _free_block(size: int) -> int:
    """A base port with ``size`` free loopback ports above it."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1]) // 100 * 100
        if base + size >= 65000:
            continue
        try:
            for port in range(base + 1, base + size + 1):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise ClusterError("no free block of loopback ports")


def ephemeral_plan(
    work_dir: Path,
    *,
    model: str,
    rasa_python: str,
    svc_python: str,
    extra_env: Mapping[str, str],
    replicas: int = 2,
    action_servers: int = 2,
) -> ClusterPlan:
    """A cluster on free loopback ports with its own PostgreSQL database and RabbitMQ queue
    (both named ``*_<run>``; :func:`drop_ephemeral` removes them)."""
    run = uuid.uuid4().hex[:8]
    base = _free_block(100)
    return ClusterPlan(
        db_url=f"{EPHEMERAL_PG}/trolyao_test_{run}",
        redis_url=EPHEMERAL_REDIS,
        rabbitmq_url=EPHEMERAL_AMQP,
        rabbitmq_queue=f"test_events_{run}",
        rasa_replicas=replicas,
        action_servers=action_servers,
        port_base=base,
        rasa_port=base + 98,
        actions_port=base + 99,
        web_port=None,
        nginx="/usr/sbin/nginx",
        work_dir=work_dir,
        model=model,
        rasa_python=rasa_python,
        svc_python=svc_python,
        with_simulator=False,
        extra_env=dict(extra_env),
        api_token=secrets.token_urlsafe(24),  # the tests read trackers through the API
    )


def drop_ephemeral(plan: ClusterPlan) -> None:
    """Drop the plan's PostgreSQL database and delete its RabbitMQ queue."""
    import pika
    import psycopg
    from psycopg import sql

    parsed = make_url(plan.db_url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, dbname="postgres",
        autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parsed.database or "")
            )
        )
    connection = pika.BlockingConnection(pika.URLParameters(plan.rabbitmq_url))
    try:
        connection.channel().queue_delete(queue=plan.rabbitmq_queue)
    finally:
        connection.close()
