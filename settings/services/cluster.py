"""``make run-cluster``: the production topology on one machine (PostgreSQL, Redis, RabbitMQ)."""

from __future__ import annotations

from settings.services._base import Group, var

__all__ = ["ClusterSettings"]


class ClusterSettings(Group):
    db_url: str = var(
        "postgresql://postgres@127.0.0.1:5432/trolyao",
        "ASSISTANT_CLUSTER_DB_URL",
        "PostgreSQL of `make run-cluster`: Rasa's tracker store and the services' state "
        "(the database is created if missing)",
    )
    redis_url: str = var(
        "redis://127.0.0.1:6379/0",
        "ASSISTANT_CLUSTER_REDIS_URL",
        "Redis of `make run-cluster`: Rasa's lock store and the services' shared state",
    )
    # RabbitMQ: ASSISTANT_RABBITMQ_URL / ASSISTANT_RABBITMQ_QUEUE of the analytics group (the
    # broker Rasa publishes to is the one the analytics consumer reads)
    rasa_replicas: int = var(
        2, "ASSISTANT_CLUSTER_RASA_REPLICAS", "Rasa servers behind nginx", ge=1, le=16
    )
    action_servers: int = var(
        2, "ASSISTANT_CLUSTER_ACTION_SERVERS", "action servers behind nginx", ge=1, le=16
    )
    port_base: int = var(
        5100,
        "ASSISTANT_CLUSTER_PORT_BASE",
        "replicas listen on loopback ports base+1…, action servers on base+51…; nginx takes "
        "the public Rasa and actions ports (ASSISTANT_RASA_URL, ASSISTANT_ACTIONS_PORT)",
        ge=1024,
        le=65000,
    )
    nginx: str = var("/usr/sbin/nginx", "ASSISTANT_NGINX", "nginx binary (Debian package nginx)")
