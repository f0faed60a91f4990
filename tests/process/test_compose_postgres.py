"""docker-compose.postgres.yml, checked by reading it (no engine here): PostgreSQL 16 and two
replicas on one database, each with its own outbox worker id, and no secret in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from storage.url import parse_database

COMPOSE = Path(__file__).parents[2] / "docker-compose.postgres.yml"


def test_two_replicas_share_postgresql_16() -> None:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    replicas = [services[name] for name in ("mentorbot-1", "mentorbot-2")]
    urls = {replica["environment"]["MENTORBOT_DB"] for replica in replicas}
    assert len(urls) == 1
    target = parse_database(urls.pop())
    assert (target.engine, target.url.host, target.url.password) == ("postgresql", "postgres", None)
    workers = {replica["environment"]["MENTORBOT_WORKER_ID"] for replica in replicas}
    assert workers == {"mentorbot-1", "mentorbot-2"}
    for replica in replicas:
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["environment"]["MENTORBOT_DB_PASSWORD"].startswith("${POSTGRES_PASSWORD")
        assert replica["env_file"] == ".env"
