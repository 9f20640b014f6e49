"""``pqrbot datos``: personal data held per identification number (Ley 1581 de 2012).

    pqrbot datos consultar --documento N [--json] [--actor EMAIL]
    pqrbot datos suprimir --documento N [--actor EMAIL]
    pqrbot datos actualizar --documento N [--nombre X] [--email X] [--celular X] [--actor EMAIL]
    pqrbot datos solicitudes [--json]          customers' requests received by the assistant

Each consultar/suprimir writes an audit entry (table datarights_audit).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys


def register(subparsers) -> None:
    datos = subparsers.add_parser("datos", help="personal data per document (Ley 1581): consult, suppress")
    sub = datos.add_subparsers(dest="datos_command", required=True)
    for name, func, help_text in (
        ("consultar", cmd_consultar, "print what is held under a document (contacts, PQRs, consents, ...)"),
        ("suprimir", cmd_suprimir, "delete/anonymise what the law allows; PQRs and consents stay"),
    ):
        parser = sub.add_parser(name, help=help_text)
        parser.add_argument("--documento", required=True, help="identification number")
        parser.add_argument("--actor", help="who does it, for the audit (default: the system user)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(func=func)
    upd = sub.add_parser("actualizar", help="rectify a contact's name, e-mail or mobile")
    upd.add_argument("--documento", required=True, help="identification number")
    upd.add_argument("--nombre")
    upd.add_argument("--email")
    upd.add_argument("--celular")
    upd.add_argument("--actor", help="who does it, for the audit (default: the system user)")
    upd.set_defaults(func=cmd_actualizar)
    listing = sub.add_parser("solicitudes", help="requests customers made to the assistant")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_solicitudes)


def _engine():
    from bot.bootstrap import services

    return services().engine


def _actor(args) -> str:
    if args.actor:
        return args.actor
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _valid(documento: str) -> bool:
    from bot.datarights.service import normalize_documento

    return len(normalize_documento(documento)) >= 3


def cmd_consultar(args: argparse.Namespace) -> int:
    from bot.bootstrap import settings as current_settings
    from bot.datarights.service import audit, inventory

    if not _valid(args.documento):
        print(f"pqrbot: --documento {args.documento!r} is not an identification number", file=sys.stderr)
        return 2
    engine = _engine()
    try:
        held = inventory(engine, args.documento, current_settings())
        audit(
            engine,
            _actor(args),
            "datos.consultar",
            f"documento:{held['documento']}",
            {"pqrs": len(held["pqrs"]), "conversaciones": len(held["conversaciones"])},
        )
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(held, ensure_ascii=False, indent=2))
        return 0
    print(f"Documento {held['documento']}:")
    for key in (
        "contactos",
        "pqrs",
        "consentimientos",
        "conversaciones",
        "mensajes_salientes",
        "seguimientos",
        "solicitudes_datos",
    ):
        print(f"  {key}: {len(held[key])}")
        for item in held[key]:
            print(f"    - {json.dumps(item, ensure_ascii=False)}")
    if held["transcripciones"]:
        print(f"  transcripciones (eventos por conversación): {held['transcripciones']}")
    return 0


def cmd_suprimir(args: argparse.Namespace) -> int:
    from bot.bootstrap import settings as current_settings
    from bot.datarights.service import suppress

    if not _valid(args.documento):
        print(f"pqrbot: --documento {args.documento!r} is not an identification number", file=sys.stderr)
        return 2
    engine = _engine()
    try:
        done = suppress(engine, args.documento, _actor(args), current_settings())
    finally:
        engine.dispose()
    print(json.dumps(done, ensure_ascii=False, indent=2))
    return 0


def cmd_actualizar(args: argparse.Namespace) -> int:
    from actions.messages import razon
    from bot.datarights.service import update_contact
    from textkit.validators import validate_celular, validate_email

    email, celular = args.email, args.celular
    for value, check, name in ((email, validate_email, "--email"), (celular, validate_celular, "--celular")):
        if value:
            result = check(value)
            if not result.ok:
                print(f"pqrbot: {name} {value!r}: {razon(result.problem)}", file=sys.stderr)
                return 2
            if name == "--email":
                email = result.value
            else:
                celular = result.value
    engine = _engine()
    try:
        done = update_contact(engine, args.documento, _actor(args), nombre=args.nombre, email=email, celular=celular)
    except (ValueError, LookupError) as exc:
        print(f"pqrbot: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps(done, ensure_ascii=False))
    return 0


def cmd_solicitudes(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.datarights import schema as d

    engine = _engine()
    try:
        with engine.connect() as conn:
            rows = [
                {
                    "radicado": r.radicado,
                    "tipo": r.tipo,
                    "estado": r.estado,
                    "canal": r.canal,
                    "numero_documento": r.numero_documento,
                    "conversation_id": r.conversation_id,
                    "created_at": r.created_at.isoformat(),
                }
                for r in conn.execute(select(d.requests).order_by(d.requests.c.id))
            ]
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['radicado']}  {r['created_at'][:19]}  {r['tipo']:<14} {r['estado']:<9} {r['canal']}")
        if not rows:
            print("no requests")
    return 0
