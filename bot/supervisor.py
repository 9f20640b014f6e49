"""``pqrbot run``: start the action server, the Rasa server and the worker; stop them together.

Writes the effective run-time files under the data folder (endpoints and the credentials of the
channels whose secrets are set), trains the model if its inputs changed, and then watches the
children: Ctrl-C or SIGTERM stops all of them cleanly; any child dying stops the rest.
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings
from bot.model import MODEL_PATH, ensure_model
from bot.perf import profiles

STOP_GRACE_SECONDS = 20
# Rasa's SQL tracker store, reading each conversation once per process (bot/perf/tracker_store.py);
# same table and rows as Rasa's "SQL" type.
TRACKER_STORE_TYPE = "bot.perf.tracker_store.WindowedSQLTrackerStore"


def tracker_store_config(settings: Settings) -> Dict[str, object]:
    """Rasa's SQL tracker store on the same database server as the CRM adapter."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": str(Path(settings.data_dir) / "tracker.db")}
    config: Dict[str, object] = {"type": TRACKER_STORE_TYPE, "dialect": "postgresql", "url": url.host or "localhost",
                                 "db": url.database}
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def lock_store_config(settings: Settings) -> Optional[Dict[str, object]]:
    """Rasa's Redis lock store, needed as soon as more than one Rasa worker or replica runs."""
    if not settings.lock_store_url:
        return None
    url = make_url(settings.lock_store_url)
    config: Dict[str, object] = {"type": "redis", "url": url.host or "localhost", "port": url.port or 6379,
                                 "db": int(url.database or 0), "key_prefix": "pqrbot"}
    if url.password:
        config["password"] = url.password
    return config


def channel_credentials(settings: Settings) -> Dict[str, Optional[dict]]:
    creds: Dict[str, Optional[dict]] = {"bot.channels.rest.ChatRestInput": None,
                                        "bot.channels.rest.WebChatInput": None}
    if importlib.util.find_spec("bot.channels.registry"):
        from bot.channels.registry import enabled_channels

        creds.update(enabled_channels(settings))
    return creds


def write_runtime_files(settings: Settings) -> Tuple[Path, Path]:
    run_dir = Path(settings.data_dir) / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = {
        "action_endpoint": {"url": settings.action_endpoint},
        "tracker_store": tracker_store_config(settings),
    }
    lock_store = lock_store_config(settings) or profiles.local_lock_store_config(settings)
    if lock_store:
        endpoints["lock_store"] = lock_store
    endpoints_path = run_dir / "endpoints.yml"
    endpoints_path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    credentials_path = run_dir / "credentials.yml"
    credentials_path.write_text(yaml.safe_dump(channel_credentials(settings), sort_keys=False))
    os.chmod(credentials_path, 0o600)
    return endpoints_path, credentials_path


def _wait_http(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except Exception:
            time.sleep(1)
    return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if the supervisor dies, even by SIGKILL (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Supervisor:
    def __init__(self) -> None:
        self.children: List[Tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def start(self, name: str, cmd: List[str], env: Dict[str, str]) -> subprocess.Popen:
        print(f"pqrbot: starting {name}", flush=True)
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self.children.append((name, proc))
        return proc

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        print("pqrbot: stopping...", flush=True)
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"pqrbot: {name} did not stop in time, killing it", flush=True)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()

    def watch(self) -> int:
        while not self.stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    print(f"pqrbot: {name} exited with code {proc.returncode}; stopping the rest", flush=True)
                    self.stop()
                    return 1
            time.sleep(0.5)
        return 0


def run(settings: Settings, skip_train: bool = False) -> int:
    try:
        profiles.check(settings)  # PQRBOT_PROFILE: bot/perf/profiles.py
    except profiles.ProfileError as exc:
        print(f"pqrbot: {exc}", file=sys.stderr)
        return 2
    model = MODEL_PATH if skip_train and MODEL_PATH.exists() else ensure_model()
    endpoints, credentials = write_runtime_files(settings)
    token = settings.rasa_api_token or secrets.token_urlsafe(24)
    env = settings.child_env()
    env["PQRBOT_RASA_API_TOKEN"] = token
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env = profiles.child_env(settings, env)  # workers per profile, shared metrics folder
    py = sys.executable

    sup = Supervisor()
    signal.signal(signal.SIGINT, sup.stop)
    signal.signal(signal.SIGTERM, sup.stop)
    actions = sup.start("action server", [py, "-m", "bot.perf.actions_main", "--actions", "actions",
                                          "--port", str(settings.actions_port)], env)
    if not _wait_http(f"http://{settings.host}:{settings.actions_port}/health", actions, 120):
        sup.stop()
        print("pqrbot: the action server did not start", file=sys.stderr)
        return 1
    rasa = sup.start("Rasa server", [
        py, "-m", "bot.perf.rasa_main", "run", "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", str(credentials), "-i", settings.host, "--port", str(settings.rasa_port),
        "--enable-api", "--auth-token", token, "--cors", "*",
    ], env)
    if importlib.util.find_spec("bot.followups.worker"):
        sup.start("follow-up worker", [py, "-m", "bot.cli", "worker"], env)
    try:
        extra = profiles.extra_children(settings, channel_credentials(settings), py)
    except profiles.ProfileError as exc:
        print(f"pqrbot: {exc}", file=sys.stderr)
        sup.stop()
        return 2
    started = [(child, sup.start(child.name, child.cmd, env)) for child in extra]
    base = f"http://{settings.host}:{settings.rasa_port}"
    if _wait_http(base + "/", rasa, 300):
        for child, proc in started:
            if child.health_url and not _wait_http(child.health_url, proc, 60):
                print(f"pqrbot: {child.name} does not answer at {child.health_url}", file=sys.stderr)
        print(f"pqrbot: ready. REST channel: {base}/webhooks/rest/webhook  web chat: {base}/webhooks/webchat/",
              flush=True)
    elif not sup.stopping:
        print("pqrbot: the Rasa server did not come up", file=sys.stderr)
        sup.stop()
        return 1
    return sup.watch()
