"""``pqrbot``: the operations command line.

    pqrbot crm seed FILE.json           load billing data (contracts, and optionally contacts)
    pqrbot crm pqrs --json [--since T]  the PQRs filed, as JSON
    pqrbot crm pqrs --vencen-antes D    the PQRs whose answer deadline falls before day D
    pqrbot crm orientaciones --json     customers redirected to another channel, as JSON
    pqrbot crm consentimientos --json   personal-data authorisations, as JSON
    pqrbot db upgrade                   bring the database schema up to date
    pqrbot run                          start everything the assistant needs (foreground)
    pqrbot users add|list|disable       accounts of the agent console

Every command brings the database schema up to date before it works.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from datetime import date, datetime, timezone
from typing import List, Optional

from bot import bootstrap

# Modules that add their own subcommands (channels' outbound log, follow-ups, worker).
PLUGIN_MODULES = (
    "bot.outbound.cli",
    "bot.followups.cli",
    "bot.outbox_cli",
    "bot.workbench.cli",
    "bot.evidence.cli",
    "bot.exports.cli",
    "bot.datarights.cli",
    "bot.console.cli",
)


def _parse_since(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"pqrbot: --since must be an ISO 8601 date or time, got {text!r}") from None
    # An offset means that instant: compare in UTC (SQLite stores UTC without an offset).
    return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _cmd_seed(args: argparse.Namespace) -> int:
    from crm_adapter.seed import SeedError, load_seed_file

    try:
        data = load_seed_file(args.file)
    except SeedError as exc:
        print(f"pqrbot: {args.file}: nothing was loaded, the file has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems[:50]:
            print(f"  - {problem}", file=sys.stderr)
        if len(exc.problems) > 50:
            print(f"  ... and {len(exc.problems) - 50} more", file=sys.stderr)
        return 2
    store = bootstrap.services().store
    n_contratos = store.upsert_contratos(data.contratos)
    n_contactos = store.upsert_contactos(data.contactos)
    print(f"Loaded {n_contratos} contrato(s) and {n_contactos} contacto(s) from {args.file}.")
    return 0


def _print_table(rows: List[dict], columns: List[str]) -> None:
    if not rows:
        print("(none)")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))[:60]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c, ""))[:60].ljust(widths[c]) for c in columns))


def _emit(
    args: argparse.Namespace, rows: List[dict], columns: List[str], table_rows: Optional[List[dict]] = None
) -> int:
    """JSON for scripts (--json), a short table for people."""
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_table(rows if table_rows is None else table_rows, columns)
    return 0


def _parse_day(text: Optional[str], option: str):
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"pqrbot: {option} must be a date YYYY-MM-DD, got {text!r}") from None


def _cmd_pqrs(args: argparse.Namespace) -> int:
    vencen_antes = _parse_day(args.vencen_antes, "--vencen-antes")
    found = bootstrap.services().store.list_pqrs(since=_parse_since(args.since))
    if vencen_antes is not None:
        found = [p for p in found if p.fecha_limite_respuesta and p.fecha_limite_respuesta < vencen_antes]
    pqrs = [p.to_json() for p in found]
    table = [
        dict(
            p,
            contacto=p["contacto"]["nombre"],
            medio=p["medio_notificacion"]["tipo"],
            fecha_limite=p["fecha_limite_respuesta"],
        )
        for p in pqrs
    ]
    return _emit(
        args, pqrs, ["numero", "creado_en", "canal", "estado", "contacto", "contrato", "medio", "fecha_limite"], table
    )


def _cmd_orientaciones(args: argparse.Namespace) -> int:
    rows = [o.to_json() for o in bootstrap.services().store.list_orientaciones(since=_parse_since(args.since))]
    return _emit(args, rows, ["creado_en", "canal", "regla", "contrato", "razon"])


def _cmd_consentimientos(args: argparse.Namespace) -> int:
    from bot.conversation_ids import client_id

    # Like the PQRs, the public channel's conversations show the id the client used.
    found = bootstrap.services().store.list_consentimientos()
    rows = [
        {
            "conversation_id": client_id(c.conversation_id),
            "canal": c.canal,
            "aceptado": c.aceptado,
            "respuesta": c.respuesta,
            "policy_version": c.policy_version,
            "creado_en": c.creado_en.isoformat() if c.creado_en else None,
        }
        for c in found
        if not args.conversation or args.conversation in (c.conversation_id, client_id(c.conversation_id))
    ]
    return _emit(args, rows, ["creado_en", "canal", "aceptado", "policy_version", "conversation_id"])


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.schema import upgrade_all

    applied = upgrade_all(bootstrap.services().engine)
    print("\n".join(f"applied {name}" for name in applied) or "schema is up to date")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.supervisor import run

    return run(bootstrap.settings(), skip_train=args.skip_train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pqrbot", description="pqrbot operations")
    sub = parser.add_subparsers(dest="command", required=True)

    crm = sub.add_parser("crm", help="CRM and billing data").add_subparsers(dest="crm_command", required=True)
    seed = crm.add_parser("seed", help="load billing data from a JSON file (upsert by contrato)")
    seed.add_argument("file")
    seed.set_defaults(func=_cmd_seed)
    pqrs = crm.add_parser("pqrs", help="list PQRs")
    pqrs.add_argument("--json", action="store_true", help="print JSON")
    pqrs.add_argument("--since", help="only PQRs created at or after this ISO 8601 time")
    pqrs.add_argument(
        "--vencen-antes", metavar="FECHA", help="only PQRs whose fecha_limite_respuesta is before this day (YYYY-MM-DD)"
    )
    pqrs.set_defaults(func=_cmd_pqrs)
    ori = crm.add_parser("orientaciones", help="list redirections to other channels")
    ori.add_argument("--json", action="store_true", help="print JSON")
    ori.add_argument("--since", help="only those at or after this ISO 8601 time")
    ori.set_defaults(func=_cmd_orientaciones)

    con = crm.add_parser("consentimientos", help="list personal-data authorisations")
    con.add_argument("--json", action="store_true", help="print JSON")
    con.add_argument("--conversation", help="only this conversation")
    con.set_defaults(func=_cmd_consentimientos)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(func=_cmd_db_upgrade)

    run = sub.add_parser("run", help="start the assistant (Rasa server, action server, worker)")
    run.add_argument("--skip-train", action="store_true", help="use the existing model as it is")
    run.set_defaults(func=_cmd_run)

    for module_name in PLUGIN_MODULES:
        module = importlib.import_module(module_name)
        module.register(sub)
        if hasattr(module, "register_crm"):  # subcommands of `pqrbot crm`
            module.register_crm(crm)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "run":
        bootstrap.services().engine  # every command works on an up-to-date schema  # noqa: B018
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
