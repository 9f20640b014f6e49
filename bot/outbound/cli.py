"""``pqrbot outbound``: the outbound log, for operations.

    pqrbot outbound                       # newest 50 messages, table
    pqrbot outbound --status failed       # what the providers did not take (after retries)
    pqrbot outbound --json --limit 500    # machine-readable

Texts and addresses are masked unless ``--reveal`` is given (the log itself keeps them: it is
the proof that the customer was informed).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

STATUSES = ("pending", "retrying", "sent", "failed", "undeliverable", "skipped")


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("outbound", help="list the outbound log (messages sent to customers)")
    parser.add_argument("--json", action="store_true", help="one JSON array")
    parser.add_argument("--status", choices=STATUSES, help="only messages in this status")
    parser.add_argument("--conversation", help="only this conversation id")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--reveal", action="store_true", help="show texts and addresses in clear")
    parser.set_defaults(func=run, handler=run)
    return parser


def _records(args):
    from bot.bootstrap import services
    from bot.outbound.log import SqlOutboundLog

    return SqlOutboundLog(services().engine).list(
        status=args.status, conversation_id=args.conversation, limit=args.limit
    )


def run(args, out=None) -> int:
    from bot.logmask import mask

    out = out or sys.stdout
    records = _records(args)
    rows: List[dict] = []
    for record in records:
        row = record.as_json()
        if not args.reveal:
            for key in ("conversation_id", "address", "body", "last_error"):
                if row.get(key):
                    row[key] = mask(row[key])
            if row.get("variables"):
                row["variables"] = {k: mask(v) for k, v in row["variables"].items()}
        rows.append(row)
    if args.json:
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        out.write("no messages\n")
        return 0
    for row in rows:
        out.write(
            f"#{row['id']:<6} {row['created_at'][:19]}  {row['status']:<13} {row['attempts']}x  "
            f"{row['canal'] or '-':<9} {row['purpose']:<16} {row['conversation_id']}"
            + (f"  error: {row['last_error']}" if row.get("last_error") else "")
            + "\n"
        )
    return 0


def main(argv: Optional[List[str]] = None) -> int:  # python -m bot.outbound.cli
    parser = argparse.ArgumentParser(prog="pqrbot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
