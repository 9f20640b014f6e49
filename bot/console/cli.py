"""``pqrbot users``: accounts of the agent console.

    echo 'long password' | pqrbot users add ana@epm.com.co --name "Ana Ruiz" --role agente --password-stdin
    pqrbot users list [--json]
    pqrbot users disable ana@epm.com.co

Roles: agente (works conversations), entrenador (trainers' workbench), admin (both, plus quick
replies and the audit log). The password is read from standard input (never from the command
line), at least 8 characters; it is stored as an argon2id hash.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.console.schema import ROLES


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("users", help="accounts of the agent console")
    sub = parser.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="create an account (password from stdin)")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from standard input (required)"
    )
    add.set_defaults(func=_add)
    lst = sub.add_parser("list", help="list accounts")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    dis = sub.add_parser("disable", help="disable an account and end its sessions")
    dis.add_argument("email")
    dis.set_defaults(func=_disable)
    return parser


def _accounts():
    from bot.bootstrap import services
    from bot.console.accounts import Accounts

    return Accounts(services().engine)


def _add(args, stdin=None) -> int:
    from bot.console import audit
    from bot.console.accounts import AccountError

    stdin = stdin or sys.stdin
    password = stdin.readline().rstrip("\r\n")
    accounts = _accounts()
    try:
        account = accounts.add(args.email, args.name, args.role, password)
    except AccountError as exc:
        print(f"pqrbot users add: {exc}", file=sys.stderr)
        return 2
    audit.configure(accounts.engine)
    audit.record("cli", "user_add", account.email, {"role": account.role})
    print(f"created {account.role} account {account.email}")
    return 0


def _list(args) -> int:
    rows = [a.to_json() for a in _accounts().list()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no accounts (create one with: pqrbot users add EMAIL --name NAME --role admin --password-stdin)")
        return 0
    for r in rows:
        print(f"{r['email']:<35} {r['role']:<11} {'active' if r['active'] else 'disabled':<9} {r['name']}")
    return 0


def _disable(args) -> int:
    from bot.console import audit

    accounts = _accounts()
    if not accounts.disable(args.email):
        print(f"pqrbot users disable: no account {args.email}", file=sys.stderr)
        return 1
    audit.configure(accounts.engine)
    audit.record("cli", "user_disable", args.email.strip().lower())
    print(f"disabled {args.email.strip().lower()}")
    return 0
