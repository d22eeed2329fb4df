"""``make run-cluster``: the production topology on loopback; Ctrl-C or SIGTERM stops it all."""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

from settings.services import read_environment, settings_or_exit
from tools.cluster import Cluster, ClusterError, plan_from_settings


def _interrupt(_sig: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Check the stores, start every part, print where to talk to the bot, wait."""
    settings = settings_or_exit()
    env = read_environment()
    missing = [
        n
        for n in ("ASSISTANT_MODEL", "ASSISTANT_RASA_PYTHON", "ASSISTANT_SVC_PYTHON")
        if n not in env
    ]
    if missing:
        print(f"error: {', '.join(missing)} not set: run 'make run-cluster'", file=sys.stderr)
        return 2
    cluster = Cluster(plan_from_settings(settings, env, settings.paths.var_dir / "cluster"))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cluster.preflight()
        print(f">> starting the cluster (logs in {cluster.log_dir})", flush=True)
        cluster.start()
        plan = cluster.plan
        print(
            "\n== Trợ lý ảo IOC (cluster) is running ==\n"
            f"  web chat:   http://127.0.0.1:{plan.web_port}/\n"
            f"  Rasa (nginx, {plan.rasa_replicas} replicas): {plan.rasa_url}\n"
            f"  actions (nginx, {plan.action_servers} servers): {plan.actions_url}\n"
            f"  tracker store: {plan.db_url.split('@')[-1]} · lock store: "
            f"{plan.redis_url.split('@')[-1]} · events: {plan.rabbitmq_url.split('@')[-1]} "
            f"queue {plan.rabbitmq_queue}\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while not (dead := cluster.dead()):
            time.sleep(1)
        print(f">> {', '.join(dead)} exited; stopping (see {cluster.log_dir})", flush=True)
        return 1
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n>> stopping", flush=True)
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
