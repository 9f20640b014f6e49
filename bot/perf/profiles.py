"""Run profiles of ``pqrbot run``: which processes, how many workers, which stores.

``PQRBOT_PROFILE=embedded`` (default): one Rasa worker per core (at most 2; Rasa's conversation
locks in a SQLite file), the actions run inside the Rasa process (``PQRBOT_ACTIONS=in-process``,
``bot/perf/inprocess_actions.py``; ``PQRBOT_ACTIONS=server`` starts the action server instead),
SQLite unless ``PQRBOT_DATABASE_URL`` says otherwise; the ingress process when a provider channel
is enabled.

``PQRBOT_PROFILE=production``: PostgreSQL for the CRM and Rasa's tracker (``PQRBOT_DATABASE_URL``),
Redis for Rasa's conversation locks (``PQRBOT_LOCK_STORE_URL``), ``PQRBOT_RASA_WORKERS`` Rasa Sanic
workers (default 2: one per core here), ``PQRBOT_ACTION_SERVERS`` action-server Sanic workers
(default 2), the ingress process always, and HAProxy (Debian's ``haproxy``, installed by
``make run`` for this profile) as the single front door on ``PQRBOT_BALANCER_PORT`` (default 8080):
``/webhooks/<whatsapp|meta|twitter|telegram>/`` to the ingress, everything else to Rasa.

Every process started exposes ``/healthz``, ``/readyz`` and ``/metrics`` (HAProxy: its stats
page ``/haproxy/stats``, and it forwards ``/healthz``).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from sqlalchemy.engine import make_url

PROFILES = ("embedded", "production")
DEFAULT_BALANCER_PORT = 8080
PROVIDER_CHANNELS = ("whatsapp", "meta", "twitter", "telegram")


class ProfileError(ValueError):
    """The settings do not fit the chosen profile (message says what to set)."""


@dataclass
class ChildSpec:
    """One process ``pqrbot run`` keeps alive (bot/supervisor.py starts and restarts them)."""

    name: str
    cmd: List[str]
    ready_url: Optional[str] = None  # polled before the next child starts (None: start the next at once)
    ready_timeout: float = 120.0
    env: Dict[str, str] = field(default_factory=dict)  # added to the common environment


ACTIONS_MODES = ("in-process", "server")
IN_PROCESS_URL = "in-process:actions"  # the action endpoint's url that bot/perf/inprocess_actions.py serves


def rasa_workers(settings) -> int:
    if settings.rasa_workers:
        return settings.rasa_workers
    if settings.profile == "production":
        return 2
    return max(1, min(2, os.cpu_count() or 1))


def actions_in_process(settings) -> bool:
    """Whether Rasa runs the actions itself (no action-server process)."""
    if settings.actions:
        return settings.actions == "in-process"
    return settings.profile != "production"


def action_workers(settings) -> int:
    if settings.action_servers:
        return settings.action_servers
    return 2 if settings.profile == "production" else 1


def balancer_port(settings) -> int:
    return settings.balancer_port or DEFAULT_BALANCER_PORT


def check(settings) -> None:
    """Refuse a set-up that cannot work, with the variable to set."""
    if settings.profile not in PROFILES:
        raise ProfileError(f"PQRBOT_PROFILE must be one of {', '.join(PROFILES)} (got {settings.profile!r})")
    if settings.actions and settings.actions not in ACTIONS_MODES:
        raise ProfileError(f"PQRBOT_ACTIONS must be one of {', '.join(ACTIONS_MODES)} (got {settings.actions!r})")
    if settings.profile == "production":
        if make_url(settings.database_url).get_backend_name() != "postgresql":
            raise ProfileError("the production profile needs PostgreSQL: set PQRBOT_DATABASE_URL=postgresql://...")
        if not settings.lock_store_url:
            raise ProfileError("the production profile needs Redis for Rasa's locks: set PQRBOT_LOCK_STORE_URL")


def local_lock_store_config(settings) -> Optional[Dict[str, object]]:
    """Several Rasa workers without Redis (embedded, one host): Rasa's ticket locks in a SQLite file."""
    if settings.lock_store_url or rasa_workers(settings) <= 1:
        return None
    return {"type": "bot.perf.lock_store.SqliteLockStore", "path": str(Path(settings.data_dir) / "run" / "locks.db")}


def has_provider_channels(credentials: Mapping[str, object]) -> bool:
    return any(not key.startswith("bot.channels.rest.") for key in credentials)


def child_env(settings, env: Dict[str, str]) -> Dict[str, str]:
    """Worker counts and the shared metrics folder for the children."""
    env = dict(env)
    env["SANIC_WORKERS"] = str(rasa_workers(settings))
    env["ACTION_SERVER_SANIC_WORKERS"] = str(action_workers(settings))
    metrics_dir = Path(settings.data_dir) / "run" / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return env


def haproxy_config(settings) -> str:
    host = settings.host
    channels = " ".join(f"/webhooks/{c}/" for c in PROVIDER_CHANNELS)
    return f"""# written by pqrbot run (production profile); do not edit
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 180s
    option forwardfor
frontend pqrbot
    bind {host}:{balancer_port(settings)}
    acl provider_webhook path_beg {channels}
    use_backend ingress if provider_webhook
    stats enable
    stats uri /haproxy/stats
    default_backend rasa
backend ingress
    option httpchk GET /readyz
    server ingress1 127.0.0.1:{settings.ingress_port} check
backend rasa
    option httpchk GET /healthz
    server rasa1 127.0.0.1:{settings.rasa_port} check
"""


def extra_children(settings, credentials: Mapping[str, object], py: str = sys.executable) -> List[ChildSpec]:
    """Processes beyond the action server, Rasa and the worker."""
    children: List[ChildSpec] = []
    host = settings.host
    if settings.profile == "production" or has_provider_channels(credentials):
        children.append(
            ChildSpec(
                "ingress",
                [py, "-m", "bot.ingress"],
                ready_url=f"http://{host}:{settings.ingress_port}/healthz",
                ready_timeout=60,
            )
        )
    if settings.profile == "production":
        haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
        if haproxy is None:
            raise ProfileError(
                "the production profile uses HAProxy: install Debian's haproxy "
                "(make run does it: apt-get install haproxy)"
            )
        cfg = Path(settings.data_dir) / "run" / "haproxy.cfg"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(haproxy_config(settings))
        children.append(
            ChildSpec(
                "load balancer (HAProxy)",
                [haproxy, "-W", "-db", "-f", str(cfg)],
                ready_url=f"http://{host}:{balancer_port(settings)}/healthz",
                ready_timeout=60,
            )
        )
    return children
