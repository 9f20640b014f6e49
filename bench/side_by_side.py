"""Side-by-side benchmark: pqrbot against Rasa's own moodbot, same closed-loop load, one table.

    .venv/bin/python bench/side_by_side.py                      # moodbot + pqrbot, 1/10/50 customers
    .venv/bin/python bench/side_by_side.py --before /work/main  # + pqrbot of another checkout ("before")
    .venv/bin/python bench/side_by_side.py --smoke --no-moodbot # a quick check (what the test runs)

What it does, one system at a time (each measured alone on the machine):

1. moodbot: builds ``bench/.moodbot`` once (its own venv with Rasa 3.6.21 installed with
   ``-c constraints.txt``, ``rasa init --no-prompt``, trained once; see ``bench/moodbot.py``) and
   starts ``rasa run`` on a free port (REST channel, in-memory tracker, as ``rasa init`` makes it).
2. pqrbot: ``pqrbot run --skip-train`` of this tree (and of ``--before`` if given) on free ports,
   its own SQLite database in a temporary folder (or ``--env PQRBOT_PROFILE=production`` etc.),
   billing data with one fresh contract per conversation, WhatsApp configured against a local fake
   of Twilio's API.
3. Closed loop: each simulated customer sends its next message when the previous reply arrived.
   pqrbot customers play the full 8-message reclamo (consent, data, read-back, filing) with a
   fresh sender and contract each; moodbot customers play 5 messages. Levels: 1, 10, 50
   customers. Reported: messages/s, p50 and p95 per message, errors (HTTP errors, time-outs,
   empty replies), peak RSS of the system's processes (sum, and the largest one); for pqrbot every
   conversation's PQR must be in ``pqrbot crm pqrs --json``.
4. While the 50-customer load runs: signed WhatsApp deliveries (Twilio form posts with a valid
   ``X-Twilio-Signature``) at 4 per second; the time to the HTTP acknowledgement (p50, p99, max,
   failures) at the ingress (``PQRBOT_INGRESS_PORT`` when that process answers, else the Rasa port).
5. Cost per message with 10, 1,000 and 10,000 stored conversations: the tracker store is seeded
   directly (copies of a finished conversation's events under new sender ids), then one customer
   plays conversations alone; p50 per message.

Loopback only; every loop is bounded in count and time. Prints markdown tables; ``--json FILE``
also writes the figures.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import moodbot  # noqa: E402

PQR_SCRIPT = [
    "hola, me llego muy cara la factura de la luz, como 350 mil",
    "si",
    "Carlos Andres Restrepo",
    "cc 1017234567",
    "contrato {contrato}",
    "no tengo correo",
    "3001234567",
    "si",
]
MOOD_SCRIPT = ["hello", "I am very sad", "yes", "I am happy now", "bye"]
TWILIO_TOKEN = "bench-twilio-auth-token"
TWILIO_ACCOUNT = "AC" + "0" * 28 + "b3c0"
TWILIO_NUMBER = "whatsapp:+14155238886"
REQUEST_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


# ----------------------------------------------------------------------------- processes
def tree_rss_mb(root_pid: int) -> tuple:
    """(sum, largest) resident memory in MB of a process and all its descendants."""
    children: Dict[int, List[int]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    todo, rss = [root_pid], []
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return (sum(rss), max(rss) if rss else 0.0)


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_sum, self.peak_max = pid, 0.0, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            s, m = tree_rss_mb(self.pid)
            self.peak_sum, self.peak_max = max(self.peak_sum, s), max(self.peak_max, m)
            self._halt.wait(1.0)

    def stop(self) -> tuple:
        self._halt.set()
        self.join(5)
        return self.peak_sum, self.peak_max


def stop_group(proc: subprocess.Popen, timeout: float = 60) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


class FakeTwilio:
    """Accepts the assistant's outbound WhatsApp messages (TWILIO_API_BASE_URL)."""

    def __init__(self) -> None:
        self.count = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.count += 1
                body = json.dumps({"sid": f"SM{uuid.uuid4().hex}", "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ----------------------------------------------------------------------------- systems
class System:
    name = ""
    script: List[str] = []
    proc: Optional[subprocess.Popen] = None
    base = ""

    def say(self, sender: str, text: str) -> tuple:
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(
            self.base + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as resp:
            replies = json.loads(resp.read())
        return time.perf_counter() - start, replies

    def lines(self, n: int) -> List[str]:
        return list(self.script)

    def filed(self, senders: List[str]) -> Optional[int]:
        return None

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)


class MoodBot(System):
    name = "moodbot"
    script = MOOD_SCRIPT

    def start(self, log_dir: Path) -> None:
        model = moodbot.build(log=(log_dir / "moodbot-build.log").open("a"))
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = log_dir / "moodbot.log"
        self.proc = subprocess.Popen(
            [
                str(moodbot.RASA),
                "run",
                "--model",
                str(model),
                "--port",
                str(port),
                "-i",
                "127.0.0.1",
                "--credentials",
                str(moodbot.PROJECT / "credentials.yml"),
            ],
            cwd=moodbot.PROJECT,
            env=moodbot.env(),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                _, replies = self.say("warm-up", "hello")
                if replies:
                    return
            except Exception:
                time.sleep(1)
        raise SystemExit("moodbot did not start; see " + str(self.log))


class PqrBot(System):
    script = PQR_SCRIPT

    def __init__(self, name: str, root: Path, extra_env: Dict[str, str], contracts: int) -> None:
        self.name, self.root, self.extra_env, self.contracts = name, root, extra_env, contracts
        self._next = 0
        self._lock = threading.Lock()

    def lines(self, n: int) -> List[str]:
        with self._lock:
            self._next += 1
            contrato = str(90000000 + self._next)
        return [line.format(contrato=contrato) for line in self.script]

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, log_dir: Path, fake_twilio_url: str) -> None:
        self.data = Path(tempfile.mkdtemp(prefix=f"bench-{self.name}-"))
        rasa_port, actions_port, ingress_port = free_port(), free_port(), free_port()
        self.base = f"http://127.0.0.1:{rasa_port}"
        self.public_url = self.base
        self.ingress = f"http://127.0.0.1:{ingress_port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TWILIO_", "META_", "TELEGRAM_", "TWITTER_", "PQRBOT_"))
        }
        env.update(
            {
                "PYTHONPATH": str(self.root),
                "RASA_TELEMETRY_ENABLED": "false",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PQRBOT_DATA_DIR": str(self.data),
                "PQRBOT_DATABASE_URL": f"sqlite:///{self.data / 'pqrbot.db'}",
                "PQRBOT_RASA_PORT": str(rasa_port),
                "PQRBOT_ACTIONS_PORT": str(actions_port),
                "PQRBOT_INGRESS_PORT": str(ingress_port),
                "PQRBOT_CONSOLE_PORT": str(free_port()),
                "PQRBOT_METRICS_PORT": str(free_port()),
                "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
                "TWILIO_API_BASE_URL": fake_twilio_url,
                "PQRBOT_PUBLIC_URL": self.public_url,
                # an explicit token: older trees put a generated one on the command line, where one
                # starting with "-" broke the start (issue 8)
                "PQRBOT_RASA_API_TOKEN": "bench" + uuid.uuid4().hex,
                # every simulated customer talks from one loopback address: the public channel's
                # per-IP limit (300 a minute by default) would answer 429 to a real customer's turn
                "PQRBOT_RATE_LIMIT_IP": "0",
            }
        )
        env.update(self.extra_env)
        self.env = env
        billing = json.loads((self.root / "demo" / "billing.json").read_text())
        template = next(c for c in billing["contratos"] if c["contrato"] == "12345678")
        billing["contratos"] += [dict(template, contrato=str(90000000 + i)) for i in range(1, self.contracts + 1)]
        seed_file = self.data / "billing.json"
        seed_file.write_text(json.dumps(billing))
        out = self.cli("crm", "seed", str(seed_file))
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: seeding failed: {out.stderr[-2000:]}")
        self.log = log_dir / f"{self.name}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--skip-train"],
            cwd=self.root,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and self.proc.poll() is None:
            if "pqrbot: ready" in self.log.read_text(errors="replace"):
                break
            time.sleep(1)
        else:
            self.stop()
            raise SystemExit(f"{self.name} did not start; see {self.log}")
        try:  # an ingress process of its own, when this tree has one
            with urllib.request.urlopen(self.ingress + "/healthz", timeout=5):
                pass
        except Exception:
            self.ingress = self.base

    def filed(self, senders: List[str]) -> int:
        out = self.cli("crm", "pqrs", "--json")
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: crm pqrs failed: {out.stderr[-2000:]}")
        ids = {p.get("conversation_id") for p in json.loads(out.stdout)}
        return sum(1 for s in senders if s in ids or any(str(i).endswith(s) for i in ids if i))

    def tracker_url(self) -> str:
        url = self.env.get("PQRBOT_DATABASE_URL", "")
        return url if url.startswith("postgresql") else f"sqlite:///{self.data / 'tracker.db'}"

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(getattr(self, "data", ""), ignore_errors=True)


# ----------------------------------------------------------------------------- load
def closed_loop(system: System, customers: int, conversations_each: int, deadline_s: float) -> dict:
    latencies: List[float] = []
    errors: List[str] = []
    senders: List[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s

    def customer(idx: int) -> None:
        for _ in range(conversations_each):
            if time.monotonic() > stop_at:
                return
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            lines = system.lines(idx)
            with lock:
                senders.append(sender)
            for line in lines:
                try:
                    took, replies = system.say(sender, line)
                except Exception as exc:  # counted, not hidden
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    break
                with lock:
                    latencies.append(took)
                    if not replies:
                        errors.append(f"no reply to {line!r}")

    sampler = RssSampler(system.proc.pid)
    sampler.start()
    start = time.perf_counter()
    threads = [threading.Thread(target=customer, args=(i,), daemon=True) for i in range(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(deadline_s + REQUEST_TIMEOUT * 8)
    wall = time.perf_counter() - start
    rss_sum, rss_max = sampler.stop()
    return {
        "customers": customers,
        "conversations": len(senders),
        "messages": len(latencies),
        "wall_s": wall,
        "msgs_per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": pct(latencies, 0.5) * 1000,
        "p95_ms": pct(latencies, 0.95) * 1000,
        "errors": len(errors),
        "error_samples": errors[:5],
        "rss_mb": rss_sum,
        "rss_max_mb": rss_max,
        "senders": senders,
    }


def twilio_signature(url: str, params: Dict[str, str]) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


class AckProbe(threading.Thread):
    """Signed WhatsApp deliveries at a fixed rate; records the time to each HTTP answer."""

    def __init__(self, system: PqrBot, count: int, rate: float) -> None:
        super().__init__(daemon=True)
        self.system, self.count, self.rate = system, count, rate
        self.times: List[float] = []
        self.failures: List[str] = []
        self._lock = threading.Lock()

    def _one(self, i: int) -> None:
        path = "/webhooks/whatsapp/webhook"
        sid = "SM" + uuid.uuid4().hex
        number = f"whatsapp:+5730{i:08d}"
        params = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": TWILIO_ACCOUNT,
            "From": number,
            "To": TWILIO_NUMBER,
            "Body": "hola, me llegó muy cara la factura",
            "NumMedia": "0",
            "ProfileName": "Cliente",
            "WaId": number.split("+")[1],
        }
        req = urllib.request.Request(
            self.system.ingress + path,
            data=urllib.parse.urlencode(params).encode(),
            headers={
                "X-Twilio-Signature": twilio_signature(self.system.public_url + path, params),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        start = time.perf_counter()
        error = None
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
                if resp.status != 200:
                    error = f"HTTP {resp.status}"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - start
        with self._lock:
            if error is None:
                self.times.append(took)
            else:
                self.failures.append(f"{error} after {took:.1f} s")

    def run(self) -> None:
        threads = []
        for i in range(self.count):
            t = threading.Thread(target=self._one, args=(i,), daemon=True)
            t.start()
            threads.append(t)
            time.sleep(1.0 / self.rate)
        for t in threads:
            t.join(40)

    def result(self) -> dict:
        return {
            "sent": self.count,
            "acked": len(self.times),
            "p50_ms": pct(self.times, 0.5) * 1000,
            "p99_ms": pct(self.times, 0.99) * 1000,
            "max_ms": max(self.times, default=0.0) * 1000,
            "failures": len(self.failures),
            "failure_samples": self.failures[:3],
            "times_ms": [round(t * 1000, 1) for t in self.times],
            "url": self.system.ingress,
        }


def seed_stored(system: PqrBot, source_sender: str, total: int, have: int) -> int:
    """Copies of one finished conversation's tracker events under new sender ids, up to ``total``."""
    import sqlalchemy as sa

    engine = sa.create_engine(system.tracker_url())
    with engine.begin() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = :s ORDER BY id"
            ),
            # a REST client's conversation is rest:<sender> in Rasa's store (bot/conversation_ids.py)
            {"s": f"rest:{source_sender}"},
        ).fetchall()
        if not rows:
            raise SystemExit(f"{system.name}: no tracker events of {source_sender} to copy")
        batch = []
        for n in range(have, total):
            sender = f"stored-{n:06d}"
            batch += [
                {
                    "sender_id": sender,
                    "type_name": r[0],
                    "timestamp": r[1],
                    "intent_name": r[2],
                    "action_name": r[3],
                    "data": r[4],
                }
                for r in rows
            ]
            if len(batch) > 20000:
                conn.execute(
                    sa.text(
                        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                        "action_name, data) VALUES (:sender_id, :type_name, :timestamp, "
                        ":intent_name, :action_name, :data)"
                    ),
                    batch,
                )
                batch = []
        if batch:
            conn.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, "
                    "data) VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, "
                    ":data)"
                ),
                batch,
            )
    engine.dispose()
    return max(total, have)


# ----------------------------------------------------------------------------- report
def fmt(v: float, digits: int = 0) -> str:
    return "n/a" if v != v else f"{v:,.{digits}f}"


def print_report(results: Dict[str, dict], levels: List[int], reference: str, out=sys.stdout) -> None:
    names = list(results)
    print("\n### Closed-loop load (each customer sends its next message when the reply arrives)\n", file=out)
    print(
        "| customers | system | messages/s | p50 ms | p95 ms | errors | PQRs filed | RSS MB (sum / largest) |", file=out
    )
    print("|---:|---|---:|---:|---:|---:|---|---|", file=out)
    for level in levels:
        for name in names:
            r = results[name]["levels"].get(level)
            if not r:
                continue
            filed = "n/a" if r.get("filed") is None else f"{r['filed']}/{r['conversations']}"
            print(
                f"| {level} | {name} | {fmt(r['msgs_per_s'], 1)} | {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | "
                f"{r['errors']} | {filed} | {fmt(r['rss_mb'])} / {fmt(r['rss_max_mb'])} |",
                file=out,
            )
        ref = results.get(reference, {}).get("levels", {}).get(level)
        for name in names:
            r = results[name]["levels"].get(level)
            if name == reference or not ref or not r:
                continue
            print(
                f"| {level} | **{name} / {reference}** | **{r['msgs_per_s'] / ref['msgs_per_s']:.2f}×** | "
                f"{r['p50_ms'] / ref['p50_ms']:.2f}× | **{r['p95_ms'] / ref['p95_ms']:.2f}×** | | | "
                f"{r['rss_max_mb'] / ref['rss_max_mb']:.2f}× (largest) |",
                file=out,
            )
    acks = {n: results[n]["ack"] for n in names if results[n].get("ack")}
    if acks:
        print(
            f"\n### Webhook acknowledgement of signed WhatsApp deliveries during the {max(levels)}-customer load\n",
            file=out,
        )
        print(
            "| system | sent | acknowledged (200) | p50 ms | p99 ms | max ms | failed or > 30 s | endpoint |", file=out
        )
        print("|---|---:|---:|---:|---:|---:|---:|---|", file=out)
        for n, a in acks.items():
            print(
                f"| {n} | {a['sent']} | {a['acked']} | {fmt(a['p50_ms'])} | {fmt(a['p99_ms'])} | {fmt(a['max_ms'])} | "
                f"{a['failures']} | {a['url'].rsplit(':', 1)[0]}:<{'ingress' if a.get('ingress') else 'rasa'} port> |",
                file=out,
            )
    curves = {n: results[n]["stored"] for n in names if results[n].get("stored")}
    if curves:
        print("\n### One customer alone, with N stored conversations in the tracker store\n", file=out)
        print("| system | stored conversations | messages | p50 ms | p95 ms | errors |", file=out)
        print("|---|---:|---:|---:|---:|---:|", file=out)
        for n, curve in curves.items():
            for stored, r in curve.items():
                print(
                    f"| {n} | {int(stored):,} | {r['messages']} | {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | "
                    f"{r['errors']} |",
                    file=out,
                )


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levels", default="1,10,50", help="concurrent customers, comma-separated")
    ap.add_argument("--rounds", default="5,2,1", help="conversations per customer at each level (last value repeats)")
    ap.add_argument("--stored", default="10,1000,10000", help="stored conversations for the cost curve ('' = skip)")
    ap.add_argument("--stored-conversations", type=int, default=3, help="conversations played at each stored size")
    ap.add_argument("--ack", type=int, default=60, help="signed WhatsApp deliveries during the largest level")
    ap.add_argument("--ack-rate", type=float, default=4.0, help="deliveries per second")
    ap.add_argument("--before", type=Path, help="another pqrbot checkout to run as 'pqrbot-before'")
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:K=V[,K=V]: also run this tree with that environment (e.g. 'pqrbot-1w:PQRBOT_RASA_WORKERS=1')",
    )
    ap.add_argument("--no-moodbot", action="store_true", help="skip the moodbot reference")
    ap.add_argument("--no-pqrbot", action="store_true", help="only moodbot")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for pqrbot (e.g. PQRBOT_PROFILE=production)")
    ap.add_argument("--deadline", type=float, default=900, help="seconds at most per level")
    ap.add_argument(
        "--smoke", action="store_true", help="1 and 3 customers, 1 conversation each, 10 stored, 6 deliveries"
    )
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--logs", type=Path, help="folder for the servers' logs (default: a temporary one)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.levels, args.rounds, args.stored, args.ack, args.stored_conversations = "1,3", "1", "10", 6, 1
    levels = [int(x) for x in args.levels.split(",") if x]
    rounds = [int(x) for x in args.rounds.split(",") if x]
    rounds_at = {lv: rounds[min(i, len(rounds) - 1)] for i, lv in enumerate(levels)}
    stored = [int(x) for x in args.stored.split(",") if x]
    extra_env = dict(e.split("=", 1) for e in args.env)
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="bench-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    contracts = sum(lv * rounds_at[lv] for lv in levels) + len(stored) * args.stored_conversations + 20

    systems: List[System] = []
    if not args.no_moodbot:
        systems.append(MoodBot())
    if args.before:
        systems.append(PqrBot("pqrbot-before", args.before.resolve(), extra_env, contracts))
    if not args.no_pqrbot:
        systems.append(PqrBot("pqrbot", ROOT, extra_env, contracts))
    for variant in args.variant:
        vname, _, pairs = variant.partition(":")
        venv = dict(extra_env, **dict(p.split("=", 1) for p in pairs.split(",") if p))
        systems.append(PqrBot(vname, ROOT, venv, contracts))

    results: Dict[str, dict] = {}
    load_avg = os.getloadavg()
    print(
        f"bench: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores, load average "
        f"{load_avg[0]:.2f} at start; logs in {log_dir}",
        flush=True,
    )
    fake = FakeTwilio()
    try:
        for system in systems:
            print(f"bench: starting {system.name} ...", flush=True)
            t0 = time.monotonic()
            if isinstance(system, PqrBot):
                system.start(log_dir, fake.url)
            else:
                system.start(log_dir)
            res: Dict[str, object] = {"start_s": time.monotonic() - t0, "levels": {}}
            results[system.name] = res
            try:
                closed_loop(system, 1, 1, args.deadline)  # warm-up, not counted
                for level in levels:
                    probe = timer = None
                    if isinstance(system, PqrBot) and level == max(levels) and args.ack:
                        probe = AckProbe(system, args.ack, args.ack_rate)
                        # the deliveries start once the load is under way
                        timer = threading.Timer(1.0 if args.smoke else 3.0, probe.start)
                        timer.start()
                    r = closed_loop(system, level, rounds_at[level], args.deadline)
                    if probe is not None:
                        timer.join()
                        probe.join(args.ack / args.ack_rate + 60)
                        res["ack"] = dict(probe.result(), ingress=system.ingress != system.base)
                    r["filed"] = system.filed(r["senders"]) if isinstance(system, PqrBot) else None
                    res["levels"][level] = r
                    print(
                        f"bench: {system.name} {level} customers: {r['msgs_per_s']:.1f} msg/s, p50 "
                        f"{r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, errors {r['errors']}"
                        + (f", filed {r['filed']}/{r['conversations']}" if r["filed"] is not None else ""),
                        flush=True,
                    )
                    for e in r["error_samples"]:
                        print("bench:   error:", e, flush=True)
                if isinstance(system, PqrBot) and stored:
                    res["stored"] = {}
                    source = res["levels"][levels[0]]["senders"][0]
                    have = 0
                    for n in stored:
                        have = seed_stored(system, source, n, have)
                        r = closed_loop(system, 1, args.stored_conversations, args.deadline)
                        res["stored"][n] = {k: r[k] for k in ("messages", "p50_ms", "p95_ms", "errors")}
                        print(
                            f"bench: {system.name} with {n} stored conversations: p50 {r['p50_ms']:.0f} ms", flush=True
                        )
            finally:
                system.stop()
    finally:
        fake.close()
        for system in systems:
            system.stop()
    load_avg = os.getloadavg()
    print(f"\nbench: finished {time.strftime('%H:%M:%S')}, load average {load_avg[0]:.2f} at the end", flush=True)
    reference = "moodbot" if "moodbot" in results else ("pqrbot-before" if "pqrbot-before" in results else "")
    print_report(results, levels, reference)
    if args.json:
        for r in results.values():
            for lv in r["levels"].values():
                lv.pop("senders", None)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    bad = [
        n
        for n, r in results.items()
        for lv in r["levels"].values()
        if lv["errors"] or (lv["filed"] is not None and lv["filed"] != lv["conversations"])
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
