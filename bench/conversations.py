"""Benchmark: full reclamo conversations against a running assistant.

    .venv/bin/python bench/conversations.py [--url http://127.0.0.1:5005] [--conversations 20] [--concurrency 4]

Plays complete intakes (consent, data, read-back, filing) through the REST channel and prints the
latency of each customer message (p50, p95, max), messages per second, PQRs filed, and the
resident memory of the Rasa server and the action server. Loopback only; bounded in count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import urllib.request
import uuid
from pathlib import Path

SCRIPT = [
    "hola, me llego muy cara la factura de la luz, como 350 mil",
    "si",
    "Carlos Andres Restrepo",
    "cc 1017234567",
    "contrato 12345678",
    "no tengo correo",
    "3001234567",
    "si",
]


def say(url: str, sender: str, text: str) -> tuple:
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(
        url + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as resp:
        replies = json.loads(resp.read())
    return time.perf_counter() - start, replies


def rss_mb(pattern: str) -> float:
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if pattern in cmd and "bench/" not in cmd:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:5005")
    ap.add_argument("--conversations", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    latencies, filed, errors = [], [], []
    lock = threading.Lock()
    todo = list(range(args.conversations))

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                todo.pop()
            sender = f"bench-{uuid.uuid4().hex[:10]}"
            try:
                for line in SCRIPT:
                    took, replies = say(args.url, sender, line)
                    with lock:
                        latencies.append(took)
                if any("PQR-" in (r.get("text") or "") for r in replies):
                    with lock:
                        filed.append(sender)
            except Exception as exc:  # report, do not hide
                with lock:
                    errors.append(repr(exc))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    wall = time.perf_counter() - start
    lat = sorted(latencies)

    def p(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    print(
        f"conversations: {args.conversations} (concurrency {args.concurrency}), "
        f"messages: {len(lat)}, wall: {wall:.1f} s"
    )
    print(
        f"latency per message: p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {lat[-1] * 1000 if lat else 0:.0f} ms, "
        f"mean {statistics.mean(lat) * 1000 if lat else 0:.0f} ms"
    )
    print(
        f"throughput: {len(lat) / wall:.1f} messages/s; PQRs filed: {len(filed)}/{args.conversations}; "
        f"errors: {len(errors)}"
    )
    print(f"memory (RSS): Rasa server {rss_mb('rasa run'):.0f} MB, action server {rss_mb('rasa_sdk'):.0f} MB")
    for e in errors[:5]:
        print("error:", e)


if __name__ == "__main__":
    main()
