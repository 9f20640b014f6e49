"""The one place that reads the environment.

Every setting of pqrbot comes from an environment variable read here; nothing else in the
code base calls ``os.environ``. ``.env.example`` documents each variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from core.clock import parse_duration

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _optional_duration(text: Optional[str]) -> Optional[float]:
    """A retention period ("180d"); empty or "0" means keep forever."""
    if not text or not text.strip():
        return None
    seconds = parse_duration(text)
    return seconds if seconds else None


def _flag(value: Optional[str], default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def _reachable(host: str) -> str:
    """The address to call a server listening on ``host`` from this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _secret_file(path: Optional[str]) -> Optional[str]:
    """A secret kept in a file readable by its owner only (mode 0600), e.g. a mounted secret."""
    if not path:
        return None
    file = Path(path)
    if file.stat().st_mode & 0o077:
        raise SystemExit(f"pqrbot: {path} must be readable by its owner only (chmod 600)")
    return file.read_text(encoding="utf-8").strip() or None


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
    # hardening (issue 8)
    actions_host: str = "127.0.0.1"
    action_server_token: Optional[str] = None
    max_body_bytes: int = 1_000_000
    max_message_chars: int = 2000
    rate_limit_sender: int = 30
    rate_limit_ip: int = 300
    rate_limit_window_seconds: float = 60.0
    webchat_secret: Optional[str] = None
    retention_dedup_seconds: float = 7 * 86400.0
    filing_timeout_seconds: float = 15.0
    restart_backoff_max_seconds: float = 60.0

    # Daily export of the PQRs to the office managers (bot/exports) and data retention.
    export_recipients: Optional[str] = None  # comma separated
    export_from: Optional[str] = None
    smtp_url: Optional[str] = None
    export_at: str = "06:00"  # America/Bogota
    retention_transcripts_seconds: Optional[float] = None  # None: kept
    retention_deliveries_seconds: Optional[float] = None

    console_port: int = 5080
    attention_hours: str = "mon-fri 07:00-19:00, sat 08:00-12:00"
    handoff_expected_wait_seconds: float = 600.0
    handoff_timeout_seconds: float = 900.0

    # Performance and scale-out (bot/perf/profiles.py, README "Production profile")
    profile: str = "embedded"
    ingress_port: int = 5006
    rasa_workers: int = 1
    action_servers: int = 1
    actions: str = ""  # "in-process" or "server"; "" = the profile's default
    model_watch_seconds: float = 2.0  # each Rasa worker reloads an activated model (0: off)
    gil_switch_ms: float = 1.0  # Rasa processes: how long a thread holds the GIL before handing over
    gc_freeze: bool = True  # Rasa workers: the loaded model out of the garbage collector's walks
    states_cache: bool = True  # Rasa workers: dialogue states replayed once per event (bot/perf/tracker_states.py)
    parse_cache: bool = True  # Rasa workers: NLU of short repeated answers once per model (bot/perf/parse_cache.py)
    turns_per_worker: int = 2  # customer turns a Rasa worker runs at once, the rest wait in order (0: all)
    balancer_port: Optional[int] = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def child_env(self) -> dict:
        """The environment for the processes pqrbot starts (Rasa telemetry off unless enabled)."""
        env = dict(self.env)
        env["RASA_TELEMETRY_ENABLED"] = "true" if self.rasa_telemetry else "false"
        return env

    @property
    def outbox_path(self) -> Path:
        """Local SQLite file of confirmed reclamos waiting for the CRM (never on the CRM database)."""
        return Path(self.data_dir) / "outbox.db"

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
    actions_host = env.get("PQRBOT_ACTIONS_HOST") or "127.0.0.1"
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        host=host,
        rasa_port=int(env.get("PQRBOT_RASA_PORT", "5005")),
        actions_port=actions_port,
        action_endpoint=env.get("PQRBOT_ACTION_ENDPOINT")
        or f"http://{_reachable(actions_host)}:{actions_port}/webhook",
        privacy_policy_version=env.get("PQRBOT_PRIVACY_POLICY_VERSION", "2026-01"),
        privacy_policy_url=env.get("PQRBOT_PRIVACY_POLICY_URL", "https://www.epm.com.co/proteccion-de-datos"),
        followup_after_seconds=parse_duration(env.get("PQRBOT_FOLLOWUP_AFTER") or "1d"),
        rasa_api_token=env.get("PQRBOT_RASA_API_TOKEN") or _secret_file(env.get("PQRBOT_RASA_API_TOKEN_FILE")),
        lock_store_url=env.get("PQRBOT_LOCK_STORE_URL") or None,
        rasa_telemetry=_flag(env.get("RASA_TELEMETRY_ENABLED"), False),
        public_url=(env.get("PQRBOT_PUBLIC_URL") or None),
        actions_host=actions_host,
        action_server_token=env.get("PQRBOT_ACTION_SERVER_TOKEN") or None,
        max_body_bytes=int(env.get("PQRBOT_MAX_BODY_BYTES") or 1_000_000),
        max_message_chars=int(env.get("PQRBOT_MAX_MESSAGE_CHARS") or 2000),
        rate_limit_sender=int(env.get("PQRBOT_RATE_LIMIT_SENDER") or 30),
        rate_limit_ip=int(env.get("PQRBOT_RATE_LIMIT_IP") or 300),
        rate_limit_window_seconds=parse_duration(env.get("PQRBOT_RATE_LIMIT_WINDOW") or "60"),
        webchat_secret=env.get("PQRBOT_WEBCHAT_SECRET") or None,
        retention_dedup_seconds=parse_duration(env.get("PQRBOT_RETENTION_DEDUP") or "7d"),
        filing_timeout_seconds=parse_duration(env.get("PQRBOT_FILING_TIMEOUT") or "15"),
        restart_backoff_max_seconds=parse_duration(env.get("PQRBOT_RESTART_BACKOFF_MAX") or "60"),
        export_recipients=env.get("PQRBOT_EXPORT_RECIPIENTS") or None,
        export_from=env.get("PQRBOT_EXPORT_FROM") or None,
        smtp_url=env.get("PQRBOT_SMTP_URL") or None,
        export_at=env.get("PQRBOT_EXPORT_AT") or "06:00",
        retention_transcripts_seconds=_optional_duration(env.get("PQRBOT_RETENTION_TRANSCRIPTS")),
        retention_deliveries_seconds=_optional_duration(env.get("PQRBOT_RETENTION_DELIVERIES")),
        console_port=int(env.get("PQRBOT_CONSOLE_PORT") or "5080"),
        attention_hours=env.get("PQRBOT_ATTENTION_HOURS") or "mon-fri 07:00-19:00, sat 08:00-12:00",
        handoff_expected_wait_seconds=parse_duration(env.get("PQRBOT_HANDOFF_EXPECTED_WAIT") or "10m"),
        handoff_timeout_seconds=parse_duration(env.get("PQRBOT_HANDOFF_TIMEOUT") or "15m"),
        profile=(env.get("PQRBOT_PROFILE") or "embedded").strip().lower(),
        ingress_port=int(env.get("PQRBOT_INGRESS_PORT") or 5006),
        rasa_workers=int(env.get("PQRBOT_RASA_WORKERS") or 0),
        action_servers=int(env.get("PQRBOT_ACTION_SERVERS") or 0),
        actions=(env.get("PQRBOT_ACTIONS") or "").strip().lower(),
        model_watch_seconds=parse_duration(env.get("PQRBOT_MODEL_WATCH_SECONDS") or "2"),
        gil_switch_ms=float(env.get("PQRBOT_GIL_SWITCH_MS") or "1"),
        turns_per_worker=int(env.get("PQRBOT_TURNS_PER_WORKER") or "2"),
        gc_freeze=_flag(env.get("PQRBOT_GC_FREEZE"), True),
        states_cache=_flag(env.get("PQRBOT_STATES_CACHE"), True),
        parse_cache=_flag(env.get("PQRBOT_PARSE_CACHE"), True),
        balancer_port=int(env["PQRBOT_BALANCER_PORT"]) if env.get("PQRBOT_BALANCER_PORT") else None,
        env=env,
    )
