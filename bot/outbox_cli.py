"""``pqrbot outbox``: reclamos kept while the CRM was down, for operations.

    pqrbot outbox                 # table: status (pending / filed / notified / not_notified)
    pqrbot outbox --json          # machine-readable
    pqrbot outbox --open          # only those not filed or not yet told

Conversation ids and names are masked unless ``--reveal`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("outbox", help="reclamos kept while the CRM was unavailable")
    parser.add_argument("--json", action="store_true", help="one JSON array")
    parser.add_argument("--open", action="store_true", help="only those still to file or to tell")
    parser.add_argument("--reveal", action="store_true", help="show conversation ids and names in clear")
    parser.set_defaults(func=run)
    return parser


def rows(settings, *, only_open: bool = False, reveal: bool = False) -> list:
    from sqlalchemy import select

    from bot.logmask import mask
    from bot.outbox import FILED, PENDING, Outbox, load_solicitud, outbox

    if not settings.outbox_path.exists():
        return []
    box = Outbox(settings.outbox_path)
    try:
        with box.engine.connect() as conn:
            query = select(outbox).order_by(outbox.c.created_at)
            if only_open:
                query = query.where(outbox.c.status.in_([PENDING, FILED]))
            found = conn.execute(query).all()
    finally:
        box.dispose()
    out = []
    for r in found:
        solicitud = load_solicitud(r.solicitud)
        show = (lambda v: v) if reveal else mask
        out.append(
            {
                "conversation_id": show(r.conversation_id),
                "canal": solicitud.canal,
                "status": r.status,
                "numero": r.numero,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "nombre": solicitud.nombre if reveal else "***",
                "creado_en": r.created_at.isoformat() if r.created_at else None,
            }
        )
    return out


def run(args) -> int:
    from bot import bootstrap

    found = rows(bootstrap.settings(), only_open=args.open, reveal=args.reveal)
    if args.json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not found:
        print("(none)")
        return 0
    for r in found:
        print(f"{r['creado_en']}  {r['status']:<13} {r['numero'] or '-':<12} {r['canal']:<10} {r['conversation_id']}")
    return 0
