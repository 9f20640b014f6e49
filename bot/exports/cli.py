"""Subcommands of ``pqrbot crm`` for the daily export.

pqrbot crm exporte --fecha YYYY-MM-DD --out FILE.xlsx [--enviar]
pqrbot crm exportes [--json] [--status S]     the days sent by the worker (operations listing)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from bot.exports.schema import STATUSES


def register(subparsers) -> None:  # nothing at the top level
    return None


def register_crm(crm) -> None:
    exporte = crm.add_parser("exporte", help="write (and optionally e-mail) one day's PQR workbook")
    exporte.add_argument("--fecha", required=True, help="the day (America/Bogota), YYYY-MM-DD")
    exporte.add_argument("--out", required=True, help="the .xlsx file to write")
    exporte.add_argument(
        "--enviar", action="store_true", help="also e-mail it to PQRBOT_EXPORT_RECIPIENTS through PQRBOT_SMTP_URL"
    )
    exporte.set_defaults(func=cmd_exporte)
    listing = crm.add_parser("exportes", help="daily exports sent by the worker (status, attempts, errors)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--limit", type=int, default=60)
    listing.set_defaults(func=cmd_exportes)


def cmd_exporte(args: argparse.Namespace) -> int:
    from bot import bootstrap
    from bot.exports.mail import ExportConfigError, send_export
    from bot.exports.workbook import export_day

    try:
        fecha = date.fromisoformat(args.fecha)
    except ValueError:
        print(f"pqrbot: --fecha must be a date YYYY-MM-DD, got {args.fecha!r}", file=sys.stderr)
        return 2
    pqrs, xlsx = export_day(bootstrap.services().store, fecha)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(xlsx)
    print(f"{out}: {len(pqrs)} PQR filed on {fecha.isoformat()} by the digital channels")
    if args.enviar:
        try:
            recipients = send_export(bootstrap.settings(), fecha, pqrs, xlsx)
        except ExportConfigError as exc:
            print(f"pqrbot: not sent: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # SMTP refused, network...
            print(f"pqrbot: not sent: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        print(f"sent to {', '.join(recipients)}")
    return 0


def cmd_exportes(args: argparse.Namespace) -> int:
    from bot.bootstrap import services
    from bot.exports.job import ExportRunStore

    rows = [r.to_json() for r in ExportRunStore(services().engine).list(status=args.status, limit=args.limit)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no exports yet")
    for r in rows:
        print(
            f"{r['fecha']}  {r['status']:<9} {r['attempts']}x  "
            f"{r['pqr_count'] if r['pqr_count'] is not None else '-'} PQR"
            + (f"  error: {r['last_error']}" if r["last_error"] else "")
        )
    return 0
