"""The one place that reads the environment.

Every setting of pqrbot comes from an environment variable read here; nothing else in the
code base calls ``os.environ``. ``.env.example`` documents each variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _duration(text: str) -> float:
    """Parse a duration: plain seconds ("90"), or with a unit ("30s", "15m", "23h", "1d")."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def _flag(value: Optional[str], default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    action_endpoint: str = "http://127.0.0.1:5055/webhook"
    privacy_policy_version: str = "2026-01"
    privacy_policy_url: str = "https://www.epm.com.co/proteccion-de-datos"
    followup_after_seconds: float = 86400.0
    rasa_api_token: Optional[str] = None
    lock_store_url: Optional[str] = None
    rasa_telemetry: bool = False
    public_url: Optional[str] = None
    # Performance and scale-out (bot/perf/profiles.py, README "Production profile")
    profile: str = "embedded"
    ingress_port: int = 5006
    rasa_workers: int = 1
    action_servers: int = 1
    balancer_port: Optional[int] = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def child_env(self) -> dict:
        """The environment for the processes pqrbot starts (Rasa telemetry off unless enabled)."""
        env = dict(self.env)
        env["RASA_TELEMETRY_ENABLED"] = "true" if self.rasa_telemetry else "false"
        return env

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A raw variable, for channel credentials read by the channel that needs them."""
        value = self.env.get(name)
        return value if value not in (None, "") else default


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("PQRBOT_DATA_DIR") or PROJECT_ROOT / "var")
    database_url = env.get("PQRBOT_DATABASE_URL") or f"sqlite:///{data_dir / 'pqrbot.db'}"
    host = env.get("PQRBOT_HOST", "127.0.0.1")
    actions_port = int(env.get("PQRBOT_ACTIONS_PORT", "5055"))
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        host=host,
        rasa_port=int(env.get("PQRBOT_RASA_PORT", "5005")),
        actions_port=actions_port,
        action_endpoint=env.get("PQRBOT_ACTION_ENDPOINT", f"http://{host}:{actions_port}/webhook"),
        privacy_policy_version=env.get("PQRBOT_PRIVACY_POLICY_VERSION", "2026-01"),
        privacy_policy_url=env.get(
            "PQRBOT_PRIVACY_POLICY_URL", "https://www.epm.com.co/proteccion-de-datos"
        ),
        followup_after_seconds=_duration(env.get("PQRBOT_FOLLOWUP_AFTER", "1d")),
        rasa_api_token=env.get("PQRBOT_RASA_API_TOKEN") or None,
        lock_store_url=env.get("PQRBOT_LOCK_STORE_URL") or None,
        rasa_telemetry=_flag(env.get("RASA_TELEMETRY_ENABLED"), False),
        public_url=(env.get("PQRBOT_PUBLIC_URL") or None),
        profile=(env.get("PQRBOT_PROFILE") or "embedded").strip().lower(),
        ingress_port=int(env.get("PQRBOT_INGRESS_PORT") or 5006),
        rasa_workers=int(env.get("PQRBOT_RASA_WORKERS") or 0),
        action_servers=int(env.get("PQRBOT_ACTION_SERVERS") or 0),
        balancer_port=int(env["PQRBOT_BALANCER_PORT"]) if env.get("PQRBOT_BALANCER_PORT") else None,
        env=env,
    )
