"""Subcommands of ``pqrbot`` owned by the follow-up scheduler.

    pqrbot followups [--json] [--status S] [--conversation ID] [--limit N] [--reveal]
    pqrbot worker [--poll-interval SECONDS] [--once]

``bot.cli`` calls ``register(subparsers)``; each subcommand sets ``func`` (and ``handler``)
to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from bot.followups.schema import STATUSES


def register(subparsers) -> None:
    listing = subparsers.add_parser(
        "followups",
        help="list next-day closing follow-ups (scheduled, sent, cancelled, failed, unsendable)",
        description="List the follow-ups that close requests whose customer stopped answering.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--status", choices=STATUSES, help="only follow-ups in this status")
    listing.add_argument("--conversation", help="only this conversation (Rasa sender id)")
    listing.add_argument("--limit", type=int, default=None, help="at most N follow-ups")
    listing.add_argument("--reveal", action="store_true", help="show conversation ids (phone numbers...) in clear")
    listing.set_defaults(func=cmd_followups, handler=cmd_followups)

    from bot.followups.worker import add_worker_arguments

    worker = subparsers.add_parser(
        "worker",
        help="run the follow-up worker in the foreground (sends the next-day closing messages)",
        description="Send due closing messages, exactly once, until SIGTERM/SIGINT.",
    )
    add_worker_arguments(worker)
    worker.set_defaults(func=cmd_worker, handler=cmd_worker)


def cmd_followups(args: argparse.Namespace) -> int:
    from bot.bootstrap import services

    items = services().followups.list(
        status=args.status,
        conversation_id=getattr(args, "conversation", None),
        limit=getattr(args, "limit", None),
    )
    rows = [fu.to_json() for fu in items]
    if not getattr(args, "reveal", False):
        for row in rows:
            for key in ("conversation_id", "reason"):
                if row.get(key):
                    row[key] = _mask(row[key])
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not items:
        print("no follow-ups")
        return 0
    for fu, row in zip(items, rows, strict=False):
        when = fu.sent_at or fu.cancelled_at or fu.due_at
        print(
            f"{fu.id:>6}  {fu.status:<10}  {when.isoformat(timespec='seconds')}  "
            f"{fu.canal:<10}  {fu.delivery or '-':<8}  {row['conversation_id']}  {row['reason'] or ''}"
        )
    return 0


def _mask(value: str) -> str:
    from bot.logmask import mask

    return mask(value)


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.followups.worker import run_from_args

    return run_from_args(args)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.followups.cli")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
