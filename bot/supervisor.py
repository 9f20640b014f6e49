"""``pqrbot run``: start the action server, the Rasa server and the worker; stop them together.

Writes the effective run-time files under the data folder (endpoints and the credentials of the
channels whose secrets are set; mode 0600), trains the model if its inputs changed, and then
watches the children: Ctrl-C or SIGTERM stops all of them cleanly; a child that dies is started
again after a backoff (1 s, 2 s, 4 s... up to PQRBOT_RESTART_BACKOFF_MAX; logged), the others go on.

The children are a table of ``ChildSpec`` (``child_specs``): add a process there. No secret goes
on a command line: the Rasa API token and the action server token go by environment.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings
from bot.model import MODEL_PATH, ensure_model
from bot.perf import profiles
from bot.perf.profiles import ChildSpec

STOP_GRACE_SECONDS = 20
# Rasa's SQL tracker store, reading each conversation once per process (bot/perf/tracker_store.py);
# same table and rows as Rasa's "SQL" type.
TRACKER_STORE_TYPE = "bot.perf.tracker_store.WindowedSQLTrackerStore"


class UnsupportedDatabase(SystemExit):
    pass


def tracker_store_config(settings: Settings) -> Dict[str, object]:
    """Rasa's SQL tracker store on the same database server as the CRM adapter.

    The URL's query (``sslmode``, ``host=/run/postgresql`` for a socket...) is kept; a database
    that is neither PostgreSQL nor SQLite is refused with a clear message.
    """
    url = make_url(settings.database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": str(Path(settings.data_dir) / "tracker.db")}
    if backend != "postgresql":
        raise UnsupportedDatabase(
            f"pqrbot: PQRBOT_DATABASE_URL must be a PostgreSQL (postgresql://...) or SQLite (sqlite:///...) "
            f"URL; {backend!r} is not supported"
        )
    config: Dict[str, object] = {"type": TRACKER_STORE_TYPE, "dialect": url.drivername, "db": url.database}
    if url.host:
        config["url"] = url.host
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    if url.query:
        config["query"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in url.query.items()}
    return config


def lock_store_config(settings: Settings) -> Optional[Dict[str, object]]:
    """Rasa's Redis lock store, needed as soon as more than one Rasa worker or replica runs."""
    if not settings.lock_store_url:
        return None
    url = make_url(settings.lock_store_url)
    config: Dict[str, object] = {
        "type": "redis",
        "url": url.host or "localhost",
        "port": url.port or 6379,
        "db": int(url.database or 0),
        "key_prefix": "pqrbot",
    }
    if url.password:
        config["password"] = url.password
    return config


def channel_credentials(settings: Settings) -> Dict[str, Optional[dict]]:
    creds: Dict[str, Optional[dict]] = {"bot.channels.rest.ChatRestInput": None, "bot.channels.rest.WebChatInput": None}
    from bot.channels.enabled import enabled_channels

    creds.update(enabled_channels(settings))
    return creds


def _write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (it may hold passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)


def _private_sqlite(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def write_runtime_files(settings: Settings) -> Tuple[Path, Path]:
    run_dir = Path(settings.data_dir) / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(run_dir, 0o700)
    action_endpoint: Dict[str, object] = {"url": settings.action_endpoint}
    if profiles.actions_in_process(settings):
        action_endpoint = {"url": profiles.IN_PROCESS_URL}  # bot/perf/inprocess_actions.py
    elif settings.action_server_token:
        # Rasa expands ${...} from its environment: the file holds no token.
        action_endpoint["token"] = "${PQRBOT_ACTION_SERVER_TOKEN}"
    tracker_store = tracker_store_config(settings)
    if tracker_store.get("dialect") == "sqlite":
        _private_sqlite(Path(str(tracker_store["db"])))
    endpoints = {"action_endpoint": action_endpoint, "tracker_store": tracker_store}
    endpoints["event_broker"] = {"type": "bot.events.broker.PqrEventBroker"}  # conversations for the console
    lock_store = lock_store_config(settings) or profiles.local_lock_store_config(settings)
    if lock_store:
        endpoints["lock_store"] = lock_store
    endpoints_path = run_dir / "endpoints.yml"
    _write_private(endpoints_path, yaml.safe_dump(endpoints, sort_keys=False))
    credentials_path = run_dir / "credentials.yml"
    _write_private(credentials_path, yaml.safe_dump(channel_credentials(settings), sort_keys=False))
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


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if its parent dies, even by SIGKILL (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


@dataclass
class _Child:
    spec: ChildSpec
    proc: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: Optional[float] = None


class Supervisor:
    """Starts the children, restarts the one that dies (with backoff), stops them all on a signal."""

    STABLE_AFTER = 60.0  # a child that ran this long starts its backoff afresh

    def __init__(
        self, env: Optional[Dict[str, str]] = None, *, backoff_max: float = 60.0, clock=time.monotonic
    ) -> None:
        self.env = dict(env or os.environ)
        self.backoff_max = backoff_max
        self.clock = clock
        self.children: List[_Child] = []
        self.stopping = False

    def _spawn(self, child: _Child) -> subprocess.Popen:
        env = dict(self.env, **child.spec.env)
        child.proc = subprocess.Popen(
            child.spec.cmd,
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
        child.started_at = self.clock()
        child.restart_at = None
        return child.proc

    def start(self, spec: ChildSpec) -> subprocess.Popen:
        print(f"pqrbot: starting {spec.name}", flush=True)
        child = _Child(spec)
        self.children.append(child)
        return self._spawn(child)

    def backoff(self, failures: int) -> float:
        return min(self.backoff_max, 2.0 ** max(0, failures - 1))

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        print("pqrbot: stopping...", flush=True)
        procs = [(c.spec.name, c.proc) for c in self.children if c.proc is not None]
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"pqrbot: {name} did not stop in time, killing it", flush=True)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()

    def check(self) -> None:
        """One round: notice dead children, restart those whose backoff is over."""
        now = self.clock()
        for child in self.children:
            proc = child.proc
            if child.restart_at is None and proc is not None and proc.poll() is not None:
                if now - child.started_at >= self.STABLE_AFTER:
                    child.failures = 0
                child.failures += 1
                delay = self.backoff(child.failures)
                child.restart_at = now + delay
                print(
                    f"pqrbot: {child.spec.name} exited with code {proc.returncode}; "
                    f"restarting it in {delay:.0f} s (restart #{child.failures})",
                    flush=True,
                )
            elif child.restart_at is not None and now >= child.restart_at and not self.stopping:
                print(f"pqrbot: restarting {child.spec.name}", flush=True)
                try:
                    self._spawn(child)
                except OSError as exc:  # could not even start it: try again later
                    child.failures += 1
                    child.restart_at = now + self.backoff(child.failures)
                    print(
                        f"pqrbot: could not start {child.spec.name} ({exc}); next try in "
                        f"{child.restart_at - now:.0f} s",
                        flush=True,
                    )

    def watch(self) -> int:
        while not self.stopping:
            self.check()
            time.sleep(0.5)
        return 0


def child_specs(settings: Settings, model: Path, endpoints: Path, credentials: Path) -> List[ChildSpec]:
    """The processes of ``pqrbot run``, in start order."""
    py = sys.executable
    actions_host = settings.actions_host
    probe_host = "127.0.0.1" if actions_host in ("0.0.0.0", "::", "") else actions_host
    specs = []
    if not profiles.actions_in_process(settings):
        specs.append(
            ChildSpec(
                "action server",
                [py, "-m", "bot.action_server", "--actions", "actions"],
                ready_url=f"http://{probe_host}:{settings.actions_port}/health",
                ready_timeout=120,
            )
        )
    specs += [
        ChildSpec(
            "Rasa server",
            [
                py,
                "-m",
                "bot.rasa_server",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
                "-i",
                settings.host,
                "--port",
                str(settings.rasa_port),
                "--enable-api",
                "--cors",
                "*",
            ],
            env={"SANIC_REQUEST_MAX_SIZE": str(settings.max_body_bytes)},
        ),
    ]
    specs.append(ChildSpec("follow-up worker", [py, "-m", "bot.cli", "worker"]))
    specs.append(ChildSpec("agent console", [py, "-m", "bot.console"]))
    # the ingress (provider webhooks) and, in production, HAProxy in front: bot/perf/profiles.py
    return specs + profiles.extra_children(settings, channel_credentials(settings), py)


def child_environment(settings: Settings) -> Dict[str, str]:
    """The children's environment: the generated secrets go here, never on a command line."""
    env = settings.child_env()
    env["PQRBOT_RASA_API_TOKEN"] = settings.rasa_api_token or secrets.token_urlsafe(24)
    env["PQRBOT_ACTION_SERVER_TOKEN"] = settings.action_server_token or secrets.token_urlsafe(24)
    env["PQRBOT_WEBCHAT_SECRET"] = settings.webchat_secret or secrets.token_urlsafe(32)
    env.pop("PQRBOT_RASA_API_TOKEN_FILE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return profiles.child_env(settings, env)  # workers per profile, shared metrics folder


def run(settings: Settings, skip_train: bool = False) -> int:
    from bot.config import load_settings

    try:
        profiles.check(settings)  # PQRBOT_PROFILE: bot/perf/profiles.py
    except profiles.ProfileError as exc:
        print(f"pqrbot: {exc}", file=sys.stderr)
        return 2
    env = child_environment(settings)
    settings = load_settings(env)  # the generated tokens, as the children will see them
    try:
        endpoints, credentials = write_runtime_files(settings)
    except UnsupportedDatabase as exc:
        print(exc.code, file=sys.stderr)
        return 2
    model = MODEL_PATH if skip_train and MODEL_PATH.exists() else ensure_model()

    sup = Supervisor(env, backoff_max=settings.restart_backoff_max_seconds)
    signal.signal(signal.SIGINT, sup.stop)
    signal.signal(signal.SIGTERM, sup.stop)
    try:
        specs = child_specs(settings, model, endpoints, credentials)
    except profiles.ProfileError as exc:
        print(f"pqrbot: {exc}", file=sys.stderr)
        sup.stop()
        return 2
    for spec in specs:
        proc = sup.start(spec)
        if spec.ready_url and not _wait_http(spec.ready_url, proc, spec.ready_timeout):
            if not sup.stopping:
                sup.stop()
                print(f"pqrbot: the {spec.name} did not start", file=sys.stderr)
            return 1
    rasa = next(c.proc for c in sup.children if c.spec.name == "Rasa server" and c.proc is not None)
    base = f"http://{settings.host}:{settings.rasa_port}"
    if _wait_http(base + "/", rasa, 300):
        print(
            f"pqrbot: ready. REST channel: {base}/webhooks/rest/webhook  web chat: {base}/webhooks/webchat/", flush=True
        )
        print(f"pqrbot: agent console: http://{settings.host}:{settings.console_port}/", flush=True)
    elif not sup.stopping:
        print("pqrbot: the Rasa server did not come up", file=sys.stderr)
        sup.stop()
        return 1
    return sup.watch()
